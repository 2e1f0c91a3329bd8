/**
 * The confidence interval that goes with Welch's test: mean(a) - mean(b) +- q * se, with
 * `se = sqrt(va/na + vb/nb)` and `q` the Student's t quantile at the Welch-Satterthwaite degrees of
 * freedom. The report prints it beside each difference of test error (Erhan et al. 2010, Fig. 9).
 */
import { mean, variance } from './descriptive.ts';
import { studentTCdf } from './student-t.ts';
import { welchTTest } from './welch.ts';

/**
 * The `p`-quantile of Student's t with `df` > 0 degrees of freedom: the t with `P(T <= t) = p`,
 * found by bisection on the CDF to a relative 1e-13 (the CDF is monotone, so bisection cannot miss it).
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  let lo = -1, hi = 1;
  while (studentTCdf(lo, df) > p) lo *= 2;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A two-sided confidence interval of mean(a) - mean(b). */
export interface Interval {
  lo: number;
  hi: number;
  /** Coverage, e.g. 0.95. */
  level: number;
}

/**
 * Welch's interval of `mean(a) - mean(b)` at `level` (default 0.95); NaN bounds when a group has
 * fewer than 2 values, a zero-width interval when both groups have no spread.
 */
export function welchInterval(a: readonly number[], b: readonly number[], level = 0.95): Interval {
  const diff = mean(a) - mean(b);
  const se = Math.sqrt(variance(a) / a.length + variance(b) / b.length);
  const { df } = welchTTest(a, b);
  if (a.length < 2 || b.length < 2) return { lo: NaN, hi: NaN, level };
  if (se === 0) return { lo: diff, hi: diff, level };
  const q = studentTQuantile(1 - (1 - level) / 2, df);
  return { lo: diff - q * se, hi: diff + q * se, level };
}
