import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment } from '../../src/experiments/expand.ts';
import filters from '../../experiments/filters.ts';

test('experiments/filters.ts validates and expands to 3-layer DBN, SDAE and scratch networks on InfiniteMNIST and MNIST, with the filter analyses on', () => {
  for (const [preset, seeds, units] of [['quick', 3, 12], ['full', 5, 36], [null, 5, 36]] as const) {
    const trials = expandExperiment(resolveExperiment(filters, { preset }));
    assert.equal(trials.length, 2 * 3 * seeds, `${preset}: data sets x arms x seeds`);
    assert.deepEqual([...new Set(trials.map((t) => `${t.config.data.name}/${t.config.pretrain.kind}`))].sort(), ['infinite-mnist/dbn', 'infinite-mnist/none', 'infinite-mnist/sdae', 'mnist/dbn', 'mnist/none', 'mnist/sdae']);
    for (const t of trials) {
      assert.equal(t.config.model.depth, 3);
      assert.equal(t.config.analysis.actmax.enabled, true);
      assert.equal(t.config.analysis.actmax.units, units);
      assert.equal(t.config.analysis.actmax.starts, 10);
      assert.equal(t.config.analysis.weightChange, true);
    }
  }
  const quick = expandExperiment(resolveExperiment(filters, { preset: 'quick' }));
  assert.ok(quick.every((t) => t.config.data.trainSize === 3000 && t.config.model.hidden === 200));
});
