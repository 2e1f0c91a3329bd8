/**
 * The paired t-test (two-sided), for two arms measured on the same seeds (issue 10: both arms of a
 * comparison share seeds, so the seed-to-seed variance common to both cancels in the differences).
 */
import { mean, stdOfDifferences } from './descriptive.ts';
import { studentTTwoSided } from './student-t.ts';

export interface PairedTResult {
  /** Number of pairs. */
  n: number;
  /** Mean of the differences `a_i - b_i`. */
  meanDiff: number;
  /** t statistic of the mean difference. */
  t: number;
  /** Degrees of freedom, `n - 1`. */
  df: number;
  /** Two-sided p-value; NaN when undefined (fewer than 2 pairs, or all differences 0). */
  p: number;
}

/**
 * Paired t-test of `a` minus `b` (`[n]` each, pair i = `a[i]`, `b[i]`): with `d_i = a_i - b_i`,
 * `t = mean(d) / (sd(d) / sqrt(n))` (sd with n - 1), `df = n - 1`, `p = P(|T_df| >= |t|)`,
 * as `scipy.stats.ttest_rel`. Differences that are all equal and not 0 give t = +-Infinity, p = 0
 * (equal up to floating-point round-off, see `stdOfDifferences`).
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTResult {
  if (a.length !== b.length) throw new RangeError(`pairedTTest: the arms must pair up, got ${a.length} and ${b.length} values`);
  const d = a.map((x, i) => x - b[i]!);
  const n = d.length, m = mean(d);
  if (n < 2) return { n, meanDiff: m, t: NaN, df: NaN, p: NaN };
  const se = stdOfDifferences(d, a, b) / Math.sqrt(n);
  if (se === 0) return m === 0 ? { n, meanDiff: m, t: NaN, df: n - 1, p: NaN } : { n, meanDiff: m, t: m > 0 ? Infinity : -Infinity, df: n - 1, p: 0 };
  const t = m / se;
  return { n, meanDiff: m, t, df: n - 1, p: studentTTwoSided(t, n - 1) };
}
