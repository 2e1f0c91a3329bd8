import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineExperiment, ExperimentError, resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment, hasSelectionPhase, settingKey, uniqueTrials } from '../../src/experiments/expand.ts';
import { runExperiment, summarize } from '../../src/experiments/runner.ts';
import { RunStore } from '../../src/experiments/store.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';
import type { TrialFunction } from '../../src/experiments/trial-function.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';
import { loadData } from '../../src/data/load.ts';
import { describeSplits } from '../../src/data/split-summary.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cli } from '../helpers/run-cli.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SYNTH = path.join(here, '..', 'fixtures', 'experiments', 'synthetic-trial.ts');
const TOY = path.join(here, '..', 'fixtures', 'experiments', 'toy-experiment.ts');

const input: ExperimentInput = {
  id: 'proto',
  paper: 'Erhan et al. 2010, Section 5.3 (synthetic)',
  description: 'selection seeds vs evaluation seeds',
  backend: 'reference',
  data: { name: 'mnist', trainSize: 100 },
  model: { hidden: 8 },
  finetune: { epochs: 2 },
  scientific: { depth: [1, 2] },
  nuisance: { lr: [0.1, 0.02] },
  seeds: 3,
  protocol: { selectionSeeds: 2 },
};
const resolve = (over: Partial<ExperimentInput> = {}, opts = {}) => resolveExperiment(defineExperiment({ ...input, ...over }), opts);

/**
 * A trial whose test error encodes its seed (seed / 1e7) and whose validation error prefers
 * lr 0.1 on the selection seeds (> 100000) but lr 0.02 on the evaluation seeds: choosing on the
 * wrong seeds, or reporting a selection trial, shows in the numbers.
 */
const encoded: TrialFunction = async (config) => {
  const selectionSeed = config.seed > 100_000;
  const valid = config.finetune.lr === 0.1 ? (selectionSeed ? 0.1 : 0.3) : 0.2;
  const test = config.seed / 1e7 + config.model.depth / 10;
  return {
    final: { train: { error: 0, nll: 0 }, valid: { error: valid, nll: 0 }, test: { error: test, nll: 0 } },
    bestEpoch: 1, epochsRun: 1, history: [], seconds: { pretrain: 0, finetune: 0, total: 0 }, checkpoint: null, backend: 'none',
    variant: (await import('../../src/backends/index.ts')).createReferenceBackend().variant,
  };
};

test('fresh-seeds chooses each cell\'s setting on the selection seeds and reports only the evaluation seeds of that setting', async () => {
  const exp = resolve();
  assert.deepEqual(exp.protocol, { selection: 'fresh-seeds', selectionSeeds: [100001, 100002], dataSeed: 0 });
  const s = await runExperiment(exp, { runsDir: tempDir(), trial: encoded });
  assert.equal(s.ran, 2 * 2 * 2 + 2 * 3, 'selection: cells x settings x 2 seeds; evaluation: cells x 3 seeds');
  for (const c of s.cells) {
    assert.deepEqual(c.chosen, { 'finetune.lr': 0.1 }, 'lr 0.1 wins on the selection seeds');
    assert.equal(c.selection, 'fresh-seeds');
    assert.deepEqual(c.selectionSeeds, [100001, 100002]);
    assert.deepEqual(c.evaluationSeeds, [1, 2, 3]);
    assert.deepEqual(c.candidates.map((k) => [k.nuisance['finetune.lr'], k.meanValidError, k.n]), [[0.1, 0.1, 2], [0.02, 0.2, 2]]);
    const depth = c.cell['model.depth'] as number;
    assert.deepEqual(c.test.values.map((v) => Math.round((v - depth / 10) * 1e7)), [1, 2, 3], 'test errors of seeds 1-3 only');
    assert.deepEqual(c.test.seeds, [1, 2, 3]);
    assert.ok(c.records.every((r) => r.config.finetune.lr === 0.1 && r.seed < 100_000));
  }
  const evaluation = s.trials.filter((t) => t.phase === 'evaluation');
  assert.ok(evaluation.every((t) => t.nuisance['finetune.lr'] === 0.1), 'the losing setting never runs on the evaluation seeds');
});

test('same-seeds chooses and reports on the same seeds, as before the protocol', async () => {
  const exp = resolve({ protocol: { selection: 'same-seeds' } });
  assert.equal(hasSelectionPhase(exp), false);
  const s = await runExperiment(exp, { runsDir: tempDir(), trial: encoded });
  assert.equal(s.ran, 2 * 2 * 3);
  assert.ok(s.trials.every((t) => t.phase === 'evaluation'));
  for (const c of s.cells) {
    assert.deepEqual(c.chosen, { 'finetune.lr': 0.02 }, 'on seeds 1-3 lr 0.02 wins');
    assert.equal(c.selection, 'same-seeds');
    assert.deepEqual(c.selectionSeeds, [1, 2, 3]);
    assert.deepEqual(c.evaluationSeeds, [1, 2, 3]);
  }
});

test('same-seeds expands to cells x settings x seeds; fresh-seeds with one setting runs no selection trial and has the same trials', () => {
  const same = expandExperiment(resolve({ protocol: { selection: 'same-seeds' } }));
  assert.equal(same.length, 2 * 2 * 3);
  const one = { nuisance: { lr: [0.1] } };
  const fresh1 = expandExperiment(resolve(one));
  assert.ok(fresh1.every((t) => t.phase === 'evaluation'));
  assert.deepEqual(fresh1.map((t) => t.hash), expandExperiment(resolve({ ...one, protocol: { selection: 'same-seeds', dataSeed: 0 } })).map((t) => t.hash));
  const fresh = expandExperiment(resolve());
  assert.deepEqual(fresh.map((t) => t.seed), Array(4).fill([100001, 100002]).flat(), 'before the choice: the selection trials alone');
});

test('selection seeds that overlap the evaluation seeds are refused, naming both', () => {
  assert.throws(() => resolve({ protocol: { selectionSeeds: [3, 100001] } }), (e: Error) => e instanceof ExperimentError && /protocol\.selectionSeeds \[3,100001\] and seeds \[1,2,3\] share \[3\]/.test(e.message));
  assert.throws(() => resolve({}, { seeds: [100002, 7] }), /protocol\.selectionSeeds.*and seeds \[100002,7\] share \[100002\]/);
  assert.doesNotThrow(() => resolve({ protocol: { selection: 'same-seeds', selectionSeeds: [1] } }), 'same-seeds runs no selection seed');
  assert.throws(() => defineExperiment({ ...input, protocol: { selection: 'best-seeds' } } as never), /protocol\.selection/);
  assert.throws(() => defineExperiment({ ...input, protocol: { dataseed: 1 } } as never), /protocol.*dataseed|Unrecognized key/);
});

test('a preset and the run options replace the protocol key by key', () => {
  const exp = defineExperiment({ ...input, presets: { quick: { protocol: { selectionSeeds: [200, 201] } } } });
  const r = resolveExperiment(exp, { preset: 'quick', protocol: { dataSeed: 'per-seed' } });
  assert.deepEqual(r.protocol, { selection: 'fresh-seeds', selectionSeeds: [200, 201], dataSeed: 'per-seed' });
  assert.notEqual(r.specHash, resolveExperiment(exp, { preset: 'quick' }).specHash, 'the protocol is part of the spec');
  assert.deepEqual(resolveExperiment(defineExperiment({ ...input, protocol: undefined } as never), {}).protocol.selectionSeeds, [100001, 100002, 100003], 'default: 3 selection seeds');
});

test('a run stopped after the selection phase resumes with the evaluation trials alone, equal to an uninterrupted run; report gives the same summary', async () => {
  const exp = resolve();
  const runsDir = tempDir();
  const failing: TrialFunction = async (config, opts) => {
    if (config.seed < 100_000) throw new Error('stop after phase a');
    return encoded(config, opts);
  };
  await assert.rejects(runExperiment(exp, { runsDir, trial: failing }), /stop after phase a/);
  const store = new RunStore(path.join(runsDir, 'proto'));
  const m = store.readManifest()!;
  assert.equal(store.listHashes().length, 8, 'every selection trial is stored');
  assert.equal(m.chosen?.length, 2, 'the manifest records the chosen settings');
  assert.equal(m.trials.filter((t) => t.phase === 'evaluation').length, 6);
  const resumed = await runExperiment(exp, { runsDir, trial: encoded });
  assert.equal(resumed.ran, 6);
  assert.equal(resumed.skipped, 8);
  const clean = await runExperiment(exp, { runsDir: tempDir(), trial: encoded });
  assert.deepEqual(resumed.cells.map((c) => [c.chosen, c.test.values]), clean.cells.map((c) => [c.chosen, c.test.values]));
  const report = writeReport(store.dir);
  assert.deepEqual(report.cells.map((c) => [c.chosen, c.test.values, c.selectionSeeds, c.evaluationSeeds]), resumed.cells.map((c) => [c.chosen, c.test.values, c.selectionSeeds, c.evaluationSeeds]));
  assert.equal(report.protocol.selection, 'fresh-seeds');
  assert.equal(report.protocol.spread, 'initialisation');
  assert.match(report.protocol.lines.join(' '), /selection seed\(s\) 100001, 100002.*evaluation seed\(s\) 1-3.*fixed at 0/);
});

test('the summary of a store with only the selection phase shows the candidates and no reported numbers', async () => {
  const exp = resolve();
  const s = await runExperiment(exp, { runsDir: tempDir(), trial: encoded });
  const phaseA = expandExperiment(exp);
  assert.ok(phaseA.every((t) => t.phase === 'selection'));
  const { cells } = summarize(exp, phaseA, s.records);
  for (const c of cells) {
    assert.deepEqual(c.chosen, { 'finetune.lr': 0.1 });
    assert.deepEqual(c.candidates.map((k) => k.n), [2, 2]);
    assert.equal(c.test.n, 0);
    assert.deepEqual(c.evaluationSeeds, []);
  }
});

test('results of the two phases are identical with 2 worker processes and in-process', { timeout: 60_000 }, async () => {
  const toy = (await import(TOY)).default;
  const exp = resolveExperiment(toy, { preset: 'quick', overrides: { depth: [1] }, protocol: { selection: 'fresh-seeds', selectionSeeds: 2, dataSeed: 0 } });
  const a = tempDir(), b = tempDir();
  const pa = await runExperiment(exp, { runsDir: a, trial: { module: SYNTH }, workers: 2 });
  const pb = await runExperiment(exp, { runsDir: b, trial: synthetic });
  assert.deepEqual(pa.trials.map((t) => t.hash), pb.trials.map((t) => t.hash));
  assert.deepEqual(pa.cells.map((c) => [c.chosen, c.test.values]), pb.cells.map((c) => [c.chosen, c.test.values]));
});

test('data.seed fixes the training subset across trial seeds; per-seed varies it with the seed', async () => {
  const small = { data: { name: 'mnist', trainSize: 300, validSize: 10, testSize: 10 }, nuisance: { lr: [0.1] } };
  const fixed = uniqueTrials(expandExperiment(resolve(small)));
  assert.deepEqual(fixed.map((t) => [t.seed, t.config.data.seed]).slice(0, 3), [[1, 0], [2, 0], [3, 0]]);
  const a = await loadData(fixed[0]!.config.data, fixed[0]!.config.seed);
  const b = await loadData(fixed[1]!.config.data, fixed[1]!.config.seed);
  assert.deepEqual(a.train.x, b.train.x, 'data seed 0 for seeds 1 and 2: one training subset');
  const varying = expandExperiment(resolve({ ...small, protocol: { dataSeed: 'per-seed' } }));
  const c = await loadData(varying[0]!.config.data, varying[0]!.config.seed);
  const d = await loadData(varying[1]!.config.data, varying[1]!.config.seed);
  assert.notDeepEqual(c.train.x, d.train.x, 'per-seed: each seed its own subset');
  const old = await loadData({ ...varying[1]!.config.data, seed: null }, 2);
  assert.deepEqual(d.train.x, old.train.x, 'per-seed draws exactly what the trial seed drew before');
  assert.match(describeSplits(fixed[0]!.config.data).train.from, /drawn by data seed 0 of/, 'the data line names the data seed');
  assert.match(describeSplits(varying[0]!.config.data).train.from, /drawn by the seed of/);
});

test('data.seed at its default (null) or equal to the trial seed keeps the old hash; without a random data draw it is irrelevant', () => {
  const cfg = (data: Record<string, unknown>, seed = 1) => resolveTrialConfig({ seed, data: { name: 'mnist', ...data } });
  const sub = { trainSize: 100 };
  assert.equal(trialHash(cfg({ ...sub, seed: 1 })), trialHash(cfg(sub)), 'data.seed = trial seed is the default');
  assert.notEqual(trialHash(cfg({ ...sub, seed: 0 })), trialHash(cfg(sub)));
  assert.notEqual(trialHash(cfg({ ...sub, seed: 0 })), trialHash(cfg({ ...sub, seed: 5 })));
  assert.equal(trialHash(cfg({ seed: 0 })), trialHash(cfg({})), 'full data: no draw, one hash across data seeds');
  assert.equal(trialHash(cfg({ seed: 0 })), trialHash(cfg({ seed: 7 })));
  assert.notEqual(trialHash(cfg({ binarize: 'stochastic', seed: 0 })), trialHash(cfg({ binarize: 'stochastic' })), 'stochastic binarisation draws');
});

test('run --selection-seeds/--data-seed reach the experiment and its JSON result; overlapping seeds exit with one message', { timeout: 60_000 }, async () => {
  const runsDir = tempDir();
  const r = await cli('run', TOY, '--preset', 'quick', '--depth=[1]', '--trial-module', SYNTH, '--selection', 'fresh-seeds', '--selection-seeds', '2', '--data-seed', '4', '--runs-dir', runsDir, '--json', '--no-report', '--workers', '1');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(result.protocol.selection, 'fresh-seeds');
  assert.deepEqual(result.protocol.selectionSeeds, [100001, 100002]);
  assert.equal(result.protocol.dataSeed, 4);
  assert.equal(result.protocol.spread, 'initialisation');
  const bad = await cli('run', TOY, '--selection', 'fresh-seeds', '--selection-seeds', '[2,100001]', '--trial-module', SYNTH, '--runs-dir', runsDir, '--no-report');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /protocol\.selectionSeeds \[2,100001\] and seeds \[1,2,3\] share \[2\]/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
});

test('selection trials run without the in-trial analyses (validation error is all they are read for); evaluation trials keep them', () => {
  const exp = resolve({ analysis: { landscape: { directions: 3 }, weightChange: true } } as Partial<ExperimentInput>);
  const chosen = new Map(expandExperiment(exp).map((t) => [settingKey(t.cell), t.nuisance]));
  const trials = expandExperiment(exp, chosen);
  const selection = trials.filter((t) => t.phase === 'selection');
  const evaluation = trials.filter((t) => t.phase === 'evaluation');
  assert.ok(selection.length > 0 && evaluation.length > 0);
  for (const t of selection) {
    assert.equal(t.config.analysis.landscape.directions, 0);
    assert.equal(t.config.analysis.weightChange, false);
    assert.equal(t.hash, trialHash(resolveTrialConfig({ ...t.config, analysis: {} })), 'hashed as a trial without analyses');
  }
  for (const t of evaluation) {
    assert.equal(t.config.analysis.landscape.directions, 3);
    assert.equal(t.config.analysis.weightChange, true);
  }
});

test('the protocol line counts a labelled subset (data.labeled < 1) as data drawn by the data seed, the full training set as none', async () => {
  const { protocolSummary } = await import('../../src/report/protocol-section.ts');
  const full = resolve({ data: { name: 'mnist' }, scientific: { 'data.labeled': [1] } });
  assert.equal(protocolSummary(full, []).dataSeed, 'unused');
  const fractions = resolve({ data: { name: 'mnist' }, scientific: { 'data.labeled': [1, 0.1] } });
  const p = protocolSummary(fractions, []);
  assert.equal(p.dataSeed, 0);
  assert.match(p.lines.at(-1)!, /data seed is fixed at 0/);
});
