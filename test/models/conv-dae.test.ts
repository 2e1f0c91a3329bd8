import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConvDae, convDaeProblem, type ConvDaeWindow } from '../../src/models/conv-dae.ts';
import { createDae, createDaeWork, daeGradients, type DaeOptions } from '../../src/models/dae.ts';
import { gradientsOnly } from '../../src/nn/fused-update.ts';
import type { ImageShape } from '../../src/nn/image-shape.ts';
import { Sgd } from '../../src/nn/sgd.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import type { Matrix } from '../../src/tensor/matrix.ts';
import { assertGradClose, numericGradient } from '../helpers/numeric-gradient.ts';

const be = createReferenceBackend('float64');

function randomMatrix(rows: number, cols: number, rng: Rng, lo: number, hi: number): Matrix {
  return be.fromArray(rows, cols, Array.from({ length: rows * cols }, () => lo + (hi - lo) * rng.uniform()));
}

/** A conv DAE with non-zero biases (so their gradients are exercised). */
function randomConvDae(input: ImageShape, window: ConvDaeWindow, filters: number, opts: DaeOptions, seed: number): ConvDae {
  const r = new Rng(seed);
  const dae = ConvDae.create(be, input, window, filters, opts, r.fork('init'));
  dae.encoder.b.data.set(randomMatrix(1, filters, r, -0.3, 0.3).data);
  dae.decoder.b.data.set(randomMatrix(1, input.channels, r, -0.3, 0.3).data);
  return dae;
}

const win = (k: number, pad: number): ConvDaeWindow => ({ kernelH: k, kernelW: k, stride: 1, pad });

const CASES: [string, ImageShape, ConvDaeWindow, number, DaeOptions][] = [
  ['3x3 valid, sigmoid, cross-entropy', { height: 5, width: 4, channels: 1 }, win(3, 0), 2, { loss: 'cross-entropy' }],
  ['3x3 pad 1, relu, cross-entropy, 2 channels', { height: 4, width: 5, channels: 2 }, win(3, 1), 3, { loss: 'cross-entropy', encoder: 'relu' }],
  ['2x2 pad 1, tanh, squared, identity decoder', { height: 3, width: 3, channels: 2 }, win(2, 1), 2, { loss: 'squared', decoder: 'identity', encoder: 'tanh' }],
  ['3x3 pad 2, linear encoder, squared, sigmoid decoder', { height: 3, width: 4, channels: 1 }, win(3, 2), 2, { loss: 'squared', encoder: 'identity' }],
];

for (const [name, input, window, filters, opts] of CASES) {
  test(`ConvDae.gradients equals float64 central differences of ConvDae.loss w.r.t. W, hiddenBias, visibleBias, V (${name})`, () => {
    const dae = randomConvDae(input, window, filters, opts, 3);
    const B = 2, n = input.height * input.width * input.channels, r = new Rng(17);
    const x = randomMatrix(B, n, r, 0.05, 0.95), xt = randomMatrix(B, n, r, 0, 1);
    assert.deepEqual(dae.decoder.output, input, 'the decoder restores the input image');
    dae.gradients(xt, x);
    if (opts.encoder === 'relu') {
      const h = dae.encode(xt).data;
      assert.ok(h.some((v) => v === 0) && h.some((v) => v > 0), 'both sides of the rectifier are exercised');
    }
    assert.deepEqual(dae.params.map((p) => [p.name, p.penalized]), [['W', true], ['hiddenBias', false], ['visibleBias', false], ['V', true]]);
    const analytic = dae.params.map((p) => Float64Array.from(p.grad.data));
    const f = () => dae.loss(xt, x);
    dae.params.forEach((p, i) => assertGradClose(analytic[i]!, numericGradient(p.value, f), `${name}: d/d${p.name}`, 1e-7));
  });
}

test('a 1x1 conv DAE on 1x1 images is the untied dense DAE: same loss and gradients as daeGradients', () => {
  const C = 5, F = 3, B = 4, r = new Rng(2);
  for (const opts of [{ loss: 'cross-entropy' }, { loss: 'squared', decoder: 'identity', encoder: 'relu' }] as DaeOptions[]) {
    const conv = randomConvDae({ height: 1, width: 1, channels: C }, win(1, 0), F, opts, 9);
    const dense = createDae(be, C, F, false, new Rng(0));
    be.copy(conv.encoder.W, dense.W);
    be.copy(conv.encoder.b, dense.hiddenBias);
    be.copy(conv.decoder.W, dense.V!);
    be.copy(conv.decoder.b, dense.visibleBias);
    const x = randomMatrix(B, C, r, 0, 1), xt = randomMatrix(B, C, r, 0, 1);
    const lc = conv.gradients(xt, x);
    const ld = daeGradients(be, dense, xt, x, createDaeWork(be, dense, B), opts, gradientsOnly(dense.params));
    assert.ok(Math.abs(lc - ld) < 1e-12, `loss ${lc} vs ${ld}`);
    for (const name of ['W', 'hiddenBias', 'visibleBias', 'V']) {
      const gc = conv.params.find((p) => p.name === name)!.grad.data, gd = dense.params.find((p) => p.name === name)!.grad.data;
      for (let i = 0; i < gd.length; i++) assert.ok(Math.abs(gc[i]! - gd[i]!) < 1e-12, `${name}[${i}] ${gc[i]} vs ${gd[i]}`);
    }
  }
});

test('SGD steps of a conv DAE lower its loss on a fixed minibatch and never mutate the inputs', () => {
  const input = { height: 6, width: 6, channels: 1 }, r = new Rng(5);
  const dae = randomConvDae(input, win(3, 1), 4, { loss: 'cross-entropy', encoder: 'relu' }, 1);
  const x = be.fromArray(3, 36, Array.from({ length: 108 }, () => (r.uniform() < 0.4 ? 1 : 0)));
  const xt = be.fromArray(3, 36, Array.from(x.data, (v) => (r.uniform() < 0.25 ? 0 : v))); // masked copy
  const xs = Float64Array.from(x.data), xts = Float64Array.from(xt.data);
  const opt = new Sgd(be, dae.params, { lr: 0.1, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
  const first = dae.loss(xt, x);
  for (let i = 0; i < 50; i++) {
    dae.gradients(xt, x);
    opt.step();
  }
  const last = dae.loss(xt, x);
  assert.ok(last < 0.9 * first, `loss ${first} -> ${last}`);
  assert.deepEqual(x.data, xs);
  assert.deepEqual(xt.data, xts);
});

test('ConvDae.create is a function of the init stream: fan-in bounds, zero biases, same seed same weights', () => {
  const input = { height: 5, width: 5, channels: 2 };
  const a = ConvDae.create(be, input, win(3, 0), 4, { loss: 'cross-entropy' }, new Rng(3).fork('init'));
  const b = ConvDae.create(be, input, win(3, 0), 4, { loss: 'cross-entropy' }, new Rng(3).fork('init'));
  assert.deepEqual(a.encoder.W.data, b.encoder.W.data);
  assert.deepEqual(a.decoder.W.data, b.decoder.W.data);
  assert.deepEqual(a.encoder.W.shape, [18, 4]);
  assert.deepEqual(a.decoder.W.shape, [36, 2]);
  for (const w of a.encoder.W.data) assert.ok(Math.abs(w) <= 1 / Math.sqrt(18));
  for (const w of a.decoder.W.data) assert.ok(Math.abs(w) <= 1 / Math.sqrt(36));
  assert.ok([...a.encoder.b.data, ...a.decoder.b.data].every((v) => v === 0));
});

test('windows the decoder cannot invert are refused, naming the sizes and the fix', () => {
  assert.equal(convDaeProblem(win(5, 2)), null);
  assert.match(convDaeProblem({ kernelH: 3, kernelW: 3, stride: 2, pad: 0 })!, /stride 2 .*use stride 1/);
  assert.match(convDaeProblem({ kernelH: 3, kernelW: 5, stride: 1, pad: 0 })!, /3x5 .*square kernel/);
  assert.match(convDaeProblem(win(3, 3))!, /pad 3 .*pad <= 2/);
  const input = { height: 6, width: 6, channels: 1 };
  assert.throws(() => ConvDae.create(be, input, { kernelH: 3, kernelW: 3, stride: 2, pad: 0 }, 2, { loss: 'cross-entropy' }, new Rng(1)), /ConvDae: .*stride 2/);
  assert.throws(() => ConvDae.create(be, input, win(3, 0), 2, { loss: 'cross-entropy', decoder: 'identity' }, new Rng(1)), /sigmoid decoder.*squared/);
});
