import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadData } from '../../src/data/load.ts';
import { createInfiniteMnist } from '../../src/data/infinite-mnist.ts';

const cfg = (name: string, more: object = {}) => ({ name, trainSize: null, validSize: null, testSize: null, binarize: 'none' as const, ...more });

test('loadData(mnist) with trainSize draws a class-stratified subset, deterministic from the seed', async () => {
  const a = await loadData(cfg('mnist', { trainSize: 1000, validSize: 500 }), 3);
  const b = await loadData(cfg('mnist', { trainSize: 1000, validSize: 500 }), 3);
  const c = await loadData(cfg('mnist', { trainSize: 1000, validSize: 500 }), 4);
  assert.equal(a.train.n, 1000);
  assert.equal(a.valid.n, 500);
  assert.equal(a.test.n, 10000);
  assert.deepEqual(a.train.y, b.train.y);
  assert.deepEqual(a.train.x, b.train.x);
  assert.notDeepEqual(a.train.x, c.train.x);
  const full = await loadData(cfg('mnist'), 3);
  const counts = new Array(10).fill(0), fullCounts = new Array(10).fill(0);
  for (const y of a.train.y) counts[y]++;
  for (const y of full.train.y) fullCounts[y]++;
  for (let k = 0; k < 10; k++) assert.ok(Math.abs(counts[k] - fullCounts[k] / 50) <= 1, `class ${k}: ${counts[k]} vs ${fullCounts[k] / 50}`);
});

test('loadData binarises after subsetting, with a stochastic sample drawn from the data stream', async () => {
  const a = await loadData(cfg('mnist', { trainSize: 200, binarize: 'stochastic' }), 3);
  const b = await loadData(cfg('mnist', { trainSize: 200, binarize: 'stochastic' }), 3);
  assert.ok(a.train.x.every((v) => v === 0 || v === 1));
  assert.deepEqual(a.train.x, b.train.x);
});

test('loadData(shapeset) is the paper-sized Shapeset, the same for every trial seed', async () => {
  const a = await loadData(cfg('shapeset', { testSize: 100 }), 1);
  const b = await loadData(cfg('shapeset', { testSize: 100 }), 2);
  assert.deepEqual([a.train.n, a.valid.n, a.test.n], [50000, 10000, 100]);
  assert.deepEqual(a.test.x, b.test.x);
});

test('loadData(infinite-mnist) materialises deformed digits of MNIST training sources only', async () => {
  const s = await loadData(cfg('infinite-mnist', { trainSize: 300 }), 1);
  assert.equal(s.train.n, 300);
  assert.equal(s.valid.n, 10000);
  const stream = await createInfiniteMnist();
  const x = new Float32Array(784);
  assert.equal(stream.example(70000, x), s.train.y[0]);
  assert.deepEqual(s.train.x.subarray(0, 784), x);
});
