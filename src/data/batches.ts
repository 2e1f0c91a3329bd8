/**
 * Which examples come when: shuffled epoch orders, minibatches of indices, class-stratified subsets
 * (data-size experiments) and the block-resampled order of Experiment 7 (Erhan et al. 2010,
 * Section 8.2, Fig. 13). Everything here works on indices; the data are never copied per epoch
 * (`gatherBatch` in `dataset.ts` copies one batch at a time).
 */
import type { Rng } from '../rng/rng.ts';
import { makeDataset, type Dataset } from './dataset.ts';

/**
 * The order of the `n` examples in epoch `epoch`: a uniform permutation drawn from the child
 * stream `rng.fork('epoch', epoch)`. A pure function of `(rng.seed, rng.path, n, epoch)`, so
 * epoch 7 of a resumed run is the same as epoch 7 of an uninterrupted one, and `rng` is not consumed.
 * @param rng the run's order stream, e.g. `new Rng(seed).fork('order')`
 * @returns `[n]` indices in 0..n-1
 */
export function epochOrder(n: number, rng: Rng, epoch: number): Int32Array {
  if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`epochOrder: epoch must be an integer >= 0, got ${epoch}`);
  return rng.fork('epoch', epoch).permutation(n);
}

/** Number of minibatches of `batchSize` in `n` examples (the last one partial unless `dropLast`). */
export function batchCount(n: number, batchSize: number, dropLast = false): number {
  checkBatchSize(batchSize);
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * Iterates the minibatches of an order: consecutive slices of `batchSize` indices, as views of
 * `order` (no copy). The last batch is shorter unless `dropLast`.
 */
export function* minibatches(order: Int32Array, batchSize: number, opts: { dropLast?: boolean } = {}): Generator<Int32Array> {
  const nb = batchCount(order.length, batchSize, opts.dropLast ?? false);
  for (let b = 0; b < nb; b++) yield order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
}

/**
 * Indices of a subset of `size` examples stratified by class: each class gets a share proportional
 * to its frequency (largest-remainder rounding), the members of each class drawn uniformly without
 * replacement from `rng.fork('class', k)`. Deterministic from `rng`; returned in ascending order.
 * @param labels `[n]` labels in [0, nClasses)
 * @param rng e.g. `new Rng(seed).fork('data', 'subset', 'train')`
 */
export function stratifiedIndices(labels: Int32Array, nClasses: number, size: number, rng: Rng): Int32Array {
  const n = labels.length;
  if (!Number.isInteger(size) || size < 1 || size > n) {
    throw new RangeError(`stratifiedIndices: size must be an integer in [1, ${n}], got ${size}`);
  }
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (!(c >= 0 && c < nClasses)) throw new RangeError(`stratifiedIndices: label ${c} at ${i} is outside [0, ${nClasses})`);
    byClass[c]!.push(i);
  }
  const quota = byClass.map((m) => Math.floor((size * m.length) / n));
  let left = size - quota.reduce((a, b) => a + b, 0);
  const rema = byClass
    .map((m, k) => ({ k, r: (size * m.length) / n - quota[k]! }))
    .sort((a, b) => b.r - a.r || a.k - b.k);
  for (let j = 0; left > 0; j = (j + 1) % nClasses) {
    const k = rema[j]!.k;
    if (quota[k]! < byClass[k]!.length) {
      quota[k]!++;
      left--;
    }
  }
  const out: number[] = [];
  byClass.forEach((members, k) => {
    const m = Int32Array.from(members);
    rng.fork('class', k).shuffle(m);
    for (let j = 0; j < quota[k]!; j++) out.push(m[j]!);
  });
  return Int32Array.from(out).sort();
}

/** A stratified subset of `size` examples (see `stratifiedIndices`), copied into a new Dataset. */
export function subsetBySize(ds: Dataset, size: number, rng: Rng): Dataset {
  if (size >= ds.n) return ds;
  return selectExamples(ds, stratifiedIndices(ds.y, ds.nClasses, size, rng), `${ds.name}[${size}]`);
}

/** A stratified subset of `round(fraction * n)` examples (at least one), e.g. 1/100 of MNIST. */
export function subsetByFraction(ds: Dataset, fraction: number, rng: Rng): Dataset {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`subsetByFraction: fraction must be in (0, 1], got ${fraction}`);
  return subsetBySize(ds, Math.max(1, Math.round(fraction * ds.n)), rng);
}

/** The first `count` examples, as views of `ds` (no copy). */
export function headExamples(ds: Dataset, count: number): Dataset {
  if (count >= ds.n) return ds;
  return makeDataset(`${ds.name}[:${count}]`, ds.x.subarray(0, count * ds.dim), ds.y.subarray(0, count), ds.dim, ds.nClasses, ds.image);
}

/** Copies the examples `indices` of `ds` into a new Dataset (done once, e.g. for a subset). */
export function selectExamples(ds: Dataset, indices: ArrayLike<number>, name = `${ds.name}[subset]`): Dataset {
  const d = ds.dim, m = indices.length;
  const x = new Float32Array(m * d), y = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const i = indices[r]!;
    if (!(i >= 0 && i < ds.n)) throw new RangeError(`selectExamples: index ${i} outside [0, ${ds.n}) of ${ds.name}`);
    x.set(ds.x.subarray(i * d, (i + 1) * d), r * d);
    y[r] = ds.y[i]!;
  }
  return makeDataset(name, x, y, d, ds.nClasses, ds.image);
}

/** Options of `blockResampledOrder`. */
export interface BlockResampleOptions {
  /** Length of the training sequence (10 million in the paper). */
  length: number;
  /** Number of equal blocks it is cut into (10 in the paper); `length` must be a multiple. */
  blocks: number;
  /** The block whose examples are resampled (0-based), or -1 for none (the baseline sequence). */
  varyBlock: number;
  /** Which draw of the varied block (0 is the baseline draw; 1, 2, ... are fresh ones). */
  draw: number;
  /**
   * Size of a finite pool to sample from with replacement (indices in [0, poolSize)), or
   * undefined for an unbounded stream such as InfiniteMNIST, whose examples are never reused.
   */
  poolSize?: number;
  /** Offset added to stream indices (e.g. 10,000 to skip InfiniteMNIST's test examples). Stream only. */
  offset?: number;
  /** The order stream, e.g. `new Rng(seed).fork('order')`. Used for finite pools. */
  rng: Rng;
}

/**
 * A training sequence that resamples one block and keeps all the others (Experiment 7,
 * Section 8.2, Fig. 13): with `length` examples in `blocks` blocks, block `b` is the same for every
 * `(varyBlock, draw)` unless `b === varyBlock && draw > 0`, in which case it is a fresh draw.
 *
 * - Unbounded stream (`poolSize` undefined): block b, baseline, holds stream indices
 *   `offset + [b L, (b+1) L)` (L = length / blocks); draw d >= 1 of block b holds the disjoint range
 *   `offset + length + ((d-1) blocks + b) L + [0, L)`, so each draw is a different set of examples.
 * - Finite pool: block b, draw d holds L indices drawn uniformly with replacement from
 *   `[0, poolSize)` by the stream `rng.fork('block', b, 'draw', d)`.
 *
 * @returns `[length]` example indices in presentation order
 */
export function blockResampledOrder(o: BlockResampleOptions): Int32Array {
  const { length, blocks, varyBlock, draw } = o;
  if (!Number.isInteger(blocks) || blocks < 1 || length % blocks !== 0) {
    throw new RangeError(`blockResampledOrder: length ${length} must be a multiple of blocks ${blocks}`);
  }
  if (!Number.isInteger(varyBlock) || varyBlock < -1 || varyBlock >= blocks) {
    throw new RangeError(`blockResampledOrder: varyBlock must be -1 or in [0, ${blocks}), got ${varyBlock}`);
  }
  if (!Number.isInteger(draw) || draw < 0) throw new RangeError(`blockResampledOrder: draw must be an integer >= 0, got ${draw}`);
  const L = length / blocks;
  const offset = o.offset ?? 0;
  const out = new Int32Array(length);
  const maxIndex = offset + length + ((Math.max(draw, 1) - 1) * blocks + blocks) * L;
  if (o.poolSize === undefined && maxIndex > 2 ** 31 - 1) {
    throw new RangeError(`blockResampledOrder: stream indices up to ${maxIndex} do not fit in int32; use fewer draws or a shorter sequence`);
  }
  for (let b = 0; b < blocks; b++) {
    const d = b === varyBlock ? draw : 0;
    const seg = out.subarray(b * L, (b + 1) * L);
    if (o.poolSize === undefined) {
      const start = d === 0 ? offset + b * L : offset + length + ((d - 1) * blocks + b) * L;
      for (let t = 0; t < L; t++) seg[t] = start + t;
    } else {
      const r = o.rng.fork('block', b, 'draw', d);
      for (let t = 0; t < L; t++) seg[t] = r.int(o.poolSize);
    }
  }
  return out;
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be an integer >= 1, got ${batchSize}`);
}
