/** Student's t distribution: its CDF from @stdlib, and the two-sided p-value the Welch test reports. */
import tCdf from '@stdlib/stats-base-dists-t-cdf';

/** CDF of Student's t with `df` > 0 degrees of freedom: P(T <= t). Throws on df <= 0. */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`studentTCdf: degrees of freedom must be > 0 (got ${df})`);
  return tCdf(t, df);
}

/**
 * Two-sided p-value P(|T| >= |t|) for Student's t with `df` degrees of freedom: `2 cdf(-|t|)`,
 * taken from the lower tail so that small p-values keep their precision. NaN for NaN, 0 for +-Infinity.
 */
export function studentTTwoSided(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
}
