/**
 * The difference of two means with a 95% confidence interval from Student's t: paired (the mean of
 * per-seed differences, when both arms ran the same seeds) or Welch's (unequal variances). Used by
 * the train-vs-test NLL tables (Erhan et al. 2010, Fig. 8, 10, 14): "is the final training NLL
 * higher with pre-training", as a number with its uncertainty over seeds.
 */
import { mean, variance } from './descriptive.ts';
import { studentTCdf, studentTTwoSided } from './student-t.ts';

export interface MeanDifference {
  /** mean(a) - mean(b) (paired: the mean of a[i] - b[i]). */
  difference: number;
  /** The 95% confidence interval of the difference; NaN when undefined (fewer than 2 values per arm). */
  lo: number;
  hi: number;
  /** Two-sided p-value of "no difference"; NaN when undefined. */
  p: number;
  /** Pairs (paired) or the two group sizes' smaller one (Welch). */
  n: number;
  paired: boolean;
}

/** The quantile of Student's t with `df` degrees of freedom at probability `q` in (0, 1), by bisection on the CDF. */
export function studentTQuantile(q: number, df: number): number {
  let lo = -1e3, hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function interval(difference: number, se: number, df: number, n: number, paired: boolean): MeanDifference {
  if (!(df > 0) || !Number.isFinite(se)) return { difference, lo: NaN, hi: NaN, p: NaN, n, paired };
  if (se === 0) return { difference, lo: difference, hi: difference, p: difference === 0 ? NaN : 0, n, paired };
  const h = studentTQuantile(0.975, df) * se;
  return { difference, lo: difference - h, hi: difference + h, p: studentTTwoSided(difference / se, df), n, paired };
}

/** Paired: `d = a[i] - b[i]`, mean(d) +- t(0.975, n - 1) sd(d) / sqrt(n). `a` and `b` have equal lengths (pairs). */
export function pairedDifference(a: readonly number[], b: readonly number[]): MeanDifference {
  if (a.length !== b.length) throw new RangeError(`pairedDifference: ${a.length} vs ${b.length} values; pairs need equal lengths`);
  const d = a.map((x, i) => x - b[i]!);
  const n = d.length;
  if (n < 2) return { difference: n ? d[0]! : NaN, lo: NaN, hi: NaN, p: NaN, n, paired: true };
  return interval(mean(d), Math.sqrt(variance(d) / n), n - 1, n, true);
}

/** Welch: mean(a) - mean(b) +- t(0.975, df) sqrt(va/na + vb/nb), df by Welch-Satterthwaite. */
export function welchDifference(a: readonly number[], b: readonly number[]): MeanDifference {
  const na = a.length, nb = b.length, n = Math.min(na, nb);
  const difference = na && nb ? mean(a) - mean(b) : NaN;
  if (na < 2 || nb < 2) return { difference, lo: NaN, hi: NaN, p: NaN, n, paired: false };
  const qa = variance(a) / na, qb = variance(b) / nb, se2 = qa + qb;
  const df = se2 === 0 ? na + nb - 2 : (se2 * se2) / ((qa * qa) / (na - 1) + (qb * qb) / (nb - 1));
  return interval(difference, Math.sqrt(se2), df, n, false);
}
