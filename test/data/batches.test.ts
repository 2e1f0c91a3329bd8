import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchCount, blockResampledOrder, epochOrder, headExamples, minibatches, selectExamples, stratifiedIndices, subsetByFraction, subsetBySize, gatherBatch, makeDataset, createReferenceBackend, Rng } from '../../src/index.ts';

/** 1,000 examples of dim 3, labels with unequal class sizes (class k has ~ (k+1) share). */
function toy() {
  const n = 1000, y = new Int32Array(n), x = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    y[i] = i % 10 < 1 ? 0 : i % 10 < 4 ? 1 : 2;
    x.set([i, i + 0.5, -i], i * 3);
  }
  return makeDataset('toy', x, y, 3, 3);
}

test('epochOrder is a permutation, a pure function of (stream, epoch), different across epochs', () => {
  const r = new Rng(4).fork('order');
  const a = epochOrder(500, r, 3);
  assert.deepEqual([...a].sort((p, q) => p - q), Array.from({ length: 500 }, (_, i) => i));
  assert.deepEqual(epochOrder(500, new Rng(4).fork('order'), 3), a, 'same stream and epoch, same order');
  assert.notDeepEqual(epochOrder(500, r, 4), a);
  assert.notDeepEqual(epochOrder(500, new Rng(5).fork('order'), 3), a);
});

test('minibatches cover the order once, as views, with a short last batch unless dropLast', () => {
  const order = epochOrder(10, new Rng(1), 0);
  const bs = [...minibatches(order, 4)];
  assert.deepEqual(bs.map((b) => b.length), [4, 4, 2]);
  assert.deepEqual(bs.flatMap((b) => [...b]), [...order]);
  assert.equal(bs[1]!.buffer, order.buffer, 'no copy');
  assert.deepEqual([...minibatches(order, 4, { dropLast: true })].map((b) => b.length), [4, 4]);
  assert.equal(batchCount(10, 4), 3);
  assert.equal(batchCount(10, 4, true), 2);
  assert.throws(() => batchCount(10, 0), /batch size/);
});

test('stratified subsets keep class proportions, are deterministic and hold distinct examples', () => {
  const ds = toy();
  const idx = stratifiedIndices(ds.y, 3, 100, new Rng(2).fork('data', 'subset'));
  assert.equal(idx.length, 100);
  assert.equal(new Set(idx).size, 100);
  const counts = [0, 0, 0];
  for (const i of idx) counts[ds.y[i]!]!++;
  assert.deepEqual(counts, [10, 30, 60]);
  assert.deepEqual(stratifiedIndices(ds.y, 3, 100, new Rng(2).fork('data', 'subset')), idx);
  assert.notDeepEqual(stratifiedIndices(ds.y, 3, 100, new Rng(3).fork('data', 'subset')), idx);
  const sub = subsetBySize(ds, 100, new Rng(2).fork('data', 'subset'));
  assert.equal(sub.n, 100);
  for (let r = 0; r < 100; r++) {
    assert.equal(sub.y[r], ds.y[idx[r]!]);
    assert.equal(sub.x[r * 3], idx[r]);
  }
  assert.equal(subsetByFraction(ds, 0.01, new Rng(1)).n, 10);
  assert.equal(subsetBySize(ds, 5000, new Rng(1)), ds, 'a size beyond n keeps everything');
});

test('odd sizes still sum exactly, by largest remainder', () => {
  const ds = toy();
  for (const size of [1, 7, 333, 999, 1000]) assert.equal(stratifiedIndices(ds.y, 3, size, new Rng(1)).length, size);
});

test('headExamples and selectExamples slice and copy examples with their labels', () => {
  const ds = toy();
  const h = headExamples(ds, 5);
  assert.equal(h.n, 5);
  assert.equal(h.x.buffer, ds.x.buffer);
  const s = selectExamples(ds, [9, 2]);
  assert.deepEqual([...s.x], [9, 9.5, -9, 2, 2.5, -2]);
  assert.deepEqual([...s.y], [ds.y[9], ds.y[2]]);
  assert.throws(() => selectExamples(ds, [1000]), /outside/);
});

test('gatherBatch copies a minibatch of a dataset into a backend matrix', () => {
  const ds = toy();
  const be = createReferenceBackend('float32');
  const order = epochOrder(ds.n, new Rng(1), 0);
  const b = [...minibatches(order, 8)][2]!;
  const m = be.zeros(8, 3);
  const labels = new Int32Array(8);
  gatherBatch(ds, b, m, labels);
  for (let r = 0; r < 8; r++) {
    assert.equal(m.get(r, 0), b[r]);
    assert.equal(labels[r], ds.y[b[r]!]);
  }
});

test('blockResampledOrder changes only the varied block, and each draw differently (Experiment 7)', () => {
  const rng = new Rng(7).fork('order');
  const base = { length: 1000, blocks: 10, rng };
  for (const poolSize of [undefined, 300]) {
    const ref = blockResampledOrder({ ...base, varyBlock: -1, draw: 0, ...(poolSize ? { poolSize } : {}) });
    const d1 = blockResampledOrder({ ...base, varyBlock: 3, draw: 1, ...(poolSize ? { poolSize } : {}) });
    const d2 = blockResampledOrder({ ...base, varyBlock: 3, draw: 2, ...(poolSize ? { poolSize } : {}) });
    for (let t = 0; t < 1000; t++) {
      const inBlock = t >= 300 && t < 400;
      if (!inBlock) {
        assert.equal(d1[t], ref[t]);
        assert.equal(d2[t], ref[t]);
      }
    }
    const blk = (o: Int32Array) => [...o.subarray(300, 400)];
    assert.notDeepEqual(blk(d1), blk(ref));
    assert.notDeepEqual(blk(d1), blk(d2));
    assert.deepEqual(blockResampledOrder({ ...base, varyBlock: 3, draw: 0, ...(poolSize ? { poolSize } : {}) }), ref, 'draw 0 is the baseline');
    if (poolSize) assert.ok(d1.every((i) => i >= 0 && i < poolSize));
  }
  // Unbounded stream: fresh draws never reuse an example of the baseline sequence.
  const s1 = blockResampledOrder({ ...base, varyBlock: 3, draw: 1, offset: 70000 });
  const baseSet = new Set(blockResampledOrder({ ...base, varyBlock: -1, draw: 0, offset: 70000 }));
  assert.ok([...s1.subarray(300, 400)].every((i) => !baseSet.has(i)));
  assert.throws(() => blockResampledOrder({ ...base, length: 1001, varyBlock: 0, draw: 0 }), /multiple/);
});
