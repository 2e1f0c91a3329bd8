/** The mean of a sample with its Student-t confidence interval (the spread over seeds the report gives). */
import { mean, std } from './descriptive.ts';
import { studentTCdf } from './student-t.ts';

/** A sample's mean, its two-sided confidence interval and size. */
export interface MeanCi {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * The `p`-quantile of Student's t with `df` degrees of freedom, by bisection on its CDF (to 1e-12):
 * e.g. `studentTQuantile(0.975, 4)` = 2.776.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  let lo = -1, hi = 1;
  while (studentTCdf(lo, df) > p) lo *= 2;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Mean and `level` (default 95%) confidence interval `mean +- t_{(1+level)/2, n-1} s / sqrt(n)`,
 * NaN values skipped. One value gives an interval of NaN bounds (no spread to estimate); none, NaN.
 */
export function meanConfidenceInterval(xs: readonly number[], level = 0.95): MeanCi {
  const v = xs.filter((x) => !Number.isNaN(x));
  const n = v.length, m = mean(v);
  if (n < 2) return { mean: m, lo: NaN, hi: NaN, n };
  const half = (studentTQuantile((1 + level) / 2, n - 1) * std(v)) / Math.sqrt(n);
  return { mean: m, lo: m - half, hi: m + half, n };
}
