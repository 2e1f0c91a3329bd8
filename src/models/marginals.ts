/**
 * Initialisation from marginals: Erhan et al. 2010, Section 7.1 and Table 1 ("Histogram").
 *
 * "We performed unsupervised pre-training, and computed marginal histograms for each layer's
 * pre-trained weights and biases (one histogram per each layer's weights and biases). We then
 * resampled new 'initial' random weights and biases according to these histograms
 * (independently for each parameter)." The result has the marginal statistics of the
 * pre-trained parameters but not their joint distribution.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { FloatArray } from '../tensor/matrix.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import type { Rng } from '../rng/rng.ts';

/** Bin count used when none is given (the paper does not say; 100 equal-width bins). */
export const DEFAULT_MARGINAL_BINS = 100;

/** An equal-width histogram over `[lo, hi]` with cumulative counts for sampling. */
export interface Histogram {
  lo: number;
  hi: number;
  /** `counts[k]` values fell in bin k (the last bin is closed on the right). */
  counts: Int32Array;
  /** `cumulative[k] = counts[0] + ... + counts[k]`. */
  cumulative: Int32Array;
}

/** Builds the equal-width histogram of `values` with `bins` bins over `[min, max]`. */
export function histogram(values: ArrayLike<number>, bins: number): Histogram {
  if (!(Number.isInteger(bins) && bins >= 1)) {
    throw new RangeError(`histogram: bins must be an integer >= 1, got ${bins}`);
  }
  if (values.length === 0) throw new RangeError('histogram: no values; a layer must have at least one parameter');
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      throw new RangeError(`histogram: value ${v} at index ${i} is not finite; the parameters to resample must be finite`);
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const counts = new Int32Array(bins);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) counts[binOf(values[i]!, lo, width, bins)]!++;
  const cumulative = new Int32Array(bins);
  let c = 0;
  for (let k = 0; k < bins; k++) cumulative[k] = c += counts[k]!;
  return { lo, hi, counts, cumulative };
}

/** Index of the bin holding `v` (values at `hi` go in the last bin). */
export function binOf(v: number, lo: number, width: number, bins: number): number {
  if (width === 0) return 0;
  return Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)));
}

/**
 * Fills `out` with independent draws from `h`: a bin with probability proportional to its
 * count (two uniforms' worth of bits, binary search on the cumulative counts), then a value
 * uniform within that bin.
 */
export function sampleHistogram(h: Histogram, rng: Rng, out: FloatArray): void {
  const bins = h.counts.length;
  const total = h.cumulative[bins - 1]!;
  const width = (h.hi - h.lo) / bins;
  for (let i = 0; i < out.length; i++) {
    const r = Math.floor(rng.uniform53() * total); // in [0, total)
    let a = 0, b = bins - 1; // first k with cumulative[k] > r
    while (a < b) {
      const m = (a + b) >> 1;
      if (h.cumulative[m]! > r) b = m;
      else a = m + 1;
    }
    out[i] = h.lo + (a + rng.uniform()) * width;
  }
}

/**
 * Table 1's "histogram" initialisation: for each layer, one histogram of its weights and one of
 * its biases, and every parameter drawn independently from its layer's histogram (bin chosen by
 * count, value uniform within the bin).
 *
 * Random streams: layer `l` draws its weights from `rng.fork(l, 'W')` and biases from
 * `rng.fork(l, 'b')`, so the result is a function of the seed alone. Inputs are not changed.
 *
 * @param layers pre-trained parameters, W `[nIn, nOut]`, b `[1, nOut]`
 * @param bins equal-width bins per histogram (default {@link DEFAULT_MARGINAL_BINS})
 * @returns new parameters of the same shapes, owned by `backend`
 */
export function resampleFromMarginals(
  backend: Backend,
  layers: DenseParams[],
  rng: Rng,
  bins: number = DEFAULT_MARGINAL_BINS,
): DenseParams[] {
  return layers.map((p, l) => ({
    W: resampleMatrix(backend, p.W.data, p.W.rows, p.W.cols, bins, rng.fork(l, 'W')),
    b: resampleMatrix(backend, p.b.data, p.b.rows, p.b.cols, bins, rng.fork(l, 'b')),
  }));
}

function resampleMatrix(backend: Backend, values: FloatArray, rows: number, cols: number, bins: number, rng: Rng) {
  const h = histogram(values, bins);
  const out = backend.zeros(rows, cols);
  const buf = new Float64Array(rows * cols);
  sampleHistogram(h, rng, buf);
  out.data.set(buf);
  return out;
}
