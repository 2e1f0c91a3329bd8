import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { softmaxNll } from '../../src/nn/losses.ts';
import { numericGradient, assertGradClose } from '../helpers/numeric-gradient.ts';

const be = createReferenceBackend('float64');

test('softmaxNll gradient (probs - onehot) / batch matches float64 central differences', () => {
  const rng = new Rng(11);
  const logits = be.fromArray(4, 5, rng.fillUniform(new Float64Array(20), -3, 3));
  const labels = Int32Array.from([0, 4, 2, 2]);
  const probs = be.zeros(4, 5), grad = be.zeros(4, 5);
  const num = numericGradient(logits, () => softmaxNll(be, logits, labels, probs, null));
  softmaxNll(be, logits, labels, probs, grad);
  assertGradClose(grad.data, num, 'dNLL/dlogits');
});

test('softmaxNll is the mean of -log softmax(logits)[label]', () => {
  const logits = be.fromArray(2, 3, [1, 2, 3, 0, 0, 0]);
  const labels = Int32Array.from([2, 1]);
  const probs = be.zeros(2, 3);
  const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
  const expected = (-Math.log(Math.exp(3) / z) - Math.log(1 / 3)) / 2;
  assert.ok(Math.abs(softmaxNll(be, logits, labels, probs, null) - expected) < 1e-12);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(probs.get(i, 0) + probs.get(i, 1) + probs.get(i, 2) - 1) < 1e-12);
});
