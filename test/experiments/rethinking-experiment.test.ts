import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment, hasSelectionPhase, settingKey, settingLabel } from '../../src/experiments/expand.ts';
import { experimentIds } from '../../src/experiments/registry.ts';
import { writeIdx } from '../../src/data/idx.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { runTrial } from '../../src/train/trial.ts';
import { trainingUpdates } from '../../src/nn/schedule.ts';
import rethinking from '../../experiments/rethinking.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const arms = (cells: { cell: Record<string, unknown> }[]): unknown[] => [...new Set(cells.map((t) => t.cell['arm']))];

test('rethinking quick: GN/BN x {pre-trained 1x, scratch 1x/2x/4x} x {100, 10, 1}% of the labels, 4 seeds, one rate (no selection trials)', () => {
  assert.ok(experimentIds().includes('rethinking'));
  const exp = resolveExperiment(rethinking, { preset: 'quick' });
  assert.deepEqual(exp.protocol, { selection: 'fresh-seeds', selectionSeeds: [100001, 100002, 100003], dataSeed: 0 });
  assert.equal(hasSelectionPhase(exp), false);
  const trials = expandExperiment(exp);
  assert.equal(trials.length, 2 * 4 * 3 * 4);
  assert.ok(trials.every((t) => t.phase === 'evaluation'));
  assert.deepEqual(arms(trials), ['pre-trained 1x', 'scratch 1x', 'scratch 2x', 'scratch 4x']);
  assert.equal(settingLabel(trials[0]!.cell), 'norm=group arm=pre-trained 1x labeled=1');
  for (const t of trials) {
    const c = t.config;
    assert.deepEqual([c.pretrain.kind, c.finetune.multiplier], t.cell['arm'] === 'pre-trained 1x' ? ['supervised', 1] : ['none', Number(String(t.cell['arm']).slice(8, 9))]);
    assert.deepEqual([c.data.name, c.data.labels, c.data.trainSize, c.data.seed], ['mnist', [5, 6, 7, 8, 9], 3000, 0]);
    assert.ok([1, 0.1, 0.01].includes(c.data.labeled!));
    assert.ok(c.model.norm === 'group' || c.model.norm === 'batch');
    assert.deepEqual([c.finetune.batchSize, c.finetune.schedule, c.finetune.stepsFromEnd, c.finetune.updates, c.finetune.evalEvery, c.finetune.patience, c.finetune.lr], [4, 'step', true, 1500, 375, null, 0.02]);
    if (c.pretrain.kind === 'supervised') {
      assert.equal(c.finetune.multiplier, 1, 'pre-trained at the 1x schedule only');
      assert.deepEqual(c.pretrain.source, { name: 'infinite-mnist', labels: [0, 1, 2, 3, 4], trainSize: 6000, validSize: 500, testSize: 500, binarize: 'none', seed: null, labeled: null });
    } else {
      assert.equal(c.pretrain.source, undefined, 'a trial from scratch carries no source (its hash does not depend on it)');
    }
  }
  const longest = trials.find((t) => t.config.finetune.multiplier === 4)!.config.finetune;
  assert.equal(trainingUpdates(longest, 750), 6000, 'the 4x schedule is 6000 updates whatever the epoch length');
  // The 1% and 100% cells of an arm differ in the fraction only, so they train on nested label subsets of one data seed.
  const cells = new Set(trials.map((t) => settingKey(t.cell)));
  assert.equal(cells.size, 24);
});

test('rethinking full: every training digit 5-9, rates chosen per cell on 3 selection seeds, 10 evaluation seeds', () => {
  const exp = resolveExperiment(rethinking, { preset: 'full' });
  assert.equal(hasSelectionPhase(exp), true);
  const selection = expandExperiment(exp);
  assert.equal(selection.length, 24 * 3 * 3);
  const chosen = new Map(selection.map((t) => [settingKey(t.cell), t.nuisance]));
  const all = expandExperiment(exp, chosen);
  assert.equal(all.length - selection.length, 24 * 10);
  const t = all.find((x) => x.phase === 'evaluation' && x.config.pretrain.kind === 'supervised')!;
  assert.deepEqual([t.config.data.trainSize, t.config.finetune.updates, t.config.finetune.evalEvery, t.config.pretrain.source?.trainSize, t.config.pretrain.epochs], [null, 18000, 4500, 50000, 5]);
});

test('the documented command for your own target data expands: an IDX target with all its classes, sizes left to the files', () => {
  const overrides = {
    'data.name': 'idx:train-images-idx3-ubyte.gz,train-labels-idx1-ubyte.gz,t10k-images-idx3-ubyte.gz,t10k-labels-idx1-ubyte.gz',
    'data.labels': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    'data.trainSize': null,
    'data.validSize': null,
    'data.testSize': null,
  };
  const trials = expandExperiment(resolveExperiment(rethinking, { preset: 'quick', overrides }));
  assert.equal(trials.length, 96);
  assert.ok(trials.every((t) => t.config.data.name === overrides['data.name'] && t.config.data.labels!.length === 10 && t.config.data.trainSize === null));
  assert.ok(trials.filter((t) => t.config.pretrain.kind === 'supervised').every((t) => t.config.pretrain.source?.name === 'infinite-mnist'));
});

/** A tiny IDX data set of 28x28 images in 3 classes (a bright square whose place is the class), written to `dir`. */
function tinyIdx(dir: string, n: number, seed: number): { images: string; labels: string } {
  const x = new Uint8Array(n * 784), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = (i * 7 + seed) % 3;
    y[i] = c;
    for (let r = 4; r < 12; r++) for (let k = 4 + 8 * c; k < 12 + 8 * c; k++) x[i * 784 + (r + ((i + seed) % 5)) * 28 + k] = 200 + ((i * 13) % 55);
  }
  const images = join(dir, `images-${seed}.idx`), labels = join(dir, `labels-${seed}.idx`);
  writeIdx(images, { type: 'uint8', dims: [n, 28, 28], data: x });
  writeIdx(labels, { type: 'uint8', dims: [n], data: y });
  return { images, labels };
}

test('on a user IDX target, a pre-trained (InfiniteMNIST 0-4 source) and a batch-norm scratch trial of the study run end to end', { timeout: 300_000 }, async () => {
  const dir = tempDir('pl-rethinking-idx-');
  const train = tinyIdx(dir, 120, 1), testSet = tinyIdx(dir, 30, 2);
  const overrides = {
    'data.name': `idx:${train.images},${train.labels},${testSet.images},${testSet.labels}`,
    'data.labels': [0, 1, 2],
    'data.trainSize': null, 'data.validSize': null, 'data.testSize': null,
    'data.labeled': [1, 0.1],
    'finetune.updates': 12, 'finetune.evalEvery': 4,
    'pretrain.source.trainSize': 40, 'pretrain.source.validSize': 10, 'pretrain.source.testSize': 10, 'pretrain.epochs': 1,
  };
  const trials = expandExperiment(resolveExperiment(rethinking, { preset: 'quick', overrides, seeds: 1 }));
  assert.equal(trials.length, 2 * 4 * 2);
  const be = createReferenceBackend('float32');
  const pre = trials.find((t) => t.config.pretrain.kind === 'supervised' && t.config.model.norm === 'group' && t.config.data.labeled === 0.1)!;
  const bn = trials.find((t) => t.config.pretrain.kind === 'none' && t.config.model.norm === 'batch' && t.config.finetune.multiplier === 2 && t.config.data.labeled === 1)!;
  const a = await runTrial(pre.config, { backend: be });
  // 100 training examples (the last sixth of 120 is validation), 10% of them: 10 in batches of 4, 3 updates per epoch.
  assert.deepEqual(a.history.filter((h) => h.phase === 'finetune').map((h) => h.values['updates']), [6, 9, 12]);
  assert.equal(a.history.filter((h) => h.phase === 'pretrain').length, 1, 'one source epoch');
  const b = await runTrial(bn.config, { backend: be });
  // All 100 labels: 25 updates per epoch, so the 24 updates of the 2x schedule end within the first epoch, its one evaluation.
  assert.deepEqual(b.history.filter((h) => h.phase === 'finetune').map((h) => h.values['updates']), [24]);
  for (const r of [a, b]) assert.ok(Number.isFinite(r.final.test.error) && Number.isFinite(r.final.train.error));
});
