import assert from 'node:assert/strict';
import type { Matrix } from '../../src/tensor/matrix.ts';

/**
 * Central-difference derivative of `loss()` w.r.t. every element of `m` (float64 backends),
 * `(L(m + eps) - L(m - eps)) / (2 eps)`, restoring each element afterwards.
 */
export function numericGradient(m: Matrix, loss: () => number, eps = 1e-6): Float64Array {
  const d = m.data, g = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    d[i] = v + eps;
    const lp = loss();
    d[i] = v - eps;
    const lm = loss();
    d[i] = v;
    g[i] = (lp - lm) / (2 * eps);
  }
  return g;
}

/** Asserts |analytic - numeric| <= tol * (1 + |numeric|) element-wise, naming the first failure. */
export function assertGradClose(analytic: ArrayLike<number>, numeric: ArrayLike<number>, what: string, tol = 1e-6): void {
  assert.equal(analytic.length, numeric.length, `${what}: lengths differ`);
  let nonZero = 0;
  for (let i = 0; i < numeric.length; i++) {
    const a = analytic[i]!, n = numeric[i]!;
    if (Math.abs(n) > 1e-9) nonZero++;
    assert.ok(Math.abs(a - n) <= tol * (1 + Math.abs(n)), `${what}[${i}]: analytic ${a} vs numeric ${n}`);
  }
  assert.ok(nonZero > 0, `${what}: the numeric gradient is all zero, so the check proves nothing`);
}
