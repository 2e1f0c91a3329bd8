import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { resolveTrialConfig, type TrialConfigInput } from '../../src/train/config.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import type { EpochMetrics } from '../../src/train/hooks.ts';
import { cachedStackPath, stackCacheKey } from '../../src/train/pretrain-cache.ts';
import { runTrial } from '../../src/train/trial.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { toySplits } from '../helpers/toy-data.ts';

const be = createReferenceBackend('float32');
const toy = toySplits(3);
const noSeconds = (h: EpochMetrics[]): unknown => h.map(({ seconds: _s, values: { trainSeconds: _t, ...v }, ...m }) => ({ ...m, values: v }));

const base = (kind: 'sdae' | 'dbn', depth: number, over: Partial<{ lr: number; hidden: number | number[]; use: 'weights' | 'histogram'; pretrainLr: number }> = {}): TrialConfigInput => ({
  seed: 21,
  model: { depth, hidden: over.hidden ?? 5 },
  pretrain: { kind, epochs: 2, lr: over.pretrainLr ?? 0.05, batchSize: 4, use: over.use ?? 'weights' },
  finetune: { epochs: 2, lr: over.lr ?? 0.5, batchSize: 4, patience: null },
});

/** Runs a trial, returning its result and the pre-training layers it actually trained (one entry per epoch). */
async function run(config: TrialConfigInput, opts: { cache?: string; data?: typeof toy } = {}): Promise<{ r: TrialResult; trained: number[] }> {
  const trained: number[] = [];
  const r = await runTrial(config, {
    backend: be,
    data: opts.data ?? toy,
    ...(opts.cache ? { pretrainCache: opts.cache } : {}),
    hooks: { onEpoch: (m) => void (m.phase === 'pretrain' && trained.push(m.layer!)) },
  });
  return { r, trained };
}

function assertSameNumbers(a: TrialResult, b: TrialResult, what: string): void {
  assert.deepEqual(a.final, b.final, what);
  assert.deepEqual(noSeconds(a.history), noSeconds(b.history), what);
}

function withCache(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pretrain-cache-'));
    try {
      await fn(join(dir, 'pretrained'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('the study cache of pre-trained stacks', () => {
  for (const kind of ['sdae', 'dbn'] as const) {
    test(`${kind}: a trial of another fine-tuning rate loads the stack: no pre-training epoch, the same numbers as training it`, withCache(async (cache) => {
      const first = await run(base(kind, 2), { cache });
      assert.deepEqual(first.trained, [0, 0, 1, 1], 'the first trial trains both layers');
      assert.equal(first.r.pretrainCache, undefined);
      assert.equal(readdirSync(cache).length, 1, 'and stores the stack');
      const cached = await run(base(kind, 2, { lr: 0.3 }), { cache });
      assert.deepEqual(cached.trained, [], 'the second trains none');
      assert.deepEqual(cached.r.pretrainCache, { layers: 2 });
      const alone = await run(base(kind, 2, { lr: 0.3 }));
      assertSameNumbers(cached.r, alone.r, `${kind}: loaded vs trained`);
      assert.equal(alone.r.pretrainCache, undefined);
    }));
  }

  test('deeper networks continue a shallower one\'s stack, shallower ones take the bottom of a deeper one: bit-identical to training', withCache(async (cache) => {
    const one = await run(base('sdae', 1), { cache });
    assert.deepEqual(one.trained, [0, 0]);
    const three = await run(base('sdae', 3), { cache });
    assert.deepEqual(three.trained, [1, 1, 2, 2], 'layer 0 comes from the depth-1 trial');
    assert.deepEqual(three.r.pretrainCache, { layers: 1 });
    assertSameNumbers(three.r, (await run(base('sdae', 3))).r, 'depth 3');
    const file = readCheckpoint(readdirSync(cache).map((f) => join(cache, f))[0]!);
    assert.equal(file.metadata['sizes'], '[5,5,5]', 'the longer stack replaced the shorter');
    const two = await run(base('sdae', 2), { cache });
    assert.deepEqual(two.trained, []);
    assert.deepEqual(two.r.pretrainCache, { layers: 2 });
    assertSameNumbers(two.r, (await run(base('sdae', 2))).r, 'depth 2');
    // Another top size shares the bottom layer only, and does not replace the longer stack.
    const narrow = await run(base('sdae', 2, { hidden: [5, 3] }), { cache });
    assert.deepEqual(narrow.trained, [1, 1]);
    assertSameNumbers(narrow.r, (await run(base('sdae', 2, { hidden: [5, 3] }))).r, 'sizes [5, 3]');
    assert.equal(readCheckpoint(readdirSync(cache).map((f) => join(cache, f))[0]!).metadata['sizes'], '[5,5,5]');
  }));

  test('histogram and weights arms share a stack; another seed, pre-training setting or training set never matches', withCache(async (cache) => {
    await run(base('sdae', 2), { cache });
    const hist = await run(base('sdae', 2, { use: 'histogram' }), { cache });
    assert.deepEqual(hist.trained, []);
    assertSameNumbers(hist.r, (await run(base('sdae', 2, { use: 'histogram' }))).r, 'histogram');
    assert.deepEqual((await run(base('sdae', 2, { pretrainLr: 0.1 }), { cache })).trained, [0, 0, 1, 1], 'another pretrain.lr');
    assert.deepEqual((await run({ ...base('sdae', 2), seed: 22 }, { cache })).trained, [0, 0, 1, 1], 'another seed');
    const other = toySplits(4);
    const onOther = await run(base('sdae', 2), { cache, data: other });
    assert.deepEqual(onOther.trained, [0, 0, 1, 1], 'other inputs under the same data config');
    const cfg = resolveTrialConfig(base('sdae', 2));
    assert.notEqual(stackCacheKey(cfg, be.variant, toy.train), stackCacheKey(cfg, be.variant, other.train));
    assert.equal(readdirSync(cache).length, 4);
  }));

  test('an unreadable cache file is ignored and replaced, and the trial is not harmed', withCache(async (cache) => {
    const cfg = resolveTrialConfig(base('dbn', 2));
    const file = cachedStackPath(cache, stackCacheKey(cfg, be.variant, toy.train));
    await run(base('dbn', 2, { lr: 0.3 }), { cache });
    writeFileSync(file, 'not a safetensors file');
    const r = await run(base('dbn', 2), { cache });
    assert.deepEqual(r.trained, [0, 0, 1, 1]);
    assertSameNumbers(r.r, (await run(base('dbn', 2))).r, 'after a corrupt file');
    assert.equal(readCheckpoint(file).metadata['kind'], 'pretrained-stack', 'the file was rewritten');
    assert.ok(existsSync(file));
  }));
});

test('pre-training the bottom k of n layers (pretrain.layers) shares the stack of the bottom k + 1', withCache(async (cache) => {
  const kOfN = (k: number): TrialConfigInput => ({ ...base('sdae', 3), pretrain: { ...base('sdae', 3).pretrain, layers: k } });
  assert.deepEqual((await run(kOfN(2), { cache })).trained, [0, 0, 1, 1]);
  const one = await run(kOfN(1), { cache });
  assert.deepEqual(one.trained, []);
  assertSameNumbers(one.r, (await run(kOfN(1))).r, 'k = 1 of 3');
  const three = await run(kOfN(3), { cache });
  assert.deepEqual(three.trained, [2, 2]);
  assertSameNumbers(three.r, (await run(kOfN(3))).r, 'k = 3 of 3');
}));

test('labelled fractions (data.labeled) pre-train on the same inputs, so they share one stack', withCache(async (cache) => {
  assert.deepEqual((await run(base('sdae', 2), { cache })).trained, [0, 0, 1, 1]);
  const quarter: TrialConfigInput = { ...base('sdae', 2), data: { labeled: 0.25 } };
  const r = await run(quarter, { cache });
  assert.deepEqual(r.trained, []);
  assertSameNumbers(r.r, (await run(quarter)).r, 'a quarter of the labels');
}));

test('supervised pre-training: every transfer mode, number of copied layers and labelled fraction of a seed shares one source network, bit-identical to training it', withCache(async (cache) => {
  const small = { trainSize: 150, validSize: 40, testSize: 40 };
  const transfer = (over: { layers?: number; trainTop?: number | null; labeled?: number; seed?: number; sourceLr?: number } = {}): TrialConfigInput => ({
    seed: over.seed ?? 3,
    backend: 'reference',
    data: { name: 'mnist', labels: [5, 6, 7, 8, 9], ...small, ...(over.labeled !== undefined ? { labeled: over.labeled } : {}) },
    model: { depth: 2, hidden: 16, activation: 'relu', init: 'he' },
    pretrain: { kind: 'supervised', source: { name: 'mnist', labels: [0, 1, 2, 3, 4], ...small }, layers: over.layers ?? 1, epochs: 2, lr: over.sourceLr ?? 0.05, batchSize: 10 },
    finetune: { epochs: 1, lr: 0.05, batchSize: 10, patience: null, ...(over.trainTop !== undefined ? { trainTop: over.trainTop } : {}) },
  });
  const go = (cfg: TrialConfigInput, withIt: boolean) => runTrial(cfg, { backend: be, ...(withIt ? { pretrainCache: cache } : {}) });
  const first = await go(transfer(), true);
  assert.equal(first.pretrainCache, undefined, 'the first trial trains the source network');
  assert.equal(readdirSync(cache).filter((f) => f.startsWith('source-')).length, 1);
  for (const over of [{ layers: 2 }, { trainTop: 1 }, { labeled: 0.5 }]) {
    const cached = await go(transfer(over), true);
    assert.ok(cached.pretrainCache, JSON.stringify(over));
    assertSameNumbers(cached, await go(transfer(over), false), JSON.stringify(over));
  }
  assert.equal((await go(transfer({ seed: 4 }), true)).pretrainCache, undefined, 'another seed');
  assert.equal((await go(transfer({ sourceLr: 0.1 }), true)).pretrainCache, undefined, 'another source learning rate');
  assert.equal(readdirSync(cache).length, 3);
}));

describe('networks written as layers, pre-trained greedily in place', () => {
  const data = { name: 'mnist', trainSize: 120, validSize: 40, testSize: 40 };
  const conv = (over: { k?: number; lr?: number } = {}): TrialConfigInput => ({
    seed: 5,
    backend: 'reference',
    data,
    model: { layers: 'conv 4 5x5, pool 2, conv 6 3x3, dense 12', activation: 'relu', init: 'he' },
    pretrain: { kind: 'sdae', layers: over.k ?? 2, epochs: 1, lr: 0.01, batchSize: 10, loss: 'squared', decoder: 'identity' },
    finetune: { epochs: 1, lr: over.lr ?? 0.05, batchSize: 10, patience: null },
  });
  const go = async (cfg: TrialConfigInput, o: { cache?: string; dir?: string; resume?: boolean; crashAt?: number } = {}): Promise<{ r: TrialResult; trained: number[] }> => {
    const trained: number[] = [];
    const r = await runTrial(cfg, {
      backend: be,
      ...(o.cache ? { pretrainCache: o.cache } : {}),
      ...(o.dir ? { checkpointDir: o.dir } : {}),
      ...(o.resume ? { resume: true } : {}),
      hooks: {
        onEpoch: (m) => {
          if (m.phase !== 'pretrain') return;
          if (m.layer === o.crashAt) throw new Error('simulated crash');
          trained.push(m.layer!);
        },
      },
    });
    return { r, trained };
  };

  test('the stack is shared by the fine-tuning settings and by fewer pre-trained layers, bit-identical to training it', withCache(async (cache) => {
    assert.deepEqual((await go(conv(), { cache })).trained, [0, 1]);
    const other = await go(conv({ lr: 0.02 }), { cache });
    assert.deepEqual(other.trained, []);
    assert.deepEqual(other.r.pretrainCache, { layers: 2 });
    assertSameNumbers(other.r, (await go(conv({ lr: 0.02 }))).r, 'another fine-tuning rate');
    const one = await go(conv({ k: 1 }), { cache });
    assert.deepEqual(one.trained, []);
    assertSameNumbers(one.r, (await go(conv({ k: 1 }))).r, 'k = 1');
  }));

  test('a network pre-trained on 1 layer leaves its stack to one pre-trained on 2, which trains only the second', withCache(async (cache) => {
    await go(conv({ k: 1 }), { cache });
    const two = await go(conv(), { cache });
    assert.deepEqual(two.trained, [1]);
    assert.deepEqual(two.r.pretrainCache, { layers: 1 });
    assertSameNumbers(two.r, (await go(conv())).r, 'k = 2 after k = 1');
  }));

  test('a trial killed after its first pre-trained layer resumes from network-pretrain.safetensors and ends as an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'net-resume-'));
    try {
      await assert.rejects(go(conv(), { dir, crashAt: 1 }), /simulated crash/);
      assert.equal(readCheckpoint(join(dir, 'network-pretrain.safetensors')).metadata['kind'], 'pretrained-network');
      const resumed = await go(conv(), { dir, resume: true });
      assert.deepEqual(resumed.trained, [1], 'only the second layer is pre-trained again');
      assertSameNumbers(resumed.r, (await go(conv())).r, 'resumed');
      assert.equal(existsSync(join(dir, 'network-pretrain.safetensors')), false, 'removed once the trial completes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
