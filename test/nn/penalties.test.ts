import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Dense } from '../../src/nn/dense.ts';
import { initDense } from '../../src/nn/init.ts';
import { addPenaltyGradients, penaltyValue } from '../../src/nn/penalties.ts';
import { numericGradient, assertGradClose } from '../helpers/numeric-gradient.ts';

const be = createReferenceBackend('float64');

for (const p of [{ l1: 0.3, l2: 0 }, { l1: 0, l2: 0.7 }, { l1: 0.2, l2: 0.05 }]) {
  test(`penalty l1=${p.l1} l2=${p.l2}: gradient l1 sign(W) + 2 l2 W matches central differences; biases untouched`, () => {
    const layer = new Dense(be, initDense(be, 'uniform-fanin', 4, 3, new Rng(2).fork('init')), 'sigmoid');
    new Rng(2).fork('bias').fillUniform(layer.b.data, -1, 1);
    const params = layer.params();
    const num = numericGradient(layer.W, () => penaltyValue(be, params, p));
    const numB = numericGradient(layer.b, () => penaltyValue(be, params, p));
    be.fill(layer.dW, 0);
    be.fill(layer.db, 0);
    addPenaltyGradients(be, params, p);
    assertGradClose(layer.dW.data, num, 'dPenalty/dW');
    assert.ok(numB.every((v) => v === 0), 'the penalty does not depend on biases');
    assert.ok(layer.db.data.every((v) => v === 0), 'no penalty gradient on biases');
  });
}

test('penaltyValue is l1 ||W||_1 + l2 ||W||_2^2 over weights only', () => {
  const layer = new Dense(be, { W: be.fromArray(1, 2, [-2, 3]), b: be.fromArray(1, 2, [100, 100]) }, 'tanh');
  assert.equal(penaltyValue(be, layer.params(), { l1: 0.5, l2: 0.25 }), 0.5 * 5 + 0.25 * 13);
});
