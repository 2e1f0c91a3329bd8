import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { initDense, initWeights } from '../../src/nn/init.ts';

const be = createReferenceBackend('float32');

test('uniform-fanin draws from uniform[-1/sqrt(nIn), 1/sqrt(nIn)] with the right spread (Section 5.3)', () => {
  const W = initWeights(be, 'uniform-fanin', 400, 50, new Rng(1).fork('init'));
  const r = 1 / Math.sqrt(400);
  let max = 0, sq = 0;
  for (const v of W.data) {
    max = Math.max(max, Math.abs(v));
    sq += v * v;
  }
  assert.ok(max <= r && max > 0.99 * r, `max |w| ${max} vs bound ${r}`);
  const variance = sq / W.size;
  assert.ok(Math.abs(variance - (r * r) / 3) < 0.05 * (r * r) / 3, `variance ${variance} vs ${(r * r) / 3}`);
});

test('glorot bound is sqrt(6 / (nIn + nOut)); he has std sqrt(2 / nIn); biases start at zero', () => {
  const g = initDense(be, 'glorot', 300, 100, new Rng(2).fork('init'));
  const bound = Math.sqrt(6 / 400);
  assert.ok(g.W.data.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...g.W.data.map(Math.abs)) > 0.99 * bound);
  assert.ok(g.b.data.every((v) => v === 0));
  const h = initWeights(be, 'he', 200, 200, new Rng(3).fork('init'));
  const std = Math.sqrt(be.sumSquares(h) / h.size);
  assert.ok(Math.abs(std - Math.sqrt(2 / 200)) < 0.03 * Math.sqrt(2 / 200), `he std ${std}`);
});

test('the same init stream gives the same weights; another seed gives others', () => {
  const a = initWeights(be, 'uniform-fanin', 10, 7, new Rng(9).fork('init'));
  const b = initWeights(be, 'uniform-fanin', 10, 7, new Rng(9).fork('init'));
  const c = initWeights(be, 'uniform-fanin', 10, 7, new Rng(10).fork('init'));
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(a.data, c.data);
});
