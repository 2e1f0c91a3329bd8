/** Cohen's d (two groups) and d_z (paired), the effect sizes of the report's comparisons. */
import { mean, stdOfDifferences, variance } from './descriptive.ts';

/**
 * Cohen's d of `a` minus `b`: difference of means over the pooled standard deviation
 * `sqrt(((na-1) sa^2 + (nb-1) sb^2) / (na + nb - 2))`. NaN when undefined.
 */
export function cohensD(a: readonly number[], b: readonly number[]): number {
  const na = a.length, nb = b.length;
  if (na < 2 || nb < 2) return NaN;
  const pooled = Math.sqrt(((na - 1) * variance(a) + (nb - 1) * variance(b)) / (na + nb - 2));
  return pooled === 0 ? NaN : (mean(a) - mean(b)) / pooled;
}

/**
 * Cohen's d_z of paired data: the mean of the differences `d_i = a_i - b_i` over their standard
 * deviation (n - 1), `mean(d) / sd(d)`; it equals `t / sqrt(n)` of the paired t-test. NaN when
 * undefined (fewer than 2 pairs, or all differences equal, up to floating-point round-off:
 * `stdOfDifferences`).
 */
export function cohensDz(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`cohensDz: the arms must pair up, got ${a.length} and ${b.length} values`);
  const d = a.map((x, i) => x - b[i]!);
  if (d.length < 2) return NaN;
  const s = stdOfDifferences(d, a, b);
  return s === 0 ? NaN : mean(d) / s;
}
