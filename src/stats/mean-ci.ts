/** The mean of a sample with its Student-t confidence interval (the spread over seeds the report gives). */
import { mean, std } from './descriptive.ts';
import { studentTQuantile } from './bootstrap.ts';

/** A sample's mean, its two-sided confidence interval and size. */
export interface MeanCi {
  mean: number;
  lo: number;
  hi: number;
  n: number;
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
