/** Cohen's d, the effect size of the report's comparisons. */
import { mean, variance } from './descriptive.ts';

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
