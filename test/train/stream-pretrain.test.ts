import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import type { Dataset, ExampleStream } from '../../src/data/dataset.ts';
import { layerStreams } from '../../src/models/stack.ts';
import type { DenseParams } from '../../src/nn/dense-params.ts';
import { Rng } from '../../src/rng/rng.ts';
import { readCheckpoint, writeCheckpoint } from '../../src/train/checkpoint.ts';
import { pretrainConfigSchema, type PretrainConfig } from '../../src/train/config.ts';
import type { EpochMetrics } from '../../src/train/hooks.ts';
import { pretrainStack } from '../../src/train/pretrain.ts';
import { pretrainStream, type StreamPretrainOptions } from '../../src/train/stream-pretrain.ts';
import { toySplits } from '../helpers/toy-data.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const be = createReferenceBackend('float32');
const data = toySplits(11, { train: 120, valid: 1, test: 1 }, 12).train; // 120 examples in [0, 1]^12
const SIZES = [8, 5];

function cfg(over: Partial<PretrainConfig>): PretrainConfig {
  return pretrainConfigSchema.parse({ kind: 'sdae', epochs: 1, lr: 0.1, batchSize: 4, ...over });
}

/** Rows of `ds` by stream position (`row(p)`), as a stream with and without a batch method. */
function rowStream(ds: Dataset, row: (p: number) => number, extra: Partial<ExampleStream> = {}): ExampleStream {
  const d = ds.dim;
  const example = (p: number, x: Float32Array | Float64Array): number => {
    const i = row(p);
    x.set(ds.x.subarray(i * d, (i + 1) * d));
    return ds.y[i]!;
  };
  return {
    name: `${ds.name}/stream`, dim: d, nClasses: ds.nClasses,
    example: (p, x) => example(p, x),
    batch: (start, count, xOut, yOut) => {
      const x = new Float32Array(d);
      for (let r = 0; r < count; r++) {
        const y = example(start + r, x);
        xOut.set(x, r * d);
        if (yOut) yOut[r] = y;
      }
    },
    ...extra,
  };
}

/**
 * The stream whose example p is the data-set row that one epoch per layer of `pretrainStack`
 * visits at its p-th draw: layer l's positions [l n, (l + 1) n) follow layer l's permutation,
 * drawn from the same `order` stream.
 */
function visitStream(ds: Dataset, rng: Rng, layers: number): ExampleStream {
  const perms = Array.from({ length: layers }, (_, l) => layerStreams(rng, l).order.permutation(ds.n));
  return rowStream(ds, (p) => perms[Math.floor(p / ds.n)]![p % ds.n]!);
}

function assertSameLayers(a: readonly DenseParams[], b: readonly DenseParams[], what: string): void {
  assert.equal(a.length, b.length);
  a.forEach((p, l) => {
    assert.deepEqual(p.W.data, b[l]!.W.data, `${what}: layer ${l + 1} W`);
    assert.deepEqual(p.b.data, b[l]!.b.data, `${what}: layer ${l + 1} b`);
  });
}

const CASES: [string, Partial<PretrainConfig>][] = [
  ['SDAE, mean propagation, momentum and l2', { kind: 'sdae', momentum: 0.5, l2: 1e-3 }],
  ['SDAE, sampled propagation, untied, salt-and-pepper', { kind: 'sdae', propagate: 'sample', tied: false, noise: 'salt-pepper', corruption: [0.1, 0.3] }],
  ['DBN, CD-1, mean propagation', { kind: 'dbn' }],
  ['DBN, persistent CD-2, sampled propagation, momentum', { kind: 'dbn', persistent: true, cdK: 2, propagate: 'sample', momentum: 0.5, batchSize: 3 }],
];

for (const [name, over] of CASES) {
  test(`streamed pre-training equals one epoch per layer of materialised pre-training on the same rows in the same order: ${name}`, async () => {
    const c = cfg(over);
    const epochs: EpochMetrics[] = [];
    const materialised = await pretrainStack(be, data, SIZES, c, new Rng(5).fork('pretrain'), { onEpoch: (m) => void epochs.push(m) });
    const stream = visitStream(data, new Rng(5).fork('pretrain'), SIZES.length);
    const base = { backend: be, stream, sizes: SIZES, cfg: c, rng: new Rng(5).fork('pretrain'), examplesPerLayer: data.n, blockSize: data.n };
    const contiguous = await pretrainStream({ ...base, start: 0 }); // through stream.batch
    assertSameLayers(contiguous.layers, materialised, 'stream.batch');
    const byIndex = await pretrainStream({ ...base, start: 0, order: Int32Array.from({ length: 2 * data.n }, (_, p) => p) }); // through stream.example
    assertSameLayers(byIndex.layers, materialised, 'stream.example');
    assert.deepEqual(contiguous.history.map((m) => [m.layer, m.values.reconstruction]), epochs.map((m) => [m.layer, m.values.reconstruction]),
      'one block per layer: its reconstruction is the epoch\'s');
    assert.equal(contiguous.examplesUsed, 2 * data.n);
  });
}

/** Options of a 2-layer run from a plain stream (row p mod n), for resume tests. */
function resumable(over: Partial<PretrainConfig>, path: string, extra: Partial<StreamPretrainOptions> = {}): StreamPretrainOptions {
  return {
    backend: be, stream: rowStream(data, (p) => (p * 7) % data.n), sizes: SIZES, cfg: cfg(over), rng: new Rng(9).fork('pretrain'),
    examplesPerLayer: 120, start: 0, blockSize: 20, checkpointPath: path, checkpointEvery: 7, metadata: { config: 'A' }, ...extra,
  };
}

const RESUME_CASES: [string, Partial<PretrainConfig>][] = [
  CASES[1]!,
  ['DBN, persistent CD-1, sampled propagation, momentum', { kind: 'dbn', persistent: true, propagate: 'sample', momentum: 0.5, lr: 0.02 }],
];
for (const [name, over] of RESUME_CASES) {
  for (const killLayer of [0, 1]) {
    test(`a run killed inside layer ${killLayer + 1} resumes from its mid-layer checkpoint bit-identically: ${name}`, async () => {
      const dir = tempDir();
      const full = await pretrainStream(resumable(over, join(dir, 'full.safetensors')));
      const path = join(dir, 'killed.safetensors');
      const kill = { onEpoch: (m: EpochMetrics) => { if (m.layer === killLayer && m.epoch === 4) throw new Error('killed'); } };
      await assert.rejects(pretrainStream(resumable(over, path, { hooks: kill })), /killed/);
      const state = JSON.parse(readCheckpoint(path).metadata['streamPretrain']!) as { state: { layersDone: number; position: number } };
      assert.equal(state.state.layersDone, killLayer, 'the checkpoint is inside the killed layer');
      assert.equal(state.state.position, 56, 'the last checkpoint: update 14 of batch 4 (every 7 updates), not a block end');
      const seen: EpochMetrics[] = [];
      const resumed = await pretrainStream(resumable(over, path, { resume: true, hooks: { onEpoch: (m) => void seen.push(m) } }));
      assert.deepEqual(seen.map((m) => [m.layer, m.epoch])[0], [killLayer, 3], 'training continues inside the layer, in block 3');
      assertSameLayers(resumed.layers, full.layers, 'resumed');
      const values = (h: EpochMetrics[]) => h.map((m) => [m.layer, m.epoch, m.values]);
      assert.deepEqual(values(resumed.history), values(full.history), 'the history, restored blocks included, is the uninterrupted run\'s');
    });
  }
}

test('a finished run resumes to its layers without training, and a checkpoint from another config or run is refused', async () => {
  const dir = tempDir(), path = join(dir, 'p.safetensors');
  const first = await pretrainStream(resumable({ kind: 'dbn' }, path));
  let steps = 0;
  const again = await pretrainStream(resumable({ kind: 'dbn' }, path, { resume: true, hooks: { onProgress: () => void steps++ } }));
  assert.equal(steps, 0);
  assertSameLayers(again.layers, first.layers, 'resumed from the final checkpoint');
  await assert.rejects(pretrainStream(resumable({ kind: 'dbn' }, path, { resume: true, metadata: { config: 'B' } })),
    (e: Error) => e.name === 'StaleStateError' && /written by another config/.test(e.message) && /delete the file/.test(e.message));
  await assert.rejects(pretrainStream(resumable({ kind: 'dbn', lr: 0.2 }, path, { resume: true })),
    (e: Error) => e.name === 'StaleStateError' && /other layer sizes, pretrain settings/.test(e.message));
  await assert.rejects(pretrainStream(resumable({ kind: 'dbn' }, path, { resume: true, start: 1 })), /other layer sizes/);
  const other = join(dir, 'model.safetensors');
  writeCheckpoint(other, {}, { kind: 'model', config: 'A' });
  await assert.rejects(pretrainStream(resumable({ kind: 'dbn' }, other, { resume: true })), /not a streamed pre-training checkpoint/);
  const fresh = await pretrainStream(resumable({ kind: 'dbn' }, path, { metadata: { config: 'B' } }));
  assertSameLayers(fresh.layers, first.layers, 'without resume the file is overwritten and training starts afresh');
});

test('the stream\'s held-out test indices are refused unless allowTestExamples opts in', async () => {
  const held = rowStream(data, (p) => p % data.n, { testIndices: { start: 0, end: 50 }, firstTrainIndex: 50 });
  const base = { backend: be, stream: held, sizes: [4], cfg: cfg({}), rng: new Rng(1), examplesPerLayer: 20, blockSize: 20 };
  await assert.rejects(pretrainStream({ ...base, start: 0 }),
    (e: Error) => e.name === 'ConfigError' && /pretrainStream: start 0 with 20 examples .* held-out test examples \(stream indices 0\.\.49\).*allowTestExamples: true/.test(e.message));
  await assert.rejects(pretrainStream({ ...base, start: 40 }), /indices 40\.\.59\) would train on/);
  const order = Int32Array.from({ length: 20 }, (_, k) => (k === 13 ? 49 : 100 + k));
  await assert.rejects(pretrainStream({ ...base, start: 0, order }), /order\[13\] = 49 is one of/);
  const ok = await pretrainStream({ ...base, start: 50 });
  assert.equal(ok.layers.length, 1);
  await pretrainStream({ ...base, start: 0, allowTestExamples: true });
});

test('bad streamed pre-training options are refused before any work, naming the option', async () => {
  const base = { backend: be, stream: rowStream(data, (p) => p % data.n), sizes: [4], cfg: cfg({}), rng: new Rng(1), examplesPerLayer: 20, blockSize: 20, start: 0 };
  const cases: [Partial<StreamPretrainOptions>, RegExp][] = [
    [{ examplesPerLayer: 22 }, /examplesPerLayer must be a positive multiple of pretrain\.batchSize 4/],
    [{ blockSize: 6 }, /blockSize must be a positive multiple/],
    [{ checkpointEvery: 0 }, /checkpointEvery must be an integer >= 1/],
    [{ cfg: cfg({ lrDecay: 0.1 }) }, /lrDecay is 0\.1; streamed pre-training .* constant rate/],
    [{ cfg: cfg({ kind: 'none' }) }, /pretrain\.kind/],
    [{ sizes: [4, 3], cfg: cfg({ corruption: [0.1] }) }, /pretrain\.corruption/],
    [{ order: new Int32Array(10) }, /order has 10 indices but 1 layers of 20 examples need 20/],
  ];
  for (const [over, re] of cases) await assert.rejects(pretrainStream({ ...base, ...over }), (e: Error) => e.name === 'ConfigError' && re.test(e.message), String(re));
});
