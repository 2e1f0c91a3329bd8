import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Dense } from '../../src/nn/dense.ts';
import { initDense } from '../../src/nn/init.ts';
import { Sgd, type SgdConfig } from '../../src/nn/sgd.ts';

const be = createReferenceBackend('float64');

const CONFIGS: [string, SgdConfig][] = [
  ['plain SGD', { lr: 0.3, momentum: 0, lrDecay: 0, l1: 0, l2: 0 }],
  ['L2 only', { lr: 0.3, momentum: 0, lrDecay: 0, l1: 0, l2: 0.05 }],
  ['L1 and L2', { lr: 0.3, momentum: 0, lrDecay: 0, l1: 0.02, l2: 0.05 }],
  ['momentum', { lr: 0.3, momentum: 0.9, lrDecay: 0, l1: 0, l2: 0 }],
  ['momentum, L1 and L2', { lr: 0.3, momentum: 0.5, lrDecay: 0, l1: 0.02, l2: 0.05 }],
];

function layer(seed: number): Dense {
  const rng = new Rng(seed);
  const d = new Dense(be, initDense(be, 'glorot', 5, 4, rng.fork('init')), 'tanh');
  rng.fork('b').fillUniform(d.b.data, -0.5, 0.5);
  return d;
}

for (const [what, cfg] of CONFIGS) {
  test(`Dense.backwardUpdate with Sgd (${what}) equals backward() then step(), over three steps, and returns the same dx`, () => {
    const a = layer(3), b = layer(3);
    const optA = new Sgd(be, a.params(), cfg), optB = new Sgd(be, b.params(), cfg);
    const rng = new Rng(4);
    for (let t = 0; t < 3; t++) {
      const x = be.fromArray(3, 5, rng.fillUniform(new Float64Array(15), -1, 1));
      const dy = be.fromArray(3, 4, rng.fillUniform(new Float64Array(12), -1, 1));
      optA.lr = optB.lr = cfg.lr / (1 + t); // a changing rate reaches both paths
      a.forward(x, true);
      const dxA = Float64Array.from(a.backward(dy, true)!.data);
      optA.step();
      b.forward(x, true);
      const dxB = b.backwardUpdate(dy, true, optB, 0, 1)!;
      for (let i = 0; i < dxA.length; i++) assert.ok(Math.abs(dxA[i]! - dxB.data[i]!) < 1e-14, `step ${t} dx[${i}]`);
      for (const [pa, pb] of [[a.W, b.W], [a.b, b.b]] as const) {
        for (let i = 0; i < pa.size; i++) assert.ok(Math.abs(pa.data[i]! - pb.data[i]!) < 1e-13, `step ${t} param[${i}]: ${pa.data[i]} vs ${pb.data[i]}`);
      }
    }
    assert.notDeepEqual(Array.from(b.W.data), Array.from(layer(3).W.data), 'the weights moved');
    optA.state().forEach((s, i) => {
      const v = optB.state()[i]!.value.data;
      for (let j = 0; j < s.value.size; j++) assert.ok(Math.abs(s.value.data[j]! - v[j]!) < 1e-13, `${s.name}[${j}]`);
    });
  });
}

test('Sgd.begin targets the parameter itself for plain SGD (W <- W - lr g in the gradient kernel) and the velocity with momentum', () => {
  const d = layer(5);
  const plain = new Sgd(be, d.params(), CONFIGS[0]![1]);
  const t = plain.begin(0);
  assert.equal(t.out, d.W);
  assert.deepEqual([t.alpha, t.beta], [-0.3, 1]);
  const mom = new Sgd(be, d.params(), CONFIGS[3]![1]);
  const tm = mom.begin(1);
  assert.equal(tm.out, mom.state()[1]!.value);
  assert.deepEqual([tm.alpha, tm.beta], [-0.3, 0.9]);
});
