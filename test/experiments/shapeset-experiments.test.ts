import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment, settingKey } from '../../src/experiments/expand.ts';
import { experimentIds } from '../../src/experiments/registry.ts';
import landscape from '../../experiments/landscape.ts';

test('the landscape experiment validates, is listed, and every preset trains Shapeset without early stopping and measures 7 directions on [-2.5, 2.5]', () => {
  assert.ok(experimentIds().includes('landscape'));
  for (const preset of [null, 'quick', 'full']) {
    const exp = resolveExperiment(landscape, { preset });
    // Evaluation trials as if every cell chose the first setting (selection trials measure no landscape).
    const chosen = new Map(expandExperiment(exp).map((t) => [settingKey(t.cell), t.nuisance]));
    const trials = expandExperiment(exp, chosen);
    assert.ok(trials.some((t) => t.phase === 'evaluation'));
    for (const t of trials) {
      assert.equal(t.config.data.name, 'shapeset');
      assert.equal(t.config.finetune.patience, null);
      assert.equal(t.config.analysis.landscape.directions, t.phase === 'evaluation' ? 7 : 0, t.phase);
      if (t.phase === 'evaluation') assert.deepEqual(t.config.analysis.landscape, { directions: 7, alphaMax: 2.5, step: 0.1, gradientBatch: null, fitHalfWidth: 0.5 });
    }
    const cells = new Set(trials.map((t) => JSON.stringify(t.cell)));
    assert.equal(cells.size, 6, `${preset}: depth 1-3 x SDAE/none`);
  }
  assert.equal(expandExperiment(resolveExperiment(landscape, { preset: 'quick' })).length, 6 * 3);
});

test('the Shapeset depth study validates, is listed, and mirrors the MNIST depth study on Shapeset (1-5 layers full, 1-3 quick)', async () => {
  const { default: depthShapeset } = await import('../../experiments/depth-shapeset.ts');
  assert.ok(experimentIds().includes('depth-shapeset'));
  const full = resolveExperiment(depthShapeset, { preset: 'full' });
  assert.deepEqual(full.scientific.map((f) => [f.key, f.values]), [['model.depth', [1, 2, 3, 4, 5]], ['pretrain.kind', ['none', 'sdae']]]);
  const quick = expandExperiment(resolveExperiment(depthShapeset, { preset: 'quick' }));
  assert.ok(quick.every((t) => t.config.data.name === 'shapeset' && t.config.model.depth <= 3));
  assert.equal(new Set(quick.map((t) => JSON.stringify(t.cell))).size, 6);
});
