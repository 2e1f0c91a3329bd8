/**
 * One pre-training update of a 784-1000 layer, as `pretrain` runs it per minibatch (the paper's
 * setting: plain SGD, no momentum, no penalty, so the optimiser folds the update into the
 * gradient kernels): a tied denoising auto-encoder step (`daeGradients` into `Sgd`,
 * cross-entropy, masking noise drawn beforehand and fixed) or an RBM CD-1 step (`cdGradients`
 * into `Sgd`, uniforms drawn from the Rng per step).
 */
import type { Backend } from '../src/tensor/kernels.ts';
import { Rng } from '../src/rng/index.ts';
import { Sgd } from '../src/nn/sgd.ts';
import { createDae, createDaeWork, daeGradients, disposeDae } from '../src/models/dae.ts';
import { cdGradients, createRbm, createRbmState, disposeRbm, disposeRbmState } from '../src/models/rbm.ts';
import type { MlpStep } from './mlp-step.ts';

export type PretrainKind = 'dae' | 'rbm';

/** A `[nVisible, nHidden]` layer's update on minibatches of `batch` rows in [0, 1). */
export function createPretrainStep(be: Backend, kind: PretrainKind, nVisible: number, nHidden: number, batch: number, lr = 0.01, seed = 1): MlpStep {
  const rng = new Rng(seed);
  const data = rng.fork('data');
  const x = be.fromArray(batch, nVisible, data.fillUniform(new Float32Array(batch * nVisible))); // [batch, nVisible]
  const sgd = { lr, momentum: 0, lrDecay: 0, l1: 0, l2: 0 };
  if (kind === 'dae') {
    const xt = be.fromArray(batch, nVisible, x.data.map((v, i) => (i % 4 === 0 ? 0 : v))); // 25% masked
    const p = createDae(be, nVisible, nHidden, true, rng.fork('init'));
    const work = createDaeWork(be, p, batch);
    const opt = new Sgd(be, p.params, sgd, { fuseMomentum: false });
    return {
      step: () => daeGradients(be, p, xt, x, work, { loss: 'cross-entropy' }, opt),
      dispose() {
        for (const m of [x, xt, ...Object.values(work)]) m.dispose();
        disposeDae(p);
        opt.dispose();
      },
    };
  }
  const p = createRbm(be, nVisible, nHidden, rng.fork('init'));
  const state = createRbmState(be, p, batch);
  const opt = new Sgd(be, p.params, sgd, { fuseMomentum: false });
  const sampling = rng.fork('sampling');
  const chain = { k: 1, persistent: false };
  return {
    step: () => cdGradients(be, p, state, x, sampling, chain, opt) / batch,
    dispose() {
      x.dispose();
      disposeRbm(p);
      disposeRbmState(state);
      opt.dispose();
    },
  };
}
