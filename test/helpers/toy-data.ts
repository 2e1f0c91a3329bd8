import { makeDataset, type DataSplits, type Dataset } from '../../src/data/dataset.ts';
import { Rng } from '../../src/rng/rng.ts';

/**
 * Gaussian blobs in [0, 1]^dim: `nClasses` random centres, examples centre + noise, a fraction of
 * labels flipped so that validation error fluctuates (a test bed for early stopping).
 */
export function toySplits(seed: number, sizes = { train: 200, valid: 100, test: 100 }, dim = 8, nClasses = 3, flip = 0.1): DataSplits {
  const rng = new Rng(seed).fork('toy');
  const centres = rng.fork('centres').fillUniform(new Float32Array(nClasses * dim));
  const make = (name: string, n: number): Dataset => {
    const r = rng.fork(name);
    const x = new Float32Array(n * dim), y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = r.int(nClasses);
      for (let j = 0; j < dim; j++) x[i * dim + j] = Math.min(1, Math.max(0, centres[c * dim + j]! + 0.25 * r.normal()));
      y[i] = r.uniform() < flip ? r.int(nClasses) : c;
    }
    return makeDataset(`toy/${name}`, x, y, dim, nClasses);
  };
  return { train: make('train', sizes.train), valid: make('valid', sizes.valid), test: make('test', sizes.test) };
}
