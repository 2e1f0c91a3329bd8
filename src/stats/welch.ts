/**
 * Welch's two-sample t-test (unequal variances), two-sided, with the Welch-Satterthwaite degrees
 * of freedom. Used to compare test errors with and without pre-training (Section 6.1).
 */
import { mean, variance } from './descriptive.ts';
import { studentTTwoSided } from './student-t.ts';

export interface WelchResult {
  /** t statistic of mean(a) - mean(b). */
  t: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value; NaN when undefined (fewer than 2 values in a group, or both variances 0). */
  p: number;
}

/**
 * `t = (ma - mb) / sqrt(va/na + vb/nb)`,
 * `df = (va/na + vb/nb)^2 / ((va/na)^2/(na-1) + (vb/nb)^2/(nb-1))`.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  const na = a.length, nb = b.length;
  if (na < 2 || nb < 2) return { t: NaN, df: NaN, p: NaN };
  const qa = variance(a) / na, qb = variance(b) / nb;
  const se2 = qa + qb;
  const diff = mean(a) - mean(b);
  if (se2 === 0) return diff === 0 ? { t: NaN, df: NaN, p: NaN } : { t: diff > 0 ? Infinity : -Infinity, df: na + nb - 2, p: 0 };
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((qa * qa) / (na - 1) + (qb * qb) / (nb - 1));
  return { t, df, p: studentTTwoSided(t, df) };
}
