import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createDae,
  createDaeWork,
  daeGradients,
  daeLoss,
  type DaeOptions,
  type DaeParams,
  type DaeWork,
} from '../../src/models/dae.ts';
import { gradientsOnly } from '../../src/nn/fused-update.ts';
import { Sgd, type SgdConfig } from '../../src/nn/sgd.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import type { Matrix } from '../../src/tensor/matrix.ts';
import { numericGradient } from '../helpers/numeric-gradient.ts';

const be = createReferenceBackend('float64');
const nV = 6, nH = 4, B = 3;

function randomMatrix(rows: number, cols: number, rng: Rng, lo: number, hi: number): Matrix {
  return be.fromArray(rows, cols, Array.from({ length: rows * cols }, () => lo + (hi - lo) * rng.uniform()));
}

function randomDae(tied: boolean, seed: number): DaeParams {
  const r = new Rng(seed);
  const p = createDae(be, nV, nH, tied, r.fork('init'));
  // non-zero biases so their gradients are exercised
  p.hiddenBias.data.set(randomMatrix(1, nH, r, -0.5, 0.5).data);
  p.visibleBias.data.set(randomMatrix(1, nV, r, -0.5, 0.5).data);
  return p;
}

/** One DAE update through the optimiser, as pre-training makes it: `daeGradients` into `opt`. */
function daeStep(p: DaeParams, work: DaeWork, xt: Matrix, x: Matrix, opts: DaeOptions, opt: Sgd): number {
  return daeGradients(be, p, xt, x, work, opts, opt);
}

const sgd = (over: Partial<SgdConfig>): SgdConfig => ({ lr: 0.1, momentum: 0, lrDecay: 0, l1: 0, l2: 0, ...over });
/** The param named `name` and its gradient buffer. */
const param = (p: DaeParams, name: string) => p.params.find((q) => q.name === name)!;


const cases: [boolean, DaeOptions][] = [
  [true, { loss: 'cross-entropy' }],
  [false, { loss: 'cross-entropy' }],
  [true, { loss: 'squared' }],
  [false, { loss: 'squared' }],
  [true, { loss: 'squared', decoder: 'identity' }],
  [false, { loss: 'squared', decoder: 'identity' }],
];

for (const [tied, opts] of cases) {
  test(`daeGradients equals float64 central differences of daeLoss w.r.t. every parameter (${tied ? 'tied' : 'untied'}, ${opts.loss}, ${opts.decoder ?? 'sigmoid'} decoder)`, () => {
    const r = new Rng(21);
    const p = randomDae(tied, 5);
    const x = randomMatrix(B, nV, r, 0.05, 0.95);
    const xt = randomMatrix(B, nV, r, 0, 1);
    const work = createDaeWork(be, p, B);
    daeGradients(be, p, xt, x, work, opts, gradientsOnly(p.params));
    const f = () => daeLoss(be, p, xt, x, work, opts);
    assert.deepEqual(p.params.map((q) => q.name), tied ? ['W', 'hiddenBias', 'visibleBias'] : ['W', 'hiddenBias', 'visibleBias', 'V']);
    for (const { name, value, grad } of p.params) {
      const num = numericGradient(value, f);
      let nonZero = 0;
      for (let i = 0; i < num.length; i++) {
        if (Math.abs(num[i]!) > 1e-8) nonZero++;
        assert.ok(Math.abs(grad.data[i]! - num[i]!) <= 1e-7 * (1 + Math.abs(num[i]!)), `d/d${name}[${i}]: analytic ${grad.data[i]} vs numeric ${num[i]}`);
      }
      assert.ok(nonZero > 0, `numeric gradient of ${name} is all zero`);
    }
  });
}

/** One tied cross-entropy DAE SGD step with momentum and the penalty l2 ||W||^2, in plain loops. */
function referenceStep(W0: Float64Array, b0: Float64Array, c0: Float64Array, xt: Float64Array, x: Float64Array, lr: number, l2: number) {
  const sig = (a: number) => 1 / (1 + Math.exp(-a));
  const h = new Float64Array(B * nH), y = new Float64Array(B * nV);
  for (let i = 0; i < B; i++) for (let j = 0; j < nH; j++) {
    let a = b0[j]!;
    for (let k = 0; k < nV; k++) a += xt[i * nV + k]! * W0[k * nH + j]!;
    h[i * nH + j] = sig(a);
  }
  for (let i = 0; i < B; i++) for (let k = 0; k < nV; k++) {
    let a = c0[k]!;
    for (let j = 0; j < nH; j++) a += h[i * nH + j]! * W0[k * nH + j]!;
    y[i * nV + k] = sig(a);
  }
  const gW = new Float64Array(nV * nH), gb = new Float64Array(nH), gc = new Float64Array(nV);
  for (let i = 0; i < B; i++) {
    const dA = new Float64Array(nV);
    for (let k = 0; k < nV; k++) {
      dA[k] = (y[i * nV + k]! - x[i * nV + k]!) / B;
      gc[k]! += dA[k]!;
    }
    for (let j = 0; j < nH; j++) {
      let dh = 0;
      for (let k = 0; k < nV; k++) dh += dA[k]! * W0[k * nH + j]!;
      const hj = h[i * nH + j]!, dAh = dh * hj * (1 - hj);
      gb[j]! += dAh;
      for (let k = 0; k < nV; k++) gW[k * nH + j]! += xt[i * nV + k]! * dAh + dA[k]! * hj;
    }
  }
  // velocity starts at zero: v = -lr * (g + 2 l2 w), w += v
  const W = W0.map((w, i) => w - lr * (gW[i]! + 2 * l2 * w));
  const b = b0.map((v, j) => v - lr * gb[j]!);
  const c = c0.map((v, k) => v - lr * gc[k]!);
  return { W, b, c };
}

test('one DAE step (tied, cross-entropy, momentum, l2 penalty) equals the update derived in plain loops', () => {
  const r = new Rng(8);
  const p = randomDae(true, 9);
  const x = randomMatrix(B, nV, r, 0, 1), xt = randomMatrix(B, nV, r, 0, 1);
  const W0 = Float64Array.from(p.W.data), b0 = Float64Array.from(p.hiddenBias.data), c0 = Float64Array.from(p.visibleBias.data);
  const lr = 0.3, mom = 0.9, l2 = 0.005;
  const work = createDaeWork(be, p, B);
  const opt = new Sgd(be, p.params, sgd({ lr, momentum: mom, l2 }), { fuseMomentum: false });
  daeStep(p, work, xt, x, { loss: 'cross-entropy' }, opt);
  const e = referenceStep(W0, b0, c0, Float64Array.from(xt.data), Float64Array.from(x.data), lr, l2);
  for (const [name, got, want] of [['W', p.W.data, e.W], ['hiddenBias', p.hiddenBias.data, e.b], ['visibleBias', p.visibleBias.data, e.c]] as const) {
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-12, `${name}[${i}] ${got[i]} vs ${want[i]}`);
  }
  // second step: momentum carries the first velocity
  const W1 = Float64Array.from(p.W.data), v1 = Float64Array.from(opt.state()[0]!.value.data);
  assert.equal(opt.state()[0]!.name, 'W.velocity');
  daeStep(p, work, xt, x, { loss: 'cross-entropy' }, opt);
  const g2 = Float64Array.from(param(p, 'W').grad.data);
  for (let i = 0; i < W1.length; i++) {
    const want = W1[i]! + mom * v1[i]! - lr * (g2[i]! + 2 * l2 * W1[i]!);
    assert.ok(Math.abs(p.W.data[i]! - want) < 1e-12, `W[${i}] after step 2`);
  }
});

test('DAE steps lower the loss on a fixed minibatch and never mutate their inputs', () => {
  const r = new Rng(4);
  for (const tied of [true, false]) {
    const p = randomDae(tied, 2);
    const x = randomMatrix(B, nV, r, 0, 1), xt = randomMatrix(B, nV, r, 0, 1);
    const xs = Float64Array.from(x.data), xts = Float64Array.from(xt.data);
    const work = createDaeWork(be, p, B);
    const opt = new Sgd(be, p.params, sgd({ lr: 0.5 }));
    const first = daeLoss(be, p, xt, x, work, { loss: 'cross-entropy' });
    for (let i = 0; i < 50; i++) daeStep(p, work, xt, x, { loss: 'cross-entropy' }, opt);
    const last = daeLoss(be, p, xt, x, work, { loss: 'cross-entropy' });
    assert.ok(last < first - 0.1, `${tied ? 'tied' : 'untied'} loss ${first} -> ${last}`);
    assert.deepEqual(x.data, xs);
    assert.deepEqual(xt.data, xts);
  }
});

test('createDae is a function of the init stream: same seed, same weights bit for bit', () => {
  const a = createDae(be, 7, 5, false, new Rng(3).fork('init'));
  const b = createDae(be, 7, 5, false, new Rng(3).fork('init'));
  const c = createDae(be, 7, 5, false, new Rng(4).fork('init'));
  assert.deepEqual(a.W.data, b.W.data);
  assert.deepEqual(a.V!.data, b.V!.data);
  assert.notDeepEqual(a.W.data, c.W.data);
  const bound = 1 / Math.sqrt(7);
  for (const w of a.W.data) assert.ok(Math.abs(w) <= bound);
});

test('the cross-entropy loss with an identity decoder is rejected, naming the fix', () => {
  const p = randomDae(true, 1), work = createDaeWork(be, p, B), x = be.zeros(B, nV);
  assert.throws(() => daeLoss(be, p, x, x, work, { loss: 'cross-entropy', decoder: 'identity' }), /sigmoid decoder.*squared/);
});

test('a DAE step without momentum (update folded into the gradient kernels) equals daeGradients then W <- W - lr (g + 2 l2 W)', () => {
  for (const [tied, opts] of cases) {
    const r = new Rng(21);
    const p = randomDae(tied, 5), q = randomDae(tied, 5);
    const x = randomMatrix(B, nV, r, 0, 1), xt = randomMatrix(B, nV, r, 0, 1);
    const lr = 0.3, l2 = 0.005;
    const lossP = daeStep(p, createDaeWork(be, p, B), xt, x, opts, new Sgd(be, p.params, sgd({ lr, l2 })));
    const lossQ = daeGradients(be, q, xt, x, createDaeWork(be, q, B), opts, gradientsOnly(q.params));
    assert.ok(Math.abs(lossP - lossQ) < 1e-14, `loss ${lossP} vs ${lossQ}`);
    const pairs = p.params.map((pp, i): [string, Matrix, Matrix, Matrix, number] => [pp.name, pp.value, q.params[i]!.value, q.params[i]!.grad, pp.penalized ? 2 * l2 : 0]);
    for (const [name, got, w0, g, d] of pairs) {
      for (let i = 0; i < got.size; i++) {
        const want = w0.data[i]! - lr * (g.data[i]! + d * w0.data[i]!);
        assert.ok(Math.abs(got.data[i]! - want) < 1e-13, `${tied ? 'tied' : 'untied'} ${opts.loss} ${name}[${i}]: ${got.data[i]} vs ${want}`);
      }
    }
  }
});

// ReLU and tanh encoders (issue 14): the gradient is the same derivation with s'(.) in place of
// the sigmoid's h (1 - h): 1 - h^2 for tanh, [h > 0] for relu.
const encoderCases: [boolean, DaeOptions][] = [];
for (const encoder of ['tanh', 'relu'] as const) {
  for (const tied of [true, false]) {
    encoderCases.push([tied, { loss: 'cross-entropy', encoder }], [tied, { loss: 'squared', decoder: 'identity', encoder }]);
  }
}

for (const [tied, opts] of encoderCases) {
  test(`daeGradients equals float64 central differences of daeLoss with a ${opts.encoder} encoder (${tied ? 'tied' : 'untied'}, ${opts.loss}, ${opts.decoder ?? 'sigmoid'} decoder)`, () => {
    const r = new Rng(31);
    const p = randomDae(tied, 15);
    const x = randomMatrix(B, nV, r, 0.05, 0.95);
    const xt = randomMatrix(B, nV, r, 0, 1);
    const work = createDaeWork(be, p, B);
    daeGradients(be, p, xt, x, work, opts, gradientsOnly(p.params));
    const h = Float64Array.from(work.h.data);
    if (opts.encoder === 'relu') {
      // both branches of the rectifier are exercised, and no pre-activation sits on the kink
      assert.ok(h.some((v) => v === 0) && h.some((v) => v > 0), `relu codes ${h.join(', ')}`);
      const pre = be.zeros(B, nH);
      be.gemm(false, false, 1, xt, p.W, 0, pre);
      be.addRowVector(pre, p.hiddenBias, pre);
      for (const a of pre.data) assert.ok(Math.abs(a) > 1e-4, `pre-activation ${a} too close to 0 for central differences`);
    } else {
      assert.ok(h.some((v) => v < 0), `tanh codes go below 0: ${h.join(', ')}`);
    }
    const f = () => daeLoss(be, p, xt, x, work, opts);
    for (const { name, value, grad } of p.params) {
      const num = numericGradient(value, f);
      let nonZero = 0;
      for (let i = 0; i < num.length; i++) {
        if (Math.abs(num[i]!) > 1e-8) nonZero++;
        assert.ok(Math.abs(grad.data[i]! - num[i]!) <= 1e-7 * (1 + Math.abs(num[i]!)), `d/d${name}[${i}]: analytic ${grad.data[i]} vs numeric ${num[i]}`);
      }
      assert.ok(nonZero > 0, `numeric gradient of ${name} is all zero`);
    }
  });
}

test('the default encoder is the sigmoid: the same loss and gradients as encoder: sigmoid, others differ', () => {
  const r = new Rng(2);
  const x = randomMatrix(B, nV, r, 0, 1), xt = randomMatrix(B, nV, r, 0, 1);
  const grads = (encoder?: 'sigmoid' | 'tanh' | 'relu') => {
    const p = randomDae(true, 3);
    const opts: DaeOptions = encoder ? { loss: 'cross-entropy', encoder } : { loss: 'cross-entropy' };
    const loss = daeGradients(be, p, xt, x, createDaeWork(be, p, B), opts, gradientsOnly(p.params));
    return [loss, ...p.params.flatMap((q) => [...q.grad.data])];
  };
  assert.deepEqual(grads(), grads('sigmoid'));
  assert.notDeepEqual(grads('relu'), grads());
  assert.notDeepEqual(grads('tanh'), grads());
});

test('one SGD step of a tiny tied ReLU DAE (squared loss, identity decoder) equals the update worked out by hand', () => {
  // nVisible 2, nHidden 2, one example whose second input the corruption zeroed.
  //   x~ = [1, 0], x = [1, 1], W = [[0.5, -0.5], [0.25, 1]], b = [0, 0.1], c = [0, 0], lr 0.1
  //   a  = x~ W + b = [0.5, -0.4]          h = relu(a) = [0.5, 0]      (unit 2 is off)
  //   x^ = h W^T + c = [0.25, 0.125]        loss = 0.75^2 + 0.875^2 = 1.328125
  //   dA = 2 (x^ - x) = [-1.5, -1.75]       dc = dA
  //   dH = dA W = [-1.5*0.5 - 1.75*0.25, 1.5*0.5 - 1.75*1] = [-1.1875, -1]
  //   dAh = dH * [h > 0] = [-1.1875, 0]      db = dAh
  //   dW = x~^T dAh + dA^T h = [[-1.1875, 0], [0, 0]] + [[-0.75, 0], [-0.875, 0]] = [[-1.9375, 0], [-0.875, 0]]
  //   W' = W - 0.1 dW = [[0.69375, -0.5], [0.3375, 1]]   b' = [0.11875, 0.1]   c' = [0.15, 0.175]
  // The off unit's column and bias do not move (a sigmoid unit's would).
  const p = createDae(be, 2, 2, true, new Rng(0));
  p.W.data.set([0.5, -0.5, 0.25, 1]);
  p.hiddenBias.data.set([0, 0.1]);
  p.visibleBias.data.set([0, 0]);
  const xt = be.fromArray(1, 2, [1, 0]), x = be.fromArray(1, 2, [1, 1]);
  const opt = new Sgd(be, p.params, sgd({ lr: 0.1 }));
  const loss = daeGradients(be, p, xt, x, createDaeWork(be, p, 1), { loss: 'squared', decoder: 'identity', encoder: 'relu' }, opt);
  assert.ok(Math.abs(loss - 1.328125) < 1e-15, `loss ${loss}`);
  const close = (got: ArrayLike<number>, want: number[], what: string) => {
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-14, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  };
  close(p.W.data, [0.69375, -0.5, 0.3375, 1], 'W');
  close(p.hiddenBias.data, [0.11875, 0.1], 'hiddenBias');
  close(p.visibleBias.data, [0.15, 0.175], 'visibleBias');
});
