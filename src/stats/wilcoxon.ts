/**
 * The Wilcoxon signed-rank test (two-sided) of paired samples, as `scipy.stats.wilcoxon(a, b)` with
 * its defaults in scipy 1.17 (`zero_method='wilcox'`, `correction=False`, `method='auto'`), which
 * this file matches (checked against scipy in test/stats/scipy-reference.test.ts):
 *
 * - `d_i = a_i - b_i`; zero differences are dropped (`'wilcox'`); the `n'` others are ranked by
 *   `|d_i|`, ties getting their average rank; `R+` (`R-`) is the sum of the ranks of positive
 *   (negative) differences; the reported statistic is `min(R+, R-)`.
 * - Exact p: when the number of pairs `n` (zeros included) is at most 50 and there are no ties and
 *   no zeros, or when `n <= 13` (scipy then runs a permutation test that enumerates every sign
 *   pattern, which is exact too). Under H0 each of the 2^n' sign patterns of the ranks is equally
 *   likely; the distribution of `R+` is counted by dynamic programming over doubled ranks (average
 *   ranks are multiples of 1/2), and `p = min(1, 2 min(P(R+ <= r), P(R+ >= r)))`.
 * - Otherwise the normal approximation with the tie correction and no continuity correction:
 *   `z = (R+ - n'(n'+1)/4) / sqrt(n'(n'+1)(2n'+1)/24 - sum_g (t_g^3 - t_g)/48)`, `t_g` the size of
 *   each group of tied `|d|`, and `p = 2 Phi(-|z|)`.
 */
import { normalTwoSided } from './normal.ts';

export interface WilcoxonResult {
  /** `min(R+, R-)`, scipy's two-sided statistic. */
  statistic: number;
  /** Sum of the ranks of the positive differences. */
  rPlus: number;
  /** Pairs with a non-zero difference (the ones ranked). */
  nNonZero: number;
  /** Two-sided p-value; NaN when no difference is non-zero. */
  p: number;
  /** How p was computed. */
  method: 'exact' | 'normal';
}

/** Average ranks (1-based) of `v` and the sizes of its groups of equal values. */
function averageRanks(v: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = v.map((_, i) => i).sort((i, j) => v[i]! - v[j]! || i - j);
  const ranks = new Array<number>(v.length).fill(0);
  const ties: number[] = [];
  for (let s = 0; s < order.length; ) {
    let e = s + 1;
    while (e < order.length && v[order[e]!] === v[order[s]!]) e++;
    const r = (s + 1 + e) / 2; // mean of ranks s+1 .. e
    for (let k = s; k < e; k++) ranks[order[k]!] = r;
    ties.push(e - s);
    s = e;
  }
  return { ranks, ties };
}

/**
 * Two-sided exact p of `R+ = rPlus` when each of `ranks` gets a random sign: the number of sign
 * patterns with each value of `2 R+` is counted by `count[s] += count[s - w]` over the doubled ranks `w`.
 */
function exactP(ranks: readonly number[], rPlus: number): number {
  const w = ranks.map((r) => Math.round(2 * r));
  const total = w.reduce((s, x) => s + x, 0);
  const count = new Float64Array(total + 1);
  count[0] = 1;
  let reach = 0;
  for (const x of w) {
    for (let s = reach; s >= 0; s--) count[s + x] = count[s + x]! + count[s]!;
    reach += x;
  }
  const obs = Math.round(2 * rPlus);
  let le = 0, ge = 0, all = 0;
  for (let s = 0; s <= total; s++) {
    all += count[s]!;
    if (s <= obs) le += count[s]!;
    if (s >= obs) ge += count[s]!;
  }
  return Math.min(1, (2 * Math.min(le, ge)) / all);
}

/** Wilcoxon signed-rank test of `a` minus `b` (`[n]` each, paired by index); see the module comment. */
export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): WilcoxonResult {
  if (a.length !== b.length) throw new RangeError(`wilcoxonSignedRank: the arms must pair up, got ${a.length} and ${b.length} values`);
  const n = a.length;
  const all = a.map((x, i) => x - b[i]!);
  const d = all.filter((x) => x !== 0);
  const nz = d.length;
  if (nz === 0) return { statistic: 0, rPlus: 0, nNonZero: 0, p: NaN, method: n <= 50 ? 'exact' : 'normal' };
  const { ranks, ties } = averageRanks(d.map(Math.abs));
  let rPlus = 0, rMinus = 0;
  d.forEach((x, i) => {
    if (x > 0) rPlus += ranks[i]!;
    else rMinus += ranks[i]!;
  });
  const statistic = Math.min(rPlus, rMinus);
  const tiedOrZero = nz < n || ties.some((t) => t > 1);
  if (n <= 13 || (n <= 50 && !tiedOrZero)) return { statistic, rPlus, nNonZero: nz, p: exactP(ranks, rPlus), method: 'exact' };
  const tieSum = ties.reduce((s, t) => s + t ** 3 - t, 0);
  const se = Math.sqrt((nz * (nz + 1) * (2 * nz + 1) - tieSum / 2) / 24);
  const z = (rPlus - (nz * (nz + 1)) / 4) / se;
  return { statistic, rPlus, nNonZero: nz, p: normalTwoSided(z), method: 'normal' };
}
