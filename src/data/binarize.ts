import { Rng } from '../rng/rng.ts';
import { makeDataset, type Dataset } from './dataset.ts';

/** How pixels in [0, 1] are turned into {0, 1}: not at all, at a threshold of 0.5, or by sampling. */
export type BinarizeMode = 'none' | 'threshold' | 'stochastic';

/**
 * Binarises a data set's features into a new Dataset (the input is not mutated).
 *
 * - `threshold`: `x >= 0.5 ? 1 : 0`.
 * - `stochastic`: `x > u ? 1 : 0` with `u ~ U[0, 1)` drawn from `rng`, i.e. each pixel is a
 *   Bernoulli sample of mean `x` (the binarisation used to train binary RBMs on MNIST). One sample,
 *   fixed for the run, deterministic from `rng`.
 * - `none`: returns `ds` itself.
 *
 * @param rng required for `stochastic`; use a named stream, e.g. `new Rng(seed).fork('data', 'binarize', 'train')`
 */
export function binarizeDataset(ds: Dataset, mode: BinarizeMode, rng?: Rng): Dataset {
  if (mode === 'none') return ds;
  const x = new Float32Array(ds.x.length);
  const src = ds.x;
  if (mode === 'threshold') {
    for (let i = 0; i < x.length; i++) x[i] = src[i]! >= 0.5 ? 1 : 0;
  } else {
    if (!rng) throw new Error(`binarizeDataset(${ds.name}, 'stochastic') needs an rng; pass new Rng(seed).fork('data', 'binarize')`);
    for (let i = 0; i < x.length; i++) x[i] = src[i]! > rng.uniform() ? 1 : 0;
  }
  return makeDataset(ds.name, x, ds.y, ds.dim, ds.nClasses, ds.image);
}
