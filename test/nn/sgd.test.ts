import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Dense } from '../../src/nn/dense.ts';
import { initDense } from '../../src/nn/init.ts';
import { addPenaltyGradients } from '../../src/nn/penalties.ts';
import { Sgd } from '../../src/nn/sgd.ts';
import { learningRateAt } from '../../src/nn/schedule.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';

const be = createReferenceBackend('float64');

function layerWithGrads(seed: number): Dense {
  const rng = new Rng(seed);
  const layer = new Dense(be, initDense(be, 'glorot', 3, 2, rng.fork('init')), 'sigmoid');
  rng.fork('g').fillUniform(layer.dW.data, -1, 1);
  rng.fork('g2').fillUniform(layer.db.data, -1, 1);
  return layer;
}

test('Sgd step with l1 and l2 equals a plain step on grad + penalty gradient (weights only)', () => {
  const cfg = { lr: 0.1, momentum: 0, lrDecay: 0, l1: 0.01, l2: 0.02 };
  const a = layerWithGrads(4), b = layerWithGrads(4);
  new Sgd(be, a.params(), cfg).step();
  addPenaltyGradients(be, b.params(), cfg);
  for (const p of b.params()) for (let i = 0; i < p.value.size; i++) p.value.data[i]! -= 0.1 * p.grad.data[i]!;
  for (let k = 0; k < 2; k++) {
    const pa = a.params()[k]!, pb = b.params()[k]!;
    for (let i = 0; i < pa.value.size; i++) assert.ok(Math.abs(pa.value.data[i]! - pb.value.data[i]!) < 1e-15, `${pa.name}[${i}]`);
  }
});

test('momentum accumulates v <- m v - lr g and exposes velocity state', () => {
  const layer = layerWithGrads(5);
  const w0 = Float64Array.from(layer.W.data), g = Float64Array.from(layer.dW.data);
  const opt = new Sgd(be, layer.params(), { lr: 0.5, momentum: 0.9, lrDecay: 0, l1: 0, l2: 0 });
  opt.step();
  opt.step(); // same gradient twice: v1 = -lr g, v2 = -0.9 lr g - lr g
  for (let i = 0; i < w0.length; i++) {
    const expected = w0[i]! - 0.5 * g[i]! - (0.9 * 0.5 * g[i]! + 0.5 * g[i]!);
    assert.ok(Math.abs(layer.W.data[i]! - expected) < 1e-14);
  }
  assert.deepEqual(opt.state().map((s) => s.name), ['W.velocity', 'b.velocity']);
  assert.equal(new Sgd(be, layer.params(), { lr: 0.5, momentum: 0, lrDecay: 0, l1: 0, l2: 0 }).state().length, 0);
});

test('learningRateAt(t) is lr / (1 + decay t)', () => {
  assert.equal(learningRateAt({ lr: 0.1, lrDecay: 0 }, 10), 0.1);
  assert.equal(learningRateAt({ lr: 0.1, lrDecay: 0.5 }, 2), 0.05);
});

test('the optimiser trusts its config: a non-positive learning rate and momentum >= 1 are rejected by the schema, naming the key', () => {
  assert.throws(() => resolveTrialConfig({ finetune: { lr: 0 } }), /finetune\.lr/);
  assert.throws(() => resolveTrialConfig({ finetune: { momentum: 1 } }), /finetune\.momentum/);
  assert.throws(() => resolveTrialConfig({ pretrain: { lr: 0 } }), /pretrain\.lr/);
  assert.throws(() => resolveTrialConfig({ pretrain: { momentum: 1 } }), /pretrain\.momentum/);
});
