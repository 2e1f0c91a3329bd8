/**
 * The one tolerance table for backend conformance. A value is the allowed
 * |actual - expected| / (1 + |expected|) per element; gemm and reductions scale it by
 * sqrt(length of the summed dimension) at the call site, since rounding error grows so.
 *
 * float32 (unit roundoff 6e-8): fast backends against the float32 reference, whose own rounding
 * is on the expected side too.
 * float64 (unit roundoff 1.1e-16): reference64 against float64 formulas summed in another order
 * (test/backends/reference64.test.ts). Measured worst cases there, in units of these entries:
 * gemm 3.6e-16, element-wise 0 (one rounding, the same on both sides), transcendental 2.0e-16,
 * reduction 4.0e-16; each bound leaves a margin of 25x or more for other seeds and engines.
 */
export const TOLERANCE = {
  float32: { gemm: 2e-6, elementwise: 1e-6, transcendental: 2e-6, reduction: 2e-6 },
  float64: { gemm: 1e-14, elementwise: 1e-15, transcendental: 1e-14, reduction: 1e-14 },
} as const;

/** Asserts element-wise closeness, reporting the first offending index and values. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
      throw new Error(`${what}: element ${i} is ${a}, reference ${e} (|diff| ${Math.abs(a - e)} > ${tol} * (1 + |ref|))`);
    }
  }
}
