/**
 * The one tolerance table for backend conformance. A value is the allowed
 * |actual - expected| / (1 + |expected|) per element; gemm and reductions scale it by
 * sqrt(length of the summed dimension) at the call site, since rounding error grows so.
 */
export const TOLERANCE = {
  float32: { gemm: 2e-6, elementwise: 1e-6, transcendental: 2e-6, reduction: 2e-6 },
  float64: { gemm: 2e-6, elementwise: 1e-6, transcendental: 2e-6, reduction: 2e-6 },
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
