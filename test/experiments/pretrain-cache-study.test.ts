import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { RunStore } from '../../src/experiments/store.ts';
import type { TrialFunction } from '../../src/experiments/trial-function.ts';
import { runTrial } from '../../src/train/trial.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const exp = resolveExperiment(
  defineExperiment({
    id: 'cache-study',
    paper: 'Erhan et al. 2010, Section 5.3 (a selection grid over fine-tuning rates)',
    description: 'two fine-tuning rates x two uses of one SDAE stack, selection then evaluation seeds',
    backend: 'reference',
    data: { name: 'mnist', trainSize: 100, validSize: 50, testSize: 50 },
    model: { depth: 2, hidden: 8 },
    pretrain: { kind: 'sdae', epochs: 1, batchSize: 10 },
    finetune: { epochs: 1, batchSize: 10 },
    scientific: { 'pretrain.use': ['weights', 'histogram'] },
    nuisance: { lr: [0.5, 0.2] },
    seeds: 1,
    protocol: { selection: 'fresh-seeds', selectionSeeds: 2 },
  }),
  {},
);

test('the trials of a study pre-train each stack once: the store caches it while the study runs and drops it when complete', async () => {
  const runsDir = tempDir();
  const store = new RunStore(`${runsDir}/cache-study`);
  let seenCache = 0;
  const watching: TrialFunction = async (config, opts) => {
    assert.equal(opts.pretrainCache, store.pretrainedDir, 'the runner hands every trial the store\'s cache');
    if (fs.existsSync(store.pretrainedDir)) seenCache++;
    return runTrial(config, opts);
  };
  const s = await runExperiment(exp, { runsDir, trial: watching });
  // Selection: 2 uses x 2 rates x 2 selection seeds (one stack a seed); evaluation: 2 uses x 1 seed.
  assert.equal(s.ran, 10);
  const reused = [...s.records.values()].map((r) => r.result?.pretrainCache?.layers ?? 0).sort();
  assert.deepEqual(reused, [0, 0, 0, 2, 2, 2, 2, 2, 2, 2], 'one trial a seed trains the stack, the others load it');
  assert.equal(seenCache, 9, 'the cache lasts across the phases');
  assert.equal(fs.existsSync(store.pretrainedDir), false, 'a complete study drops its cache');
  assert.match(fs.readFileSync(writeReport(s.storeDir).path, 'utf8'), /7 of the 10 trials loaded their pre-trained layers from the study's shared cache/);
  // The loaded stacks gave the numbers training would have: each trial alone, without the cache.
  for (const r of s.records.values()) {
    const alone = await runTrial(r.config, {});
    assert.deepEqual(alone.final, r.result!.final, JSON.stringify(r.config.finetune.lr));
  }
});

test('through worker processes too: two workers share the store\'s cache, and their records equal one process\'s', async () => {
  const inProcess = await runExperiment(exp, { runsDir: tempDir(), trial: runTrial });
  const runsDir = tempDir();
  const pooled = await runExperiment(exp, { runsDir, workers: 2 });
  assert.equal(pooled.ran, 10);
  for (const [hash, r] of inProcess.records) {
    assert.deepEqual(pooled.records.get(hash)?.result?.final, r.result!.final, `trial ${hash.slice(0, 12)}`);
  }
  // Which trials load a stack depends on which finish first; with two workers some must.
  const reused = [...pooled.records.values()].filter((r) => r.result?.pretrainCache).length;
  assert.ok(reused >= 1 && reused <= 7, `${reused} trials loaded a stack`);
  assert.equal(fs.existsSync(new RunStore(`${runsDir}/cache-study`).pretrainedDir), false);
});

test('pretrainCache: false (run --no-pretrain-cache): every trial trains its own stack, and the numbers are the same', async () => {
  const runsDir = tempDir();
  const trained: TrialFunction = async (config, opts) => {
    assert.equal(opts.pretrainCache, undefined);
    return runTrial(config, opts);
  };
  const s = await runExperiment(exp, { runsDir, trial: trained, pretrainCache: false });
  assert.equal(s.ran, 10);
  assert.equal([...s.records.values()].filter((r) => r.result?.pretrainCache).length, 0);
  const cached = await runExperiment(exp, { runsDir: tempDir(), trial: runTrial });
  for (const [hash, r] of cached.records) assert.deepEqual(s.records.get(hash)?.result?.final, r.result!.final);
});
