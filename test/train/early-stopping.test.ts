import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EarlyStopping } from '../../src/train/early-stopping.ts';

test('EarlyStopping keeps the first strictly lowest error and stops after `patience` epochs without improvement', () => {
  const s = new EarlyStopping(2);
  const errors = [0.5, 0.3, 0.3, 0.4, 0.2];
  const stopAt = errors.findIndex((e, i) => (s.update(i + 1, e), s.shouldStop)) + 1;
  assert.equal(stopAt, 4);
  assert.deepEqual(s.state, { bestError: 0.3, bestEpoch: 2, sinceBest: 2 });
});

test('EarlyStopping with patience null never stops but tracks the best epoch', () => {
  const s = new EarlyStopping(null);
  [0.5, 0.1, 0.4, 0.4, 0.4, 0.4].forEach((e, i) => s.update(i + 1, e));
  assert.equal(s.shouldStop, false);
  assert.equal(s.state.bestEpoch, 2);
  assert.throws(() => new EarlyStopping(0), /patience must be an integer >= 1 or null/);
});
