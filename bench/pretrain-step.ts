/**
 * One pre-training update of a 784-1000 layer, as `pretrain` runs it per minibatch (the paper's
 * setting: plain SGD, no momentum, no weight decay, so the update is folded into the gradient
 * kernels): a tied denoising auto-encoder step (`daeStep`, cross-entropy, masking noise drawn
 * beforehand and fixed) or an RBM CD-1 step (`cdStep`, uniforms drawn from the Rng per step).
 */
import type { Backend } from '../src/tensor/kernels.ts';
import { Rng } from '../src/rng/index.ts';
import { createDae, createDaeState, daeStep } from '../src/models/dae.ts';
import { cdStep, createRbm, createRbmState } from '../src/models/rbm.ts';
import type { MlpStep } from './mlp-step.ts';

export type PretrainKind = 'dae' | 'rbm';

/** A `[nVisible, nHidden]` layer's update on minibatches of `batch` rows in [0, 1). */
export function createPretrainStep(be: Backend, kind: PretrainKind, nVisible: number, nHidden: number, batch: number, lr = 0.01, seed = 1): MlpStep {
  const rng = new Rng(seed);
  const data = rng.fork('data');
  const x = be.fromArray(batch, nVisible, data.fillUniform(new Float32Array(batch * nVisible))); // [batch, nVisible]
  if (kind === 'dae') {
    const xt = be.fromArray(batch, nVisible, x.data.map((v, i) => (i % 4 === 0 ? 0 : v))); // 25% masked
    const p = createDae(be, nVisible, nHidden, true, rng.fork('init'));
    const state = createDaeState(be, p, batch, 0);
    const hp = { lr, momentum: 0, weightDecay: 0 };
    return {
      step: () => daeStep(be, p, state, xt, x, { loss: 'cross-entropy' }, hp),
      dispose() {
        for (const m of [x, xt, p.W, p.b, p.c, ...Object.values(state.work), state.grads.W, state.grads.b, state.grads.c]) m.dispose();
      },
    };
  }
  const p = createRbm(be, nVisible, nHidden, rng.fork('init'));
  const state = createRbmState(be, p, batch, 0);
  const sampling = rng.fork('sampling');
  const opts = { k: 1, lr, momentum: 0, weightDecay: 0, persistent: false };
  return {
    step: () => cdStep(be, p, state, x, sampling, opts) / batch,
    dispose() {
      const { velocity: _v, batch: _b, updates: _u, ...work } = state;
      for (const m of [x, p.W, p.b, p.c, ...Object.values(work)]) m.dispose();
    },
  };
}
