/**
 * One-dimensional slices of the training criterion around a trained network (Erhan et al. 2010,
 * Section 6.3, Fig. 7; after Goodfellow-style linear probes): with theta the network's parameters
 * and v a unit direction, `C(alpha) = mean NLL on a data set at theta + alpha v` for alpha on a grid
 * (the paper: alpha in [-2.5, 2.5] step 0.1, v a normalized stochastic-gradient direction).
 *
 * The network is perturbed in place through `Mlp.getFlat` / `Mlp.setFlat` and always restored
 * bit-identically afterwards (also when evaluation throws).
 */
import { gatherBatch, type Dataset } from '../data/dataset.ts';
import type { Mlp } from '../models/mlp.ts';
import type { Rng } from '../rng/rng.ts';
import { evaluate } from '../train/evaluate.ts';
import { ShapeError } from '../tensor/shapes.ts';

/**
 * The grid `from, from + step, ..., to` (inclusive when `to` is on the grid), each point computed
 * as `from + i * step` and rounded to 12 significant digits, so `alphaGrid(-2.5, 2.5, 0.1)` has
 * 51 points and contains exactly 0.
 */
export function alphaGrid(from = -2.5, to = 2.5, step = 0.1): number[] {
  if (!(step > 0) || !(to >= from) || !Number.isFinite(from) || !Number.isFinite(to)) {
    throw new RangeError(`alphaGrid: need finite from <= to and step > 0, got from ${from}, to ${to}, step ${step}`);
  }
  const n = Math.floor((to - from) / step + 1e-9) + 1;
  return Array.from({ length: n }, (_, i) => Number((from + i * step).toPrecision(12)));
}

/** Scales `v` in place to unit Euclidean norm and returns it; throws on a zero vector. */
export function normalize(v: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const norm = Math.sqrt(s);
  if (!(norm > 0) || !Number.isFinite(norm)) {
    throw new RangeError(`normalize: the direction has norm ${norm}; a zero or non-finite direction cannot be normalized (use another batch or seed)`);
  }
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/**
 * A normalized stochastic-gradient direction (the paper's choice for Fig. 7): the gradient of
 * the mean NLL on the examples `indices` of `ds` at the current parameters, flattened like
 * `getFlat()` and scaled to unit norm. Parameters are not changed (only the `grad` buffers).
 * @param indices the minibatch, e.g. `rng.fork('landscape', d).permutation(ds.n).subarray(0, 100)`
 * @returns `[model.numParameters]` float64, unit norm
 */
export function gradientDirection(model: Mlp, ds: Dataset, indices: ArrayLike<number>): Float64Array {
  if (indices.length === 0) throw new RangeError('gradientDirection: the minibatch is empty; give at least one example index');
  const x = model.backend.zeros(indices.length, ds.dim); // [batch, nIn]
  const y = new Int32Array(indices.length);
  try {
    gatherBatch(ds, indices, x, y);
    model.gradients(x, y);
    return normalize(model.getFlatGradient());
  } finally {
    x.dispose();
  }
}

/** A uniformly random unit direction (isotropic Gaussian, normalized), from `rng`. */
export function randomDirection(n: number, rng: Rng): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  return normalize(v);
}

/** Options of `criterionAlong`. */
export interface CriterionAlongOptions {
  model: Mlp;
  /** Where the criterion is measured (the training set, or a fixed subset of it). */
  data: Dataset;
  /** `[model.numParameters]`, laid out like `getFlat()`; normalize it first for the paper's plot. */
  direction: ArrayLike<number>;
  /** Step sizes; default `alphaGrid(-2.5, 2.5, 0.1)`. */
  alphas?: readonly number[];
  /** Examples per evaluation batch (default 500). */
  batchSize?: number;
}

/** One slice: `alphas[i]` and the mean NLL and classification error at `theta + alphas[i] v`. */
export interface CriterionSlice {
  alphas: number[];
  nll: Float64Array;
  error: Float64Array;
}

/**
 * The training criterion (mean NLL, plus classification error) along `theta + alpha v`
 * (Section 6.3, Fig. 7). Restores theta exactly before returning, even on error.
 */
export function criterionAlong(opts: CriterionAlongOptions): CriterionSlice {
  const { model, data, direction } = opts;
  const alphas = [...(opts.alphas ?? alphaGrid())];
  const theta = model.getFlat();
  if (direction.length !== theta.length) {
    throw new ShapeError(`criterionAlong: the direction has ${direction.length} values but the model has ${theta.length} parameters (lay it out like getFlat())`);
  }
  const point = new Float64Array(theta.length);
  const nll = new Float64Array(alphas.length), error = new Float64Array(alphas.length);
  try {
    alphas.forEach((a, k) => {
      for (let i = 0; i < theta.length; i++) point[i] = theta[i]! + a * direction[i]!;
      model.setFlat(point);
      const s = evaluate(model, data, opts.batchSize ?? 500);
      nll[k] = s.nll;
      error[k] = s.error;
    });
  } finally {
    model.setFlat(theta);
  }
  return { alphas, nll, error };
}
