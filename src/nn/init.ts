import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import type { Rng } from '../rng/rng.ts';
import type { DenseParams } from './dense-params.ts';

/**
 * Random weight initialisation schemes (pass the `init` stream, `new Rng(seed).fork('init')`).
 * - `uniform-fanin`: uniform[-1/sqrt(k), 1/sqrt(k)], k = fan-in (Erhan et al. 2010, Section 5.3).
 * - `glorot`: uniform[-sqrt(6/(nIn+nOut)), +] (Glorot and Bengio 2010).
 * - `he`: normal(0, sqrt(2/nIn)) (He et al. 2015), for ReLU.
 * - `zeros`: all zero (the Deep Learning Tutorials' logistic regression layer).
 */
export type InitScheme = 'uniform-fanin' | 'glorot' | 'he' | 'zeros';

export const INIT_SCHEMES: readonly InitScheme[] = ['uniform-fanin', 'glorot', 'he', 'zeros'];

/** A new `[nIn, nOut]` weight matrix drawn by `scheme` from `rng`. */
export function initWeights(backend: Backend, scheme: InitScheme, nIn: number, nOut: number, rng: Rng): Matrix {
  if (!(Number.isInteger(nIn) && nIn >= 1 && Number.isInteger(nOut) && nOut >= 1)) {
    throw new RangeError(`initWeights: layer sizes must be integers >= 1, got nIn=${nIn}, nOut=${nOut}`);
  }
  const W = backend.zeros(nIn, nOut);
  const data = W.data;
  switch (scheme) {
    case 'uniform-fanin': {
      const r = 1 / Math.sqrt(nIn);
      rng.fillUniform(data, -r, r);
      break;
    }
    case 'glorot': {
      const r = Math.sqrt(6 / (nIn + nOut));
      rng.fillUniform(data, -r, r);
      break;
    }
    case 'he':
      rng.fillNormal(data, 0, Math.sqrt(2 / nIn));
      break;
    case 'zeros':
      break;
    default:
      throw new RangeError(`initWeights: unknown scheme '${scheme as string}'; choose one of ${INIT_SCHEMES.join(', ')}`);
  }
  return W;
}

/** A dense layer's parameters: weights by `scheme`, biases zero (`W`: `[nIn, nOut]`, `b`: `[1, nOut]`). */
export function initDense(backend: Backend, scheme: InitScheme, nIn: number, nOut: number, rng: Rng): DenseParams {
  return { W: initWeights(backend, scheme, nIn, nOut, rng), b: backend.zeros(1, nOut) };
}
