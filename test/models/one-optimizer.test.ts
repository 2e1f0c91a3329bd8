import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import type { Matrix } from '../../src/tensor/matrix.ts';
import { gradientsOnly, type FusedUpdater } from '../../src/nn/fused-update.ts';
import type { Param } from '../../src/nn/layer.ts';
import { Sgd, type SgdConfig } from '../../src/nn/sgd.ts';
import { cdGradients, createRbm, createRbmState } from '../../src/models/rbm.ts';
import { createDae, createDaeWork, daeGradients } from '../../src/models/dae.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';
import { pretrainOptimizer } from '../../src/train/layer-learner.ts';

const be = createReferenceBackend('float64');
const nV = 6, nH = 4, B = 3;

/** A model as an optimiser sees it: a param list and "compute the gradient of batch t into `out`". */
interface Subject {
  params: readonly Param[];
  /** Writes batch t's gradient into `out` (an Sgd fuses its update; gradientsOnly fills `grad`). */
  gradients(t: number, out: FusedUpdater): void;
  /** The fused step of the MLP (trainStep); the RBM and DAE fuse through `gradients`. */
  fusedStep?(t: number, opt: Sgd): void;
}

const batch = (t: number): Matrix => be.fromArray(B, nV, new Rng(100 + t).fillUniform(new Float64Array(B * nV)));

const MODELS: Record<string, () => Subject> = {
  rbm: () => {
    const p = createRbm(be, nV, nH, new Rng(1).fork('init'));
    const st = createRbmState(be, p, B), rng = new Rng(2);
    return { params: p.params, gradients: (t, out) => void cdGradients(be, p, st, batch(t), rng, { k: 1, persistent: t > 0 }, out) };
  },
  'tied dae': () => {
    const p = createDae(be, nV, nH, true, new Rng(1).fork('init'));
    const work = createDaeWork(be, p, B);
    return { params: p.params, gradients: (t, out) => void daeGradients(be, p, batch(t), batch(t + 10), work, { loss: 'cross-entropy' }, out) };
  },
  'untied dae': () => {
    const p = createDae(be, nV, nH, false, new Rng(1).fork('init'));
    const work = createDaeWork(be, p, B);
    return { params: p.params, gradients: (t, out) => void daeGradients(be, p, batch(t), batch(t + 10), work, { loss: 'squared' }, out) };
  },
  mlp: () => {
    const m = Mlp.create(be, { nIn: nV, hidden: [nH], nClasses: 3, activation: 'sigmoid', init: 'glorot' }, new Rng(1).fork('init'));
    const y = (t: number) => Int32Array.from([t % 3, 1, 2]);
    return {
      params: m.parameters(),
      gradients: (t) => void m.gradients(batch(t), y(t)), // writes every grad (no fused form outside trainStep)
      fusedStep: (t, opt) => void m.trainStep(batch(t), y(t), opt),
    };
  },
};

const CONFIGS: [string, SgdConfig][] = [
  ['plain', { lr: 0.3, momentum: 0, lrDecay: 0, l1: 0, l2: 0 }],
  ['l2', { lr: 0.3, momentum: 0, lrDecay: 0, l1: 0, l2: 0.05 }],
  ['l1 and l2', { lr: 0.3, momentum: 0, lrDecay: 0, l1: 0.02, l2: 0.05 }],
  ['momentum and l2', { lr: 0.3, momentum: 0.9, lrDecay: 0, l1: 0, l2: 0.05 }],
  ['momentum, l1 and l2, lr decay', { lr: 0.3, momentum: 0.5, lrDecay: 0.5, l1: 0.02, l2: 0.05 }],
];

/** Three updates of a fresh model: fused through Sgd (momentum into the velocity or not), or gradients then step(). */
function train(model: string, cfg: SgdConfig, how: 'fused' | 'fused, sgdUpdate momentum' | 'gradients then step()'): Float64Array[] {
  const s = MODELS[model]!();
  const opt = new Sgd(be, s.params, cfg, { fuseMomentum: how === 'fused' });
  for (let t = 0; t < 3; t++) {
    opt.setEpoch(t);
    if (how === 'gradients then step()') {
      s.gradients(t, gradientsOnly(s.params));
      opt.step();
    } else if (s.fusedStep) s.fusedStep(t, opt);
    else s.gradients(t, opt);
  }
  return s.params.map((p) => Float64Array.from(p.value.data));
}

for (const model of Object.keys(MODELS)) {
  test(`the ${model} updates through the one optimiser: fused and buffered Sgd agree for every setting (momentum, l1, l2, lr schedule)`, () => {
    const start = MODELS[model]!().params.map((p) => Float64Array.from(p.value.data));
    for (const [what, cfg] of CONFIGS) {
      const ref = train(model, cfg, 'gradients then step()');
      assert.ok(ref.some((v, i) => v.some((x, j) => x !== start[i]![j])), `${model} ${what}: training moved the parameters`);
      for (const how of ['fused', 'fused, sgdUpdate momentum'] as const) {
        const got = train(model, cfg, how);
        got.forEach((v, i) => v.forEach((x, j) => assert.ok(Math.abs(x - ref[i]![j]!) < 1e-12, `${model} ${what} ${how}: param ${i}[${j}] ${x} vs ${ref[i]![j]}`)));
      }
    }
  });
}

test('pretrain.l2 = x adds 2 x W to the gradient of the RBM and of the DAE (the finetune convention); biases are not penalized', () => {
  const x = 0.04;
  for (const model of ['rbm', 'untied dae']) {
    const withL2 = resolveTrialConfig({ pretrain: { kind: model === 'rbm' ? 'dbn' : 'sdae', lr: 0.3, l2: x } }).pretrain;
    const run = (cfg: typeof withL2) => {
      const s = MODELS[model]!();
      const w0 = s.params.map((p) => Float64Array.from(p.value.data));
      s.gradients(0, pretrainOptimizer(be, s.params, cfg));
      return { w0, w1: s.params.map((p) => Float64Array.from(p.value.data)), params: s.params };
    };
    const a = run(withL2), b = run({ ...withL2, l2: 0 });
    a.params.forEach((p, i) => {
      a.w1[i]!.forEach((w, j) => {
        // W_l2 - W_0 = -lr (g + 2 x W) - (-lr g) = -lr 2 x W
        const want = b.w1[i]![j]! - (p.penalized ? 0.3 * 2 * x * a.w0[i]![j]! : 0);
        assert.ok(Math.abs(w - want) < 1e-14, `${model} ${p.name}[${j}]: ${w} vs ${want}`);
      });
    });
    assert.deepEqual(a.params.filter((p) => p.penalized).map((p) => p.name), model === 'rbm' ? ['W'] : ['W', 'V']);
  }
});
