import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Sgd, type SgdConfig } from '../../src/nn/sgd.ts';
import { Mlp, type MlpSpec } from '../../src/models/mlp.ts';

const be = createReferenceBackend('float64');
const spec: MlpSpec = { nIn: 6, hidden: [5, 4], nClasses: 3, activation: 'sigmoid', init: 'glorot' };

for (const [what, cfg] of [
  ['plain SGD', { lr: 0.5, momentum: 0, lrDecay: 0, l1: 0, l2: 0 }],
  ['momentum with L1 and L2', { lr: 0.5, momentum: 0.9, lrDecay: 0, l1: 0.01, l2: 0.02 }],
] as [string, SgdConfig][]) {
  test(`trainStep (update fused into the backward sweep) equals gradients() then step() over four steps (${what})`, () => {
    const fused = Mlp.create(be, spec, new Rng(1).fork('init'));
    const plain = Mlp.create(be, spec, new Rng(1).fork('init'));
    const optF = new Sgd(be, fused.parameters(), cfg), optP = new Sgd(be, plain.parameters(), cfg);
    const rng = new Rng(2);
    for (let t = 0; t < 4; t++) {
      const x = be.fromArray(4, 6, rng.fillUniform(new Float64Array(24), -1, 1));
      const y = Int32Array.from([0, 2, 1, t % 3]);
      const nllP = plain.gradients(x, y);
      optP.step();
      const nllF = fused.trainStep(x, y, optF);
      assert.ok(Math.abs(nllF - nllP) < 1e-13, `step ${t}: loss ${nllF} vs ${nllP}`);
    }
    const a = fused.getFlat(), b = plain.getFlat(), w0 = Mlp.create(be, spec, new Rng(1).fork('init')).getFlat();
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-12, `param ${i}: ${a[i]} vs ${b[i]}`);
    assert.ok(a.some((v, i) => v !== w0[i]), 'training moved the parameters');
  });
}

test('trainStep with an optimiser over other parameters falls back to gradients() then step()', () => {
  const mlp = Mlp.create(be, spec, new Rng(3).fork('init'));
  const subset = mlp.parameters().slice(0, 2); // only hidden.0
  const opt = new Sgd(be, subset, { lr: 0.5, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
  const before = mlp.getFlat();
  mlp.trainStep(be.fromArray(2, 6, [1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1]), Int32Array.from([0, 1]), opt);
  const after = mlp.getFlat(), n0 = 6 * 5 + 5;
  assert.ok(after.subarray(0, n0).some((v, i) => v !== before[i]), 'hidden.0 was updated');
  assert.deepEqual(after.subarray(n0), before.subarray(n0), 'the other layers were not');
  const g = mlp.getFlatGradient();
  assert.ok(g.subarray(n0).some((v) => v !== 0), 'gradients() wrote every gradient');
});

test('trainStep(x, y, opt, predictions) fills the argmax of a separate test-mode forward pass taken before the update (fused and fallback paths)', () => {
  const mlp = Mlp.create(be, spec, new Rng(4).fork('init'));
  const twin = Mlp.create(be, spec, new Rng(4).fork('init'));
  const fused = new Sgd(be, mlp.parameters(), { lr: 2, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
  const fallback = new Sgd(be, mlp.parameters().slice(0, 2), { lr: 2, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
  const rng = new Rng(5);
  const pred = new Int32Array(8), expected = new Int32Array(8);
  let changed = 0;
  for (let t = 0; t < 6; t++) {
    const x = be.fromArray(8, 6, rng.fillUniform(new Float64Array(48), -3, 3));
    const y = Int32Array.from({ length: 8 }, (_, i) => (i + t) % 3);
    twin.setFlat(mlp.getFlat());
    be.argmaxRows(twin.forward(x, false), expected); // the network before the update
    const opt = t % 2 === 0 ? fused : fallback;
    pred.fill(-1);
    const nllWith = mlp.trainStep(x, y, opt, pred);
    assert.deepEqual([...pred], [...expected], `step ${t} (${t % 2 === 0 ? 'fused' : 'fallback'})`);
    const after = new Int32Array(8);
    be.argmaxRows(mlp.forward(x, false), after);
    if (after.some((v, i) => v !== expected[i])) changed++;
    assert.ok(Number.isFinite(nllWith));
  }
  assert.ok(changed > 0, 'the updates changed some predictions, so "before the update" is what was checked');
});

test('trainStep with predictions computes the same update as without', () => {
  const a = Mlp.create(be, spec, new Rng(6).fork('init')), b = Mlp.create(be, spec, new Rng(6).fork('init'));
  const cfg = { lr: 0.5, momentum: 0.5, lrDecay: 0, l1: 0, l2: 0.01 };
  const optA = new Sgd(be, a.parameters(), cfg), optB = new Sgd(be, b.parameters(), cfg);
  const x = be.fromArray(2, 6, [1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1]), y = Int32Array.from([0, 2]);
  for (let t = 0; t < 3; t++) assert.equal(a.trainStep(x, y, optA, new Int32Array(2)), b.trainStep(x, y, optB));
  assert.deepEqual(a.getFlat(), b.getFlat());
});
