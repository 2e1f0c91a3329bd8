import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadData, createInfiniteMnist } from '../../src/index.ts';
import { dataConfig } from '../helpers/data-config.ts';


test('loadData(mnist) with trainSize draws a class-stratified subset, deterministic from the seed', async () => {
  const a = await loadData(dataConfig('mnist', { trainSize: 1000, validSize: 500 }), 3);
  const b = await loadData(dataConfig('mnist', { trainSize: 1000, validSize: 500 }), 3);
  const c = await loadData(dataConfig('mnist', { trainSize: 1000, validSize: 500 }), 4);
  assert.equal(a.train.n, 1000);
  assert.equal(a.valid.n, 500);
  assert.equal(a.test.n, 10000);
  assert.deepEqual(a.train.y, b.train.y);
  assert.deepEqual(a.train.x, b.train.x);
  assert.notDeepEqual(a.train.x, c.train.x);
  const full = await loadData(dataConfig('mnist'), 3);
  const counts = new Array(10).fill(0), fullCounts = new Array(10).fill(0);
  for (const y of a.train.y) counts[y]++;
  for (const y of full.train.y) fullCounts[y]++;
  for (let k = 0; k < 10; k++) assert.ok(Math.abs(counts[k] - fullCounts[k] / 50) <= 1, `class ${k}: ${counts[k]} vs ${fullCounts[k] / 50}`);
});

test('loadData binarises after subsetting, with a stochastic sample drawn from the data stream', async () => {
  const a = await loadData(dataConfig('mnist', { trainSize: 200, binarize: 'stochastic' }), 3);
  const b = await loadData(dataConfig('mnist', { trainSize: 200, binarize: 'stochastic' }), 3);
  assert.ok(a.train.x.every((v) => v === 0 || v === 1));
  assert.deepEqual(a.train.x, b.train.x);
});

test('loadData(shapeset) is the paper-sized Shapeset, the same for every trial seed', async () => {
  const a = await loadData(dataConfig('shapeset', { testSize: 100 }), 1);
  const b = await loadData(dataConfig('shapeset', { testSize: 100 }), 2);
  assert.deepEqual([a.train.n, a.valid.n, a.test.n], [50000, 10000, 100]);
  assert.deepEqual(a.test.x, b.test.x);
});

test('loadData(infinite-mnist) with labels holds trainSize digits of those classes (a source task of digits 0-4)', async () => {
  const s = await loadData(dataConfig('infinite-mnist', { trainSize: 300, validSize: 50, testSize: 50, labels: [0, 1, 2, 3, 4] }), 1);
  assert.deepEqual([s.train.n, s.train.nClasses, s.valid.n, s.test.n], [300, 5, 50, 50]);
  const stream = await createInfiniteMnist();
  const x = new Float32Array(784);
  // The first kept digit is the first stream example (from 70,000) of class 0-4.
  let i = 70000;
  while (stream.label(i) > 4) i++;
  assert.equal(stream.example(i, x), s.train.y[0]);
  assert.deepEqual(s.train.x.subarray(0, 784), x);
  const again = await loadData(dataConfig('infinite-mnist', { trainSize: 300, validSize: 50, testSize: 50, labels: [0, 1, 2, 3, 4] }), 2);
  assert.deepEqual(again.train.x, s.train.x, 'the same digits for every trial');
});

test('loadData(infinite-mnist) materialises deformed digits of MNIST training sources only', async () => {
  // Stream example 70,000 + j is a deformation of source row j mod 60,000: rows 0..49,999 are the
  // training digits, rows 50,000..59,999 (examples 120,000..129,999) MNIST's validation digits,
  // which the filter must skip. 50,002 examples reach past them.
  const s = await loadData(dataConfig('infinite-mnist', { trainSize: 50002 }), 1);
  assert.equal(s.train.n, 50002);
  assert.equal(s.valid.n, 10000);
  const stream = await createInfiniteMnist();
  assert.deepEqual([stream.sourceRow(119999), stream.sourceRow(120000), stream.sourceRow(130000)], [49999, 50000, 0]);
  const x = new Float32Array(784);
  for (const [row, i] of [[0, 70000], [49999, 119999], [50000, 130000], [50001, 130001]] as const) {
    assert.equal(stream.example(i, x), s.train.y[row], `train[${row}] has the label of stream example ${i}`);
    assert.deepEqual(s.train.x.subarray(row * 784, (row + 1) * 784), x, `train[${row}] is stream example ${i}`);
  }
});
