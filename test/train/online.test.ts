import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { Sgd } from '../../src/nn/sgd.ts';
import type { ExampleStream } from '../../src/data/dataset.ts';
import { blockResampledOrder, headExamples } from '../../src/data/batches.ts';
import { createInfiniteMnist, INFINITE_MNIST_ORIGINALS } from '../../src/data/infinite-mnist.ts';
import { trainOnline } from '../../src/train/online.ts';
import { streamErrorByBlock } from '../../src/train/stream-error.ts';
import { createProbeRecorder, readProbeOutputs } from '../../src/analysis/probe-recorder.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { tempDir } from '../helpers/temp-dir.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';

const be = createReferenceBackend('float32');
const DIM = 6, K = 3;

/** Gaussian blobs as an unbounded stream: example i is a pure function of i; `seen` logs the indices read. */
function blobStream(): ExampleStream & { seen: number[] } {
  const centres = new Rng(11).fork('centres').fillUniform(new Float32Array(K * DIM));
  const seen: number[] = [];
  return {
    name: 'blobs', dim: DIM, nClasses: K, seen,
    example(i, x) {
      seen.push(i);
      const r = new Rng(12).fork('example', i);
      const c = r.int(K);
      for (let j = 0; j < DIM; j++) x[j] = centres[c * DIM + j]! + 0.3 * r.normal();
      return c;
    },
  };
}
/**
 * `stream` with every index it hands out recorded in `seen` (a Proxy, so the stream's own
 * properties, `firstTrainIndex` and `testIndices` included, are what trainOnline sees).
 */
function recorded<S extends ExampleStream>(stream: S): { stream: S; seen: number[] } {
  const seen: number[] = [];
  const proxy = new Proxy(stream, {
    get(target, key, receiver) {
      if (key === 'example') return (i: number, x: Float32Array) => (seen.push(i), target.example(i, x));
      if (key === 'batch' && target.batch) {
        return (start: number, count: number, x: Float32Array, y: Int32Array | null) => {
          for (let k = 0; k < count; k++) seen.push(start + k);
          target.batch!(start, count, x, y);
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { stream: proxy, seen };
}
const net = (): Mlp => Mlp.create(be, { nIn: DIM, hidden: [8], nClasses: K, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(5).fork('init'));

describe('trainOnline', () => {
  test('the online error counts each example with the network as it was BEFORE training on it', async () => {
    const stream = blobStream();
    const model = net();
    const r = await trainOnline({ model, stream, start: 100, updates: 300, lr: 0.5, blockSize: 100, window: 150 });
    // The same thing by hand: predict, then one SGD step, example by example.
    const twin = net(), opt = new Sgd(be, twin.parameters(), { lr: 0.5, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
    const x = be.zeros(1, DIM), y = new Int32Array(1), p = new Int32Array(1), wrong: number[] = [];
    for (let t = 0; t < 300; t++) {
      y[0] = stream.example(100 + t, x.data as Float32Array);
      be.argmaxRows(twin.forward(x, false), p);
      wrong.push(p[0] === y[0] ? 0 : 1);
      twin.trainStep(x, y, opt);
    }
    const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
    assert.deepEqual(r.blocks.map((b) => b.values['blockError']), [mean(wrong.slice(0, 100)), mean(wrong.slice(100, 200)), mean(wrong.slice(200))]);
    assert.deepEqual(r.blocks.map((b) => b.values['onlineError']), [mean(wrong.slice(0, 100)), mean(wrong.slice(50, 200)), mean(wrong.slice(150))]);
    assert.deepEqual(r.blocks.map((b) => b.values['examplesSeen']), [100, 200, 300]);
    assert.deepEqual(model.getFlat(), twin.getFlat());
    assert.ok(r.blocks[2]!.values['blockError']! < r.blocks[0]!.values['blockError']!, 'it learns');
  });

  test('examples come from the given order (a block-resampled sequence), and a partial last block is reported', async () => {
    const stream = blobStream();
    const order = blockResampledOrder({ length: 100, blocks: 4, varyBlock: 2, draw: 1, offset: 1000, rng: new Rng(1) });
    const blocks: number[] = [];
    await trainOnline({ model: net(), stream, order, updates: 45, batchSize: 2, lr: 0.1, blockSize: 40, hooks: { onEpoch: (m) => void blocks.push(m.values['examplesSeen']!) } });
    assert.deepEqual(stream.seen, [...order.subarray(0, 90)]);
    assert.deepEqual(blocks, [40, 80, 90]);
  });

  test('learns InfiniteMNIST online from a few thousand deformed digits; test error, probe epoch 0 and per-block error by position', { timeout: 30_000 }, async () => {
    const stream = await createInfiniteMnist();
    const test = { name: 'imnist-test', n: 500, dim: 784, nClasses: 10, x: new Float32Array(500 * 784), y: new Int32Array(500) };
    stream.batch(0, 500, test.x, test.y); // indices < 10,000 are MNIST's test set
    const model = Mlp.create(be, { nIn: 784, hidden: [32], nClasses: 10, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(2).fork('init'));
    const probePath = join(mkdtempSync(join(tmpdir(), 'online-')), 'probe.safetensors');
    const rec = createProbeRecorder({ path: probePath, probe: headExamples(test, 50) });
    const fed = recorded(stream);
    const r = await trainOnline({ model, stream: fed.stream, updates: 4000, lr: 0.1, blockSize: 1000, test, hooks: rec }); // the default start
    assert.equal(fed.seen.length, 4000);
    assert.equal(fed.seen[0], INFINITE_MNIST_ORIGINALS, 'by default training starts at the first deformed digit');
    assert.ok(fed.seen.every((i) => i >= 10_000), 'no MNIST test digit (index < 10,000) was ever trained on');
    const first = r.blocks[0]!.values, last = r.blocks.at(-1)!.values;
    assert.ok(last['blockError']! < 0.7 * first['blockError']!, `online error ${first['blockError']} -> ${last['blockError']}, test ${last['testError']}`);
    assert.ok(last['testError']! < 0.4, `test error ${last!['testError']}`);
    assert.deepEqual(readProbeOutputs(probePath).epochs, [0, 1, 2, 3, 4]);
    const indices = Int32Array.from({ length: 4000 }, (_, i) => INFINITE_MNIST_ORIGINALS + i);
    const byBlock = streamErrorByBlock({ model, stream, indices, blocks: 4 });
    assert.equal(byBlock.length, 4);
    assert.ok(byBlock.every((e) => e < first['blockError']!), `training-stream error by block ${[...byBlock]}`);
  });

  test('InfiniteMNIST: a start or order that would present an MNIST test digit is refused unless allowTestExamples opts in', async () => {
    const stream = await createInfiniteMnist();
    const model = (): Mlp => Mlp.create(be, { nIn: 784, hidden: [4], nClasses: 10, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(2).fork('init'));
    const base = { updates: 20, lr: 0.1, blockSize: 20 };
    await assert.rejects(trainOnline({ model: model(), stream, start: 0, ...base }), (e: Error) => e.name === 'ConfigError' && /start 0 .* held-out test examples \(stream indices 0\.\.9999\).*allowTestExamples: true/.test(e.message));
    await assert.rejects(trainOnline({ model: model(), stream, start: 9_990, ...base }), /indices 9990\.\.10009\) would train on/);
    const order = Int32Array.from({ length: 20 }, (_, k) => (k === 7 ? 9_999 : 80_000 + k));
    await assert.rejects(trainOnline({ model: model(), stream, order, ...base }), /order\[7\] = 9999 is one of/);
    const ok = recorded(stream);
    await trainOnline({ model: model(), stream: ok.stream, start: 10_000, ...base });
    assert.equal(ok.seen[0], 10_000, 'MNIST training digits are not held out');
    const optIn = recorded(stream);
    await trainOnline({ model: model(), stream: optIn.stream, start: 0, allowTestExamples: true, ...base });
    assert.deepEqual(optIn.seen, Array.from({ length: 20 }, (_, k) => k), 'with the opt-in, test digits are trained on as asked');
  });

  test('a stream without firstTrainIndex starts at 0, and its testIndices are held out like InfiniteMNIST\'s', async () => {
    const plain = recorded(blobStream());
    await trainOnline({ model: net(), stream: plain.stream, updates: 5, lr: 0.1, blockSize: 5 });
    assert.deepEqual(plain.seen, [0, 1, 2, 3, 4]);
    const held = { ...blobStream(), testIndices: { start: 0, end: 50 }, firstTrainIndex: 50 };
    await assert.rejects(trainOnline({ model: net(), stream: held, start: 49, updates: 5, lr: 0.1, blockSize: 5 }), /start 49/);
    const fed = recorded(held);
    await trainOnline({ model: net(), stream: fed.stream, updates: 5, lr: 0.1, blockSize: 5 });
    assert.deepEqual(fed.seen, [50, 51, 52, 53, 54]);
  });

  test('bad settings are refused before training, naming the setting', async () => {
    await assert.rejects(trainOnline({ model: net(), stream: blobStream(), updates: 10, batchSize: 3, lr: 0.1, blockSize: 10 }), /blockSize must be a positive multiple of batchSize 3/);
    await assert.rejects(trainOnline({ model: net(), stream: blobStream(), order: new Int32Array(5), updates: 10, lr: 0.1, blockSize: 5 }), /order has 5 indices/);
  });

  test('a run stopped after k updates and resumed from its checkpoint ends bit-identical to an uninterrupted run (weights, momentum, blocks, windows)', async () => {
    const dir = tempDir();
    const base = { stream: blobStream(), start: 500, updates: 120, batchSize: 2, lr: 0.3, momentum: 0.6, l2: 0.001, blockSize: 40, window: 30, selectWindow: 50, checkpointEvery: 7 };
    const whole = net();
    const ref = await trainOnline({ ...base, model: whole });
    const path = join(dir, 'online.safetensors');
    const stop = new Error('killed');
    const first = net();
    await assert.rejects(
      trainOnline({ ...base, model: first, checkpointPath: path, hooks: { onEpoch: (m) => { if (m.epoch === 2) throw stop; } } }),
      (e) => e === stop,
    );
    const saved = JSON.parse(readCheckpoint(path).metadata['state']!) as { tally: { updates: number } };
    assert.equal(saved.tally.updates, 35, 'block 2 ends at update 40 (80 examples); the last checkpoint before it is at update 35 (every 7)');
    let started = false;
    const resumed = net(); // freshly initialised: everything comes from the checkpoint
    const r = await trainOnline({ ...base, model: resumed, checkpointPath: path, resume: true, hooks: { onStart: () => void (started = true) } });
    assert.equal(r.resumedAt, 35);
    assert.equal(started, false, 'onStart is not called again on resume');
    assert.deepEqual(resumed.getFlat(), whole.getFlat());
    assert.deepEqual(r.blocks.map((b) => b.values), ref.blocks.map((b) => b.values));
    assert.deepEqual([r.select, r.total, r.onlineError], [ref.select, ref.total, ref.onlineError]);
    assert.ok(existsSync(path), 'the final state is checkpointed too');
  });

  test('resume refuses a checkpoint written with other options or another trial config', async () => {
    const dir = tempDir(), path = join(dir, 'online.safetensors');
    const base = { stream: blobStream(), updates: 20, lr: 0.3, blockSize: 10, window: 10, selectWindow: 10, checkpointPath: path, metadata: { config: 'A' } };
    await trainOnline({ ...base, model: net() });
    await assert.rejects(trainOnline({ ...base, model: net(), lr: 0.2, resume: true }), /written with other options/);
    await assert.rejects(trainOnline({ ...base, model: net(), resume: true, metadata: { config: 'B' } }), /different trial config/);
  });

  test('select and total score the last selectWindow and all examples, each before its update; first continues a sequence', async () => {
    const stream = blobStream();
    const order = Int32Array.from({ length: 300 }, (_, p) => 1000 + 3 * p);
    const model = net();
    const r = await trainOnline({ model, stream, order, first: 100, updates: 200, lr: 0.5, blockSize: 100, window: 150, selectWindow: 60 });
    assert.deepEqual(stream.seen, [...order.subarray(100, 300)], 'positions first .. first + updates - 1');
    assert.deepEqual(r.blocks.map((b) => b.values['streamPosition']), [200, 300]);
    const twin = net(), opt = new Sgd(be, twin.parameters(), { lr: 0.5, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
    const x = be.zeros(1, DIM), y = new Int32Array(1), p = new Int32Array(1), wrong: number[] = [], nll: number[] = [];
    for (let t = 100; t < 300; t++) {
      y[0] = stream.example(order[t]!, x.data as Float32Array);
      be.argmaxRows(twin.forward(x, false), p);
      wrong.push(p[0] === y[0] ? 0 : 1);
      nll.push(twin.trainStep(x, y, opt));
    }
    const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);
    assert.deepEqual(r.select, { error: sum(wrong.slice(140)) / 60, nll: sum(nll.slice(140)) / 60 });
    assert.equal(r.total.error, sum(wrong) / 200);
    assert.ok(Math.abs(r.total.nll - sum(nll) / 200) < 1e-12);
    await assert.rejects(trainOnline({ model: net(), stream, order, first: 150, updates: 200, lr: 0.5, blockSize: 100 }), /order has 300 indices but positions 150\.\.349/);
  });

  test('with first, an order is checked for held-out test examples at the positions actually used', async () => {
    const stream = await createInfiniteMnist();
    const order = Int32Array.from({ length: 40 }, (_, k) => (k === 5 ? 42 : 80_000 + k));
    const model = Mlp.create(be, { nIn: 784, hidden: [4], nClasses: 10, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(2).fork('init'));
    await assert.rejects(trainOnline({ model, stream, order, first: 0, updates: 20, lr: 0.1, blockSize: 20 }), /order\[5\] = 42 is one of infinite-mnist's held-out test examples/);
    await trainOnline({ model, stream, order, first: 10, updates: 20, lr: 0.1, blockSize: 20 }); // position 5 is pre-training's, not used here
  });

  test('streamErrorByBlock splits a length that is not a multiple of blocks as evenly as possible', () => {
    const stream = blobStream(), model = net();
    const indices = Int32Array.from({ length: 10 }, (_, i) => i);
    const byBlock = streamErrorByBlock({ model, stream, indices, blocks: 3, batchSize: 4 });
    const all = streamErrorByBlock({ model, stream, indices, blocks: 10 });
    const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    assert.deepEqual([...byBlock], [mean(all.subarray(0, 4)), mean(all.subarray(4, 7)), mean(all.subarray(7))]);
  });
});
