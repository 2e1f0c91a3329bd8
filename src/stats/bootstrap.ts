/**
 * Bootstrap confidence intervals of a difference of mean test errors over seeds (issue 10: effect
 * sizes with 95% intervals, bootstrap over seeds), by the percentile method (Efron & Tibshirani
 * 1993, ch. 13): resample with replacement B times, compute the statistic each time, and take the
 * `(1 - level)/2` and `(1 + level)/2` quantiles (type 7, `quantile` in descriptive.ts) of the B values.
 *
 * - Paired arms (`bootstrapPairedCi`): the seeds are resampled, each drawn seed bringing its pair,
 *   so the statistic is the mean of n resampled differences `d_i = a_i - b_i`.
 * - Unpaired arms (`bootstrapUnpairedCi`): each arm is resampled on its own (stratified), the
 *   statistic is `mean(a*) - mean(b*)`.
 *
 * Few seeds: the plain percentile interval is too narrow for small n (it covers about 0.90 of the
 * time at n = 10 and 0.81 at n = 4 for a nominal 0.95, measured on normal differences), because the
 * bootstrap distribution of a mean has spread `s sqrt((n-1)/n) / sqrt(n)` and uses normal rather
 * than t tails. So by default the interval is the *expanded percentile* interval (Hesterberg 2015,
 * "What teachers should know about the bootstrap", Section 5): the quantiles are taken at
 * `Phi(+-sqrt(n/(n-1)) t_{n-1, (1+level)/2})` instead of `(1 +- level)/2`, which corrects both,
 * with n the number of pairs (paired) or of the smaller arm (unpaired). `expanded: false` gives
 * the plain percentile interval.
 *
 * Reproducible: every index is drawn from the `rng` passed in (a named stream of src/rng), so the
 * same stream gives the same interval.
 */
import type { Rng } from '../rng/rng.ts';
import { mean, quantile } from './descriptive.ts';
import { normalCdf } from './normal.ts';
import { studentTCdf } from './student-t.ts';

/** Resamples drawn by default. */
export const BOOTSTRAP_RESAMPLES = 10_000;

export interface BootstrapOptions {
  /** The stream every resampling index is drawn from. */
  rng: Rng;
  /** Number of resamples B (default BOOTSTRAP_RESAMPLES). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
  /** Expanded percentile interval (default true); false: the plain percentile interval. */
  expanded?: boolean;
}

export interface BootstrapCi {
  /** The statistic on the data as observed. */
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  resamples: number;
}

function check(opts: BootstrapOptions): { B: number; level: number } {
  const B = opts.resamples ?? BOOTSTRAP_RESAMPLES, level = opts.level ?? 0.95;
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`bootstrap: resamples must be an integer >= 1, got ${B}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: level must be in (0, 1), got ${level}`);
  return { B, level };
}

/** Mean of `xs[k]` over n indices k drawn uniformly with replacement from `rng`. */
function resampledMean(xs: readonly number[], rng: Rng): number {
  let s = 0;
  for (let k = 0; k < xs.length; k++) s += xs[rng.int(xs.length)]!;
  return s / xs.length;
}

/** Quantile `p` of Student's t with `df` degrees of freedom, by bisection on the CDF (|t| <= 1e6). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  let lo = -1e6, hi = 1e6;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The upper tail probability at which the interval's upper quantile is read: `(1 + level)/2` for
 * the plain percentile interval, `Phi(sqrt(n/(n-1)) t_{n-1,(1+level)/2})` expanded (n >= 2).
 */
export function bootstrapUpperTail(level: number, n: number, expanded: boolean): number {
  if (!expanded || n < 2) return (1 + level) / 2;
  return normalCdf(Math.sqrt(n / (n - 1)) * studentTQuantile((1 + level) / 2, n - 1));
}

function interval(estimate: number, stats: number[], level: number, n: number, expanded: boolean): BootstrapCi {
  const up = bootstrapUpperTail(level, n, expanded);
  return { estimate, lo: quantile(stats, 1 - up), hi: quantile(stats, up), level, resamples: stats.length };
}

const empty = (level: number, B: number): BootstrapCi => ({ estimate: NaN, lo: NaN, hi: NaN, level, resamples: B });

/**
 * (Expanded) percentile bootstrap interval of the mean difference `mean(a_i - b_i)` of paired arms (`[n]`
 * each, pair i = `a[i]`, `b[i]`); NaN for no pairs.
 */
export function bootstrapPairedCi(a: readonly number[], b: readonly number[], opts: BootstrapOptions): BootstrapCi {
  if (a.length !== b.length) throw new RangeError(`bootstrapPairedCi: the arms must pair up, got ${a.length} and ${b.length} values`);
  const { B, level } = check(opts);
  const d = a.map((x, i) => x - b[i]!);
  if (d.length === 0) return empty(level, B);
  const stats = new Array<number>(B);
  for (let r = 0; r < B; r++) stats[r] = resampledMean(d, opts.rng);
  return interval(mean(d), stats, level, d.length, opts.expanded ?? true);
}

/**
 * (Expanded) percentile bootstrap interval of `mean(a) - mean(b)` for independent arms (`[na]`, `[nb]`), each
 * resampled on its own; NaN when an arm is empty.
 */
export function bootstrapUnpairedCi(a: readonly number[], b: readonly number[], opts: BootstrapOptions): BootstrapCi {
  const { B, level } = check(opts);
  if (a.length === 0 || b.length === 0) return empty(level, B);
  const stats = new Array<number>(B);
  for (let r = 0; r < B; r++) stats[r] = resampledMean(a, opts.rng) - resampledMean(b, opts.rng);
  return interval(mean(a) - mean(b), stats, level, Math.min(a.length, b.length), opts.expanded ?? true);
}
