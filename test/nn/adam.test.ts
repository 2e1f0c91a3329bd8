import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import type { Backend } from '../../src/tensor/kernels.ts';
import type { Param } from '../../src/nn/layer.ts';
import { Adam, type AdamConfig } from '../../src/nn/adam.ts';
import { createOptimizer } from '../../src/nn/create-optimizer.ts';
import { Sgd } from '../../src/nn/sgd.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { finetuneConfigSchema } from '../../src/train/config.ts';

const be = createReferenceBackend('float64');

function param(backend: Backend, name: string, values: number[], penalized: boolean): Param {
  return { name, value: backend.fromArray(1, values.length, values), grad: backend.zeros(1, values.length), penalized };
}

const ADAM: AdamConfig = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, l1: 0, l2: 0 };

test("Adam's first three steps equal the hand-computed values (Kingma & Ba 2015, Algorithm 1)", () => {
  // One weight w0 = 1 with gradients 0.5, -1, 2; lr 0.1, beta1 0.9, beta2 0.999, eps 1e-8.
  // t = 1: m = 0.1 * 0.5 = 0.05            v = 0.001 * 0.25 = 0.00025
  //        c1 = 0.1, c2 = 0.001           m^ = 0.5, v^ = 0.25, sqrt(v^) = 0.5
  //        w = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.900000002 (to 1e-16)
  // t = 2: m = 0.9 * 0.05 + 0.1 * -1 = -0.055
  //        v = 0.999 * 0.00025 + 0.001 * 1 = 0.00124975
  //        c1 = 1 - 0.81 = 0.19, c2 = 1 - 0.998001 = 0.001999
  //        m^ = -0.055 / 0.19 = -0.28947368421052632, v^ = 0.00124975 / 0.001999 = 0.62518759379689845
  //        sqrt(v^) = 0.79068805087525350, step = 0.1 * m^ / (sqrt(v^) + 1e-8) = -0.036610352240565
  //        w = 0.900000002 + 0.036610352240565 = 0.936610354240565
  // t = 3: m = 0.9 * -0.055 + 0.1 * 2 = 0.1505
  //        v = 0.999 * 0.00124975 + 0.001 * 4 = 0.00524850025
  //        c1 = 1 - 0.729 = 0.271, c2 = 1 - 0.997002999 = 0.002997001
  //        m^ = 0.1505 / 0.271 = 0.55535055350553506, v^ = 0.00524850025 / 0.002997001 = 1.7512507503334
  //        sqrt(v^) = 1.3233483102847, step = 0.1 * m^ / (sqrt(v^) + 1e-8) = 0.041965561522461
  //        w = 0.936610354240565 - 0.041965561522461 = 0.894644792718104
  const w = param(be, 'W', [1], true);
  const opt = new Adam(be, [w], ADAM);
  const expected = [
    { g: 0.5, m: 0.05, v: 0.00025, w: 0.900000002 },
    { g: -1, m: -0.055, v: 0.00124975, w: 0.936610354240565 },
    { g: 2, m: 0.1505, v: 0.00524850025, w: 0.894644792718104 },
  ];
  expected.forEach((e, i) => {
    w.grad.data[0] = e.g;
    opt.step();
    const [m, v, t] = opt.state().map((s) => s.value.data[0]!);
    assert.ok(Math.abs(m! - e.m) < 1e-15, `m after step ${i + 1}: ${m} vs ${e.m}`);
    assert.ok(Math.abs(v! - e.v) < 1e-15, `v after step ${i + 1}: ${v} vs ${e.v}`);
    assert.equal(t, i + 1, 'the step count');
    assert.ok(Math.abs(w.value.data[0]! - e.w) < 1e-14, `w after step ${i + 1}: ${w.value.data[0]} vs ${e.w}`);
  });
  assert.deepEqual(opt.state().map((s) => s.name), ['W.m', 'W.v', 'W.step']);
});

test('the first Adam step moves every weight by lr against the sign of its gradient, whatever its scale', () => {
  const w = param(be, 'W', [0, 0, 0, 0], true);
  w.grad.data.set([1e-4, -3, 250, -0.5]);
  new Adam(be, [w], { ...ADAM, lr: 0.01, eps: 1e-12 }).step();
  [-0.01, 0.01, -0.01, 0.01].forEach((e, i) => assert.ok(Math.abs(w.value.data[i]! - e) < 1e-9, `w[${i}] = ${w.value.data[i]}`));
});

test('AdamW decays the weights by lr * weightDecay * w outside the moments; biases are not decayed', () => {
  const cfg = { ...ADAM, lr: 0.05, weightDecay: 0.1 };
  const run = (c: AdamConfig): number[][] => {
    const W = param(be, 'W', [0.5, -2], true), b = param(be, 'b', [3], false);
    const opt = new Adam(be, [W, b], c);
    for (const g of [[0.3, -0.1, 0.2], [-0.4, 0.5, 0.1]]) {
      W.grad.data.set(g.slice(0, 2));
      b.grad.data.set(g.slice(2));
      opt.step();
    }
    return [[...W.value.data], [...b.value.data], [...opt.state()[0]!.value.data]];
  };
  const adamw = run(cfg), adam = run({ ...cfg, weightDecay: 0 });
  assert.deepEqual(adamw[2], adam[2], 'the decay does not enter the moments');
  assert.deepEqual(adamw[1], adam[1], 'the bias is not decayed');
  // With zero gradients the moments stay 0, so the step is the decay alone: w (1 - lr wd) per step.
  const W = param(be, 'W', [0.5, -2], true);
  const opt = new Adam(be, [W], cfg);
  opt.step();
  opt.step();
  assert.deepEqual([...W.value.data].map((x) => +x.toFixed(15)), [0.5 * 0.995 ** 2, -2 * 0.995 ** 2].map((x) => +x.toFixed(15)));
  // AdamW's weights differ from Adam's: each step subtracts lr wd w_old on top of the Adam step.
  assert.ok(Math.abs(adamw[0]![0]! - adam[0]![0]!) > 1e-4);
});

test('L1 and L2 with Adam: the step on g equals a plain Adam step on g + l1 sign(w) + 2 l2 w, for the penalized params only', () => {
  const grads = [[0.3, -0.1, 0.2], [-0.4, 0.5, 0.1], [0.05, 0.05, -0.3]];
  const pen = { l1: 0.01, l2: 0.02 };
  const W = param(be, 'W', [0.5, -2], true), b = param(be, 'b', [3], false);
  const withPenalty = new Adam(be, [W, b], { ...ADAM, ...pen });
  const W2 = param(be, 'W', [0.5, -2], true), b2 = param(be, 'b', [3], false);
  const plain = new Adam(be, [W2, b2], ADAM);
  for (const g of grads) {
    W.grad.data.set(g.slice(0, 2));
    b.grad.data.set(g.slice(2));
    for (let i = 0; i < 2; i++) W2.grad.data[i] = g[i]! + pen.l1 * Math.sign(W2.value.data[i]!) + 2 * pen.l2 * W2.value.data[i]!;
    b2.grad.data.set(g.slice(2)); // the bias takes no penalty
    withPenalty.step();
    plain.step();
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(W.value.data[i]! - W2.value.data[i]!) < 1e-15, `W[${i}]`);
    assert.equal(b.value.data[0], b2.value.data[0]);
  }
  assert.ok(Math.abs(W.value.data[0]! - 0.5) + Math.abs(W.value.data[1]! + 2) > 0.1, 'the weights moved');
});

test('Adam through the fused trainStep equals gradients() then step(), step for step', () => {
  const spec = { nIn: 5, hidden: [4, 3], nClasses: 3, activation: 'tanh' as const, init: 'glorot' as const };
  const a = Mlp.create(be, spec, new Rng(3).fork('init')), b = Mlp.create(be, spec, new Rng(3).fork('init'));
  const cfg = { ...ADAM, lr: 0.01, l1: 1e-3, l2: 1e-3, weightDecay: 0.01 };
  const oa = new Adam(be, a.parameters(), cfg), ob = new Adam(be, b.parameters(), cfg);
  for (let t = 0; t < 4; t++) {
    const x = be.fromArray(6, 5, new Rng(10 + t).fillUniform(new Float64Array(30)));
    const y = Int32Array.from([0, 1, 2, 2, 1, 0]);
    const na = a.trainStep(x, y, oa);
    const nb = b.gradients(x, y);
    ob.step();
    assert.equal(na, nb);
  }
  assert.deepEqual(a.getFlat(), b.getFlat());
  assert.ok(oa.state().every((s, i) => s.value.data.every((v, j) => v === ob.state()[i]!.value.data[j])));
});

test('an Adam built on the saved state() continues exactly as the original (what a resume relies on)', () => {
  const W = param(be, 'W', [0.5, -2, 1], true);
  const opt = new Adam(be, [W], ADAM);
  const g = [[0.3, -0.1, 0.2], [-0.4, 0.5, 0.1], [0.05, 0.05, -0.3]];
  W.grad.data.set(g[0]!);
  opt.step();
  const W2 = param(be, 'W', [...W.value.data], true);
  const copy = new Adam(be, [W2], ADAM);
  copy.state().forEach((s, i) => s.value.data.set(opt.state()[i]!.value.data));
  for (const gi of g.slice(1)) {
    W.grad.data.set(gi);
    W2.grad.data.set(gi);
    opt.step();
    copy.step();
  }
  assert.deepEqual([...W2.value.data], [...W.value.data]);
  assert.equal(copy.state()[2]!.value.data[0], 3);
});

test('createOptimizer builds Sgd or Adam from the finetune section; weightDecay needs adamw', () => {
  const params = [param(be, 'W', [1, 2], true)];
  const cfg = (c: object) => finetuneConfigSchema.parse(c);
  assert.ok(createOptimizer(be, params, cfg({})) instanceof Sgd);
  assert.ok(createOptimizer(be, params, cfg({ optimizer: 'adam' })) instanceof Adam);
  const w = createOptimizer(be, params, cfg({ optimizer: 'adamw', weightDecay: 0.1 }));
  assert.ok(w instanceof Adam && w.config.weightDecay === 0.1);
  assert.throws(() => createOptimizer(be, params, cfg({ optimizer: 'adam', weightDecay: 0.1 })), /weightDecay 0\.1 is AdamW's .*use optimizer 'adamw'/);
  assert.throws(() => createOptimizer(be, params, cfg({ weightDecay: 0.1 })), /use optimizer 'adamw'/);
});

test('Adam on float32 backends: the step count survives as a float32 (exact integers)', () => {
  const be32 = createReferenceBackend('float32');
  const W = param(be32, 'W', [1], true);
  const opt = new Adam(be32, [W], ADAM);
  for (let i = 0; i < 5; i++) {
    W.grad.data[0] = 1;
    opt.step();
  }
  assert.equal(opt.state()[2]!.value.data[0], 5);
  // Constant gradient 1: m^ = v^ = 1 at every step, so each step is lr / (1 + eps): w = 1 - 5 * 0.1.
  assert.ok(Math.abs(W.value.data[0]! - 0.5) < 1e-6);
});
