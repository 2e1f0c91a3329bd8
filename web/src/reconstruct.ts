/**
 * Mean-field reconstructions of a few inputs by the first layer being pre-trained, for display
 * (plain JavaScript on copies: a few thousand multiply-adds per pixel, far below one minibatch):
 * h = sigmoid(x W + hiddenBias), then x^ = decoder(h W^T + visibleBias) (DAE: W^T or the
 * untied V when it has one, with the sigmoid decoder the page trains; RBM: E[v | h], sigmoid for
 * Bernoulli visibles, linear for Gaussian).
 */
import type { LearnerModel } from '../../src/train/layer-learner.ts';

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** `[count, nIn]` reconstructions of `inputs` (`[count, nIn]`). */
export function reconstruct(model: LearnerModel, inputs: Float32Array, nIn: number): Float32Array {
  const p = model.params;
  const W = p.W.data, hb = p.hiddenBias.data, vb = p.visibleBias.data, nH = p.W.cols;
  const V = model.kind === 'dae' && model.params.V ? model.params.V.data : null; // [nH, nIn]
  const linear = model.kind === 'rbm' ? model.params.visible === 'gaussian' : false;
  const count = inputs.length / nIn;
  const out = new Float32Array(inputs.length);
  const h = new Float64Array(nH);
  for (let r = 0; r < count; r++) {
    const x = inputs.subarray(r * nIn, (r + 1) * nIn);
    h.fill(0);
    for (let i = 0; i < nIn; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      for (let j = 0; j < nH; j++) h[j]! += xi * W[i * nH + j]!;
    }
    for (let j = 0; j < nH; j++) h[j] = sigmoid(h[j]! + hb[j]!);
    for (let i = 0; i < nIn; i++) {
      let z = vb[i]!;
      if (V) for (let j = 0; j < nH; j++) z += h[j]! * V[j * nIn + i]!;
      else for (let j = 0; j < nH; j++) z += h[j]! * W[i * nH + j]!;
      out[r * nIn + i] = linear ? z : sigmoid(z);
    }
  }
  return out;
}
