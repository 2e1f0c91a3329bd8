import { test } from 'node:test';
import assert from 'node:assert/strict';
import layerSize from '../../experiments/layer-size.ts';
import l1l2 from '../../experiments/l1-l2.ts';
import { defineExperiment, ExperimentError, resolveExperiment, type Experiment } from '../../src/experiments/define.ts';
import { expandExperiment, uniqueTrials } from '../../src/experiments/expand.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';

const levels = (exp: Experiment, preset: string | null): Record<string, unknown[]> =>
  Object.fromEntries(resolveExperiment(exp, { preset }).scientific.map((f) => [f.key, f.values]));

test("experiments/layer-size.ts: the full preset is Figure 9's grid with 10 selection seeds, the quick one a subset whose selection expands to 72 trials", () => {
  assert.deepEqual(levels(layerSize, 'full'), { 'model.hidden': [25, 50, 100, 200, 400, 800], 'model.depth': [1, 2, 3], 'pretrain.kind': ['none', 'sdae', 'dbn'] });
  const full = resolveExperiment(layerSize, { preset: 'full' });
  assert.equal(full.base['finetune'] && (full.base['finetune'] as { epochs: number }).epochs, 50);
  assert.deepEqual(full.figureOptions, { 'error-vs-factor': { x: ['model.hidden'] } });
  assert.equal(full.protocol.selection, 'fresh-seeds');
  assert.equal(full.protocol.selectionSeeds.length, 10);
  assert.equal(full.seeds.length, 400);
  const quick = resolveExperiment(layerSize, { preset: 'quick' });
  const trials = expandExperiment(quick);
  // The selection phase: 18 cells x 2 learning rates x 2 selection seeds; the 4 evaluation seeds follow for the chosen rate.
  assert.equal(uniqueTrials(trials).length, 3 * 2 * 3 * 2 * 2);
  assert.deepEqual([...new Set(trials.map((t) => t.seed))], [100001, 100002]);
  assert.ok(trials.every((t) => t.config.data.trainSize === 3000 && t.config.finetune.batchSize === 10));
  assert.deepEqual([...new Set(trials.map((t) => t.config.pretrain.kind))], ['none', 'sdae', 'dbn']);
});

test('experiments/l1-l2.ts crosses the L1 and L2 grids with pre-training, and its penalties reach the trial config', () => {
  assert.deepEqual(levels(l1l2, 'full'), { 'pretrain.kind': ['none', 'sdae'], 'finetune.l1': [0, 1e-6, 1e-5, 1e-4, 1e-3], 'finetune.l2': [0, 1e-6, 1e-5, 1e-4, 1e-3] });
  const quick = resolveExperiment(l1l2, { preset: 'quick' });
  assert.deepEqual(quick.figureOptions, { 'error-vs-factor': { x: ['finetune.l2', 'finetune.l1'] } });
  const trials = uniqueTrials(expandExperiment(quick));
  assert.equal(trials.length, 2 * 3 * 3 * 2 * 2, 'selection: 18 cells x 2 learning rates x 2 selection seeds');
  const t = trials.find((x) => x.cell['finetune.l1'] === 1e-5 && x.cell['finetune.l2'] === 1e-3)!;
  assert.deepEqual([t.config.finetune.l1, t.config.finetune.l2], [1e-5, 1e-3]);
  assert.ok(quick.figures.includes('penalty-vs-pretraining') && quick.figures.includes('error-vs-factor'));
});

const base: ExperimentInput = {
  id: 'x', paper: 'p', description: 'd', scientific: { hidden: [10, 100], pretrain: ['none', 'sdae'] }, seeds: 2,
};

test('figureOptions error-vs-factor.x must name a numeric scientific factor; other figure option keys are errors', () => {
  assert.deepEqual(resolveExperiment(defineExperiment({ ...base, figureOptions: { 'error-vs-factor': { x: 'units' } } }), {}).figureOptions, { 'error-vs-factor': { x: ['model.hidden'] } });
  assert.throws(() => defineExperiment({ ...base, figureOptions: { 'error-vs-factor': { x: 'pretrain' } } }), (e: Error) => e instanceof ExperimentError && /error-vs-factor\.x: 'pretrain' is not a scientific factor with numeric levels; name one of: model\.hidden/.test(e.message));
  assert.throws(() => defineExperiment({ ...base, figureOptions: { 'error-vs-factor': { x: 'lr' } } }), /'lr' is not a scientific factor/);
  assert.throws(() => defineExperiment({ ...base, figureOptions: { 'error-vs-factor': { x: 'nope' } } }), /'nope' is not a config key/);
  assert.throws(() => defineExperiment({ ...base, figureOptions: { boxplot: {} } } as unknown as ExperimentInput), (e: Error) => e instanceof ExperimentError && /figureOptions/.test(e.message));
  assert.throws(() => defineExperiment({ ...base, figureOptions: { 'error-vs-factor': { x: 'hidden', log: true } } } as unknown as ExperimentInput), /figureOptions\.error-vs-factor/);
  assert.equal(resolveExperiment(defineExperiment(base), {}).figureOptions, undefined, 'absent unless given');
});
