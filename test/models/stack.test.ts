import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greedyStack, layerCorruption, layerStreams, propagateDataset, propagateUp, type LayerTask } from '../../src/models/stack.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { makeDataset } from '../../src/data/dataset.ts';
import { Rng } from '../../src/rng/rng.ts';
import type { DenseParams } from '../../src/nn/dense-params.ts';

const be = createReferenceBackend('float64');

function layer(nIn: number, nOut: number, seed: number): DenseParams {
  const r = new Rng(seed);
  return {
    W: be.fromArray(nIn, nOut, Array.from({ length: nIn * nOut }, () => r.uniform() * 2 - 1)),
    b: be.fromArray(1, nOut, Array.from({ length: nOut }, () => r.uniform() - 0.5)),
  };
}

/** sigmoid(x W + b) in plain loops. */
function plainForward(x: ArrayLike<number>, n: number, p: DenseParams): Float64Array {
  const nIn = p.W.rows, nOut = p.W.cols, out = new Float64Array(n * nOut);
  for (let i = 0; i < n; i++) for (let j = 0; j < nOut; j++) {
    let a = p.b.data[j]!;
    for (let k = 0; k < nIn; k++) a += x[i * nIn + k]! * p.W.data[k * nOut + j]!;
    out[i * nOut + j] = 1 / (1 + Math.exp(-a));
  }
  return out;
}

test('propagateUp computes sigmoid(x W + b) for every example, whatever the chunk size', () => {
  const n = 23, p = layer(7, 5, 1), r = new Rng(2);
  const x = Float32Array.from({ length: n * 7 }, () => r.uniform());
  const want = plainForward(x, n, p);
  for (const chunk of [1, 5, 23, 100]) {
    const got = propagateUp(be, x, n, p, chunk);
    assert.equal(got.length, n * 5);
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-6, `chunk ${chunk}, element ${i}`);
  }
  assert.throws(() => propagateUp(be, x, n + 1, p), /not 24 rows of 7/);
});

test('propagateDataset composes the layers and keeps the labels', () => {
  const n = 10, r = new Rng(3);
  const ds = makeDataset('toy', Float32Array.from({ length: n * 6 }, () => r.uniform()), Int32Array.from({ length: n }, (_, i) => i % 3), 6, 3);
  const l1 = layer(6, 4, 4), l2 = layer(4, 3, 5);
  const out = propagateDataset(be, ds, [l1, l2]);
  const want = plainForward(plainForward(ds.x, n, l1), n, l2);
  assert.equal(out.dim, 3);
  assert.equal(out.y, ds.y);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(out.x[i]! - want[i]!) < 1e-6);
});

test('greedyStack trains layer l on the mean-field codes of layers 0..l-1, with its own random streams', async () => {
  const n = 12, r = new Rng(6);
  const ds = makeDataset('toy', Float32Array.from({ length: n * 5 }, () => r.uniform()), new Int32Array(n), 5, 1);
  const trained = [layer(5, 4, 7), layer(4, 3, 8), layer(3, 2, 9)];
  const tasks: LayerTask[] = [];
  const out = await greedyStack(be, ds, [4, 3, 2], new Rng(11), async (task) => {
    tasks.push(task);
    assert.equal(task.input.dim, trained[task.layer]!.W.rows);
    return trained[task.layer]!;
  });
  assert.deepEqual(out, trained);
  assert.deepEqual(tasks.map((t) => [t.layer, t.nHidden]), [[0, 4], [1, 3], [2, 2]]);
  assert.equal(tasks[0]!.input, ds, 'layer 0 sees the data itself');
  const codes1 = plainForward(ds.x, n, trained[0]!), codes2 = plainForward(codes1, n, trained[1]!);
  for (let i = 0; i < codes2.length; i++) assert.ok(Math.abs(tasks[2]!.input.x[i]! - codes2[i]!) < 1e-6);
  assert.notEqual(tasks[0]!.streams.init.uniform(), tasks[1]!.streams.init.uniform());
  assert.equal(layerStreams(new Rng(11), 1).init.uniform(), new Rng(11).fork('layer1', 'init').uniform());
});

test('greedyStack resumes from already trained bottom layers: trains only the rest, on the same codes, and reports each new layer', async () => {
  const n = 10, r = new Rng(16);
  const ds = makeDataset('toy', Float32Array.from({ length: n * 5 }, () => r.uniform()), new Int32Array(n), 5, 1);
  const trained = [layer(5, 4, 17), layer(4, 3, 18), layer(3, 2, 19)];
  const inputs: Float32Array[] = [];
  const straight = await greedyStack(be, ds, [4, 3, 2], new Rng(1), async (task) => (inputs.push(task.input.x), trained[task.layer]!));
  const seen: number[] = [], reported: number[] = [];
  const resumed = await greedyStack(be, ds, [4, 3, 2], new Rng(1), async (task) => {
    seen.push(task.layer);
    assert.deepEqual(task.input.x, inputs[task.layer], 'the same codes as an uninterrupted run');
    assert.equal(task.streams.init.uniform(), layerStreams(new Rng(1), task.layer).init.uniform());
    return trained[task.layer]!;
  }, { done: trained.slice(0, 2), onLayer: (ls) => void reported.push(ls.length) });
  assert.deepEqual(seen, [2]);
  assert.deepEqual(reported, [3]);
  assert.deepEqual(resumed, straight);
  await assert.rejects(greedyStack(be, ds, [4, 3, 2], new Rng(1), async () => trained[0]!, { done: [trained[1]!] }), /done\[0\]\.W/);
  await assert.rejects(greedyStack(be, ds, [4], new Rng(1), async () => trained[0]!, { done: trained.slice(0, 2) }), /2 layers are already trained but the stack has only 1/);
});

test('layerCorruption gives one level to every layer or one per layer, and names a missing level', () => {
  assert.equal(layerCorruption(0.25, 3), 0.25);
  assert.deepEqual([0, 1, 2].map((l) => layerCorruption([0.1, 0.2, 0.3], l)), [0.1, 0.2, 0.3]);
  assert.throws(() => layerCorruption([0.1, 0.2], 2), /2 levels but layer 3/);
});
