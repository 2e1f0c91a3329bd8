/**
 * What the first layer being pre-trained makes of a few inputs, for display (plain JavaScript on
 * the live parameters: a few thousand multiply-adds per pixel, far below one minibatch):
 * - mean-field reconstructions: h = sigmoid(x W + hiddenBias), then x^ = decoder(h W^T + visibleBias)
 *   (DAE: W^T or the untied V when it has one, with the sigmoid decoder the page trains; RBM:
 *   E[v | h], sigmoid for Bernoulli visibles, linear for Gaussian);
 * - RBM samples: `steps` alternations of h ~ P(h | v) (Bernoulli draws) and v = E[v | h], started
 *   at the input, the chain CD-k runs. The draws come from their own `display` stream, never from
 *   the training streams, so watching changes no training number.
 */
import type { LearnerModel } from '../../src/train/layer-learner.ts';
import { Rng } from '../../src/rng/rng.ts';

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** `P(h = 1 | x)` `[nH]` for one input row (the encoder of a DAE, the hidden conditional of an RBM). */
function hidden(model: LearnerModel, x: Float32Array, out: Float64Array): void {
  const W = model.params.W.data, hb = model.params.hiddenBias.data, nH = model.params.W.cols;
  out.fill(0);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    for (let j = 0; j < nH; j++) out[j]! += xi * W[i * nH + j]!;
  }
  for (let j = 0; j < nH; j++) out[j] = sigmoid(out[j]! + hb[j]!);
}

/** The decoder / `E[v | h]` of one hidden row into `out` `[nIn]`. */
function visible(model: LearnerModel, h: Float64Array, out: Float32Array): void {
  const W = model.params.W.data, vb = model.params.visibleBias.data, nH = model.params.W.cols;
  const V = model.kind === 'dae' && model.params.V ? model.params.V.data : null; // [nH, nIn]
  const linear = model.kind === 'rbm' && model.params.visible === 'gaussian';
  const nIn = out.length;
  for (let i = 0; i < nIn; i++) {
    let z = vb[i]!;
    if (V) for (let j = 0; j < nH; j++) z += h[j]! * V[j * nIn + i]!;
    else for (let j = 0; j < nH; j++) z += h[j]! * W[i * nH + j]!;
    out[i] = linear ? z : sigmoid(z);
  }
}

/** `[count, nIn]` mean-field reconstructions of `inputs` (`[count, nIn]`). */
export function reconstruct(model: LearnerModel, inputs: Float32Array, nIn: number): Float32Array {
  const out = new Float32Array(inputs.length);
  const h = new Float64Array(model.params.W.cols);
  for (let r = 0; r < inputs.length / nIn; r++) {
    hidden(model, inputs.subarray(r * nIn, (r + 1) * nIn), h);
    visible(model, h, out.subarray(r * nIn, (r + 1) * nIn));
  }
  return out;
}

/** `[count, nIn]` visible means after `steps` Gibbs alternations from each input (RBM; see the module comment). */
export function gibbsSamples(model: LearnerModel, inputs: Float32Array, nIn: number, steps: number, seed: number): Float32Array {
  const out = inputs.slice();
  const h = new Float64Array(model.params.W.cols);
  const rng = new Rng(seed).fork('display');
  for (let r = 0; r < inputs.length / nIn; r++) {
    const v = out.subarray(r * nIn, (r + 1) * nIn);
    for (let s = 0; s < steps; s++) {
      hidden(model, v, h);
      for (let j = 0; j < h.length; j++) h[j] = rng.uniform() < h[j]! ? 1 : 0;
      visible(model, h, v);
    }
  }
  return out;
}
