import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment } from '../../src/experiments/expand.ts';
import { experimentIds } from '../../src/experiments/registry.ts';
import landscape from '../../experiments/landscape.ts';

test('the landscape experiment validates, is listed, and every preset trains Shapeset without early stopping and measures 7 directions on [-2.5, 2.5]', () => {
  assert.ok(experimentIds().includes('landscape'));
  for (const preset of [null, 'quick', 'full']) {
    const trials = expandExperiment(resolveExperiment(landscape, { preset }));
    for (const t of trials) {
      assert.equal(t.config.data.name, 'shapeset');
      assert.equal(t.config.finetune.patience, null);
      assert.deepEqual(t.config.analysis.landscape, { directions: 7, alphaMax: 2.5, step: 0.1, gradientBatch: null, fitHalfWidth: 0.5 });
    }
    const cells = new Set(trials.map((t) => JSON.stringify(t.cell)));
    assert.equal(cells.size, 6, `${preset}: depth 1-3 x SDAE/none`);
  }
  assert.equal(expandExperiment(resolveExperiment(landscape, { preset: 'quick' })).length, 6 * 3);
});
