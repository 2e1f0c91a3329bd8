/**
 * The numbers behind Erhan et al. 2010, Figures 5-6 (Section 6.3), measured in the original
 * function space rather than read off a 2-D picture. At each epoch, between the networks' output
 * vectors (probe outputs concatenated, `TrajectorySet`):
 * - `within[g]`: mean distance between two networks of group g (pairs of distinct networks);
 * - `between`: mean distance between a network of the baseline group and one of the other group;
 * - `gap[g] = between - within[g]`: positive when the groups sit apart ("start and stay in
 *   different regions");
 * - `spread = within[other] - within[baseline]`: negative when the other (pre-trained) group
 *   occupies the smaller region;
 * - `crossNearest`: fraction of networks whose nearest other network is of the other group
 *   (0 when the groups never mingle).
 * Distance: Euclidean norm of the output difference divided by sqrt(nProbe), i.e. the root mean
 * over probe examples of the squared L2 distance between the two softmax vectors (in [0, sqrt 2]),
 * so that probe sets of different sizes give comparable numbers.
 *
 * Intervals: 95% percentile bootstrap over networks (each group resampled with replacement,
 * pairs of the same network left out), seeded, so the table is reproducible.
 */
import { Rng } from '../rng/rng.ts';
import { quantile } from '../stats/descriptive.ts';
import type { TrajectorySet } from './trajectory-set.ts';

/** A mean with its 95% bootstrap interval. */
export interface Estimate {
  mean: number;
  lo: number;
  hi: number;
}

export interface EpochDistances {
  epoch: number;
  /** Networks of each group that have a point at this epoch. */
  n: Record<string, number>;
  within: Record<string, Estimate>;
  between: Estimate;
  gap: Record<string, Estimate>;
  spread: Estimate;
  crossNearest: number;
}

export interface DistanceOptions {
  /** The two groups, baseline first (e.g. `['none', 'sdae']`). */
  groups: readonly [string, string];
  /** Bootstrap resamples (default 1000). */
  resamples?: number;
  seed?: number;
}

/** Per-epoch distances (see the module comment), for every epoch where both groups have at least two networks. */
export function functionDistances(set: TrajectorySet, opts: DistanceOptions): EpochDistances[] {
  const [ga, gb] = opts.groups;
  const B = opts.resamples ?? 1000;
  const rng = new Rng(opts.seed ?? 0).fork('bootstrap');
  const epochs = [...new Set(set.trajectories.flatMap((t) => t.epochs))].sort((x, y) => x - y);
  const out: EpochDistances[] = [];
  for (const epoch of epochs) {
    const rows = (g: string): number[] =>
      set.trajectories.filter((t) => t.group === g && t.epochs.includes(epoch)).map((t) => t.offset + t.epochs.indexOf(epoch));
    const a = rows(ga), b = rows(gb);
    if (a.length < 2 || b.length < 2) continue;
    const idx = [...a, ...b];
    const na = a.length, n = idx.length;
    const D = pairwise(set, idx);
    const stat = (wa: Float64Array, wb: Float64Array): [number, number, number] => {
      const w = new Float64Array(n);
      w.set(wa, 0);
      w.set(wb, na);
      return [meanWithin(D, n, w, 0, na), meanWithin(D, n, w, na, n), meanBetween(D, n, w, na)];
    };
    const ones = (k: number): Float64Array => new Float64Array(k).fill(1);
    const [wA, wB, bet] = stat(ones(na), ones(n - na));
    const boot: number[][] = [[], [], [], [], [], []];
    for (let r = 0; r < B; r++) {
      const [x, y, z] = stat(resampleCounts(na, rng), resampleCounts(n - na, rng));
      boot[0]!.push(x);
      boot[1]!.push(y);
      boot[2]!.push(z);
      boot[3]!.push(z - x);
      boot[4]!.push(z - y);
      boot[5]!.push(y - x);
    }
    const est = (mean: number, k: number): Estimate => {
      const xs = boot[k]!.filter(Number.isFinite); // a resample of one distinct network has no within-group pair
      return { mean, lo: quantile(xs, 0.025), hi: quantile(xs, 0.975) };
    };
    out.push({
      epoch,
      n: { [ga]: na, [gb]: n - na },
      within: { [ga]: est(wA, 0), [gb]: est(wB, 1) },
      between: est(bet, 2),
      gap: { [ga]: est(bet - wA, 3), [gb]: est(bet - wB, 4) },
      spread: est(wB - wA, 5),
      crossNearest: crossNearest(D, n, na),
    });
  }
  return out;
}

/** `[n, n]` distances between the points `idx` (see the module comment for the scaling). */
function pairwise(set: TrajectorySet, idx: readonly number[]): Float64Array {
  const n = idx.length, dim = set.dim, p = set.points;
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = idx[i]! * dim;
    for (let j = i + 1; j < n; j++) {
      const oj = idx[j]! * dim;
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const d = p[oi + k]! - p[oj + k]!;
        s += d * d;
      }
      D[i * n + j] = D[j * n + i] = Math.sqrt(s / set.nProbe);
    }
  }
  return D;
}

/** Mean of `D[i, j]` over pairs of distinct networks i != j in [lo, hi), each weighted by its bootstrap count. */
function meanWithin(D: Float64Array, n: number, w: Float64Array, lo: number, hi: number): number {
  let s = 0, c = 0;
  for (let i = lo; i < hi; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    for (let j = i + 1; j < hi; j++) {
      const ww = wi * w[j]!;
      s += ww * D[i * n + j]!;
      c += ww;
    }
  }
  return c > 0 ? s / c : NaN;
}

function meanBetween(D: Float64Array, n: number, w: Float64Array, na: number): number {
  let s = 0, c = 0;
  for (let i = 0; i < na; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    for (let j = na; j < n; j++) {
      const ww = wi * w[j]!;
      s += ww * D[i * n + j]!;
      c += ww;
    }
  }
  return s / c;
}

/** Counts of each of `k` networks in a resample of size k with replacement. */
function resampleCounts(k: number, rng: Rng): Float64Array {
  const w = new Float64Array(k);
  for (let i = 0; i < k; i++) w[rng.int(k)]! += 1;
  return w;
}

/** Fraction of the n networks whose nearest other network lies in the other group (first na are one group). */
function crossNearest(D: Float64Array, n: number, na: number): number {
  let cross = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity, arg = -1;
    for (let j = 0; j < n; j++) {
      if (j !== i && D[i * n + j]! < best) {
        best = D[i * n + j]!;
        arg = j;
      }
    }
    if (i < na !== arg < na) cross++;
  }
  return cross / n;
}
