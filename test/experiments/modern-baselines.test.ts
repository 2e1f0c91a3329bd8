import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import exp from '../../experiments/modern-baselines.ts';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment, nuisanceOf, product, settingKey, settingLabel, uniqueTrials, type PlannedTrial, type Setting } from '../../src/experiments/expand.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import { canonicalTrialConfig } from '../../src/experiments/hash.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';

/** Both phases: the selection trials, then the evaluation trials as if every cell chose its setting `pick` (default: the first). */
function expandBoth(preset: string, pick = 0): PlannedTrial[] {
  const r = resolveExperiment(exp, { preset });
  const chosen = new Map<string, Setting>(product(r.scientific).map((c) => {
    const s = product(nuisanceOf(r, c));
    return [settingKey(c), s[Math.min(pick, s.length - 1)]!];
  }));
  return expandExperiment(r, chosen);
}

test('modern-baselines quick: 1 and 3 layers x three arms x 100% and 10% labels x SDAE or none on MNIST, compared by pre-training', () => {
  const r = resolveExperiment(exp, { preset: 'quick' });
  assert.deepEqual(r.scientific.map((f) => [f.key, f.values]), [
    ['data.name', ['mnist']],
    ['arm', ['sigmoid+uniform', 'relu+he+bn', 'all']],
    ['data.labeled', [1, 0.1]],
    ['model.depth', [1, 3]],
    ['pretrain.kind', ['none', 'sdae']],
  ]);
  assert.deepEqual(r.compare, { factor: 'pretrain.kind', baseline: 'none' });
  assert.deepEqual(r.protocol, { selection: 'fresh-seeds', selectionSeeds: [100001, 100002], dataSeed: 0 });
  assert.deepEqual(r.seeds, [1, 2, 3, 4, 5]);
  assert.deepEqual(r.figures, ['gap-vs-labels', 'error-vs-factor', 'table', 'test-error-boxplot']);
  const trials = expandBoth('quick');
  const sel = trials.filter((t) => t.phase === 'selection'), ev = trials.filter((t) => t.phase === 'evaluation');
  assert.equal(product(r.scientific).length, 24);
  assert.equal(sel.length, 24 * 2 * 2, '24 cells x 2 rates x 2 selection seeds');
  assert.equal(ev.length, 24 * 5);
  assert.equal(uniqueTrials(trials).length, 24 * 2 * 2 + 24 * 5);
});

test('each arm of the quick preset is its recipe: units, init, norm, dropout, optimiser, and its own rates', () => {
  const sel = expandBoth('quick').filter((t) => t.phase === 'selection');
  const of = (arm: string) => sel.filter((t) => t.cell['arm'] === arm);
  const recipe = (t: PlannedTrial) => [t.config.model.activation, t.config.model.init, t.config.model.norm, t.config.model.dropout, t.config.finetune.optimizer];
  assert.deepEqual(recipe(of('sigmoid+uniform')[0]!), ['sigmoid', 'uniform-fanin', 'none', 0, 'sgd']);
  assert.deepEqual(recipe(of('relu+he+bn')[0]!), ['relu', 'he', 'batch', 0, 'sgd']);
  assert.deepEqual(recipe(of('all')[0]!), ['relu', 'he', 'batch', 0.2, 'adam']);
  const rates = (arm: string) => [...new Set(of(arm).map((t) => t.config.finetune.lr))];
  assert.deepEqual(rates('sigmoid+uniform'), [0.2, 0.1]);
  assert.deepEqual(rates('relu+he+bn'), [0.2, 0.1]);
  assert.deepEqual(rates('all'), [0.003, 0.001]);
  const pre = (arm: string) => [...new Set(of(arm).filter((t) => t.config.pretrain.kind === 'sdae').map((t) => t.config.pretrain.lr))];
  assert.deepEqual(pre('sigmoid+uniform'), [0.01]);
  assert.deepEqual(pre('all'), [0.003], 'ReLU SDAEs pre-train at a lower rate');
  for (const t of sel) {
    assert.equal(t.config.data.trainSize, 10000);
    assert.equal(t.config.finetune.updates, 5000, 'the same fine-tuning budget in updates for every labelled fraction');
    assert.equal(t.config.finetune.batchSize, 10);
    assert.equal(t.config.model.hidden, 200);
    assert.equal(t.config.data.seed, 0, 'one training subset (and one labelled subset) for every seed');
  }
  assert.deepEqual([...new Set(sel.map((t) => t.config.data.labeled))], [1, 0.1]);
});

test("every trial's config and hash are those of its keys set one by one", () => {
  for (const t of expandBoth('quick', 1)) {
    const arm = t.cell['arm'] as string;
    const relu = arm !== 'sigmoid+uniform';
    const input = {
      seed: t.seed,
      data: { name: 'mnist', trainSize: 10000, validSize: 1000, testSize: 2000, labeled: t.cell['data.labeled'], seed: 0 },
      model: { hidden: 200, depth: t.cell['model.depth'], activation: relu ? 'relu' : 'sigmoid', init: relu ? 'he' : 'uniform-fanin', ...(relu ? { norm: 'batch' } : {}), ...(arm === 'all' ? { dropout: 0.2 } : {}) },
      pretrain: { kind: t.cell['pretrain.kind'], epochs: 3, batchSize: 10, corruption: 0.25, noise: 'masking', tied: true, lr: relu ? 0.003 : 0.01 },
      finetune: { updates: 5000, batchSize: 10, patience: 20, lr: t.nuisance['finetune.lr'], ...(arm === 'all' ? { optimizer: 'adam' } : {}) },
    };
    const config = canonicalTrialConfig(resolveTrialConfig(input));
    assert.deepEqual(t.config, config, settingLabel(t.cell));
    assert.equal(t.hash, trialHash(config));
  }
});

test('the quick expansion is pinned: a change to the file or to the expansion that moves a trial hash fails here', () => {
  const hashes = expandBoth('quick').map((t) => t.hash);
  const r = resolveExperiment(exp, { preset: 'quick' });
  assert.equal(createHash('sha256').update(hashes.join('\n')).digest('hex'), '9bf075916135e0eb0eed20ee672867be14ec6c6c293627f3c0a90f9fc43821c5');
  assert.equal(r.specHash, 'e831892c205bf25464acdd3bebfef75946fc342b59aae7551d78e837c86efe47');
});

test('modern-baselines full: MNIST and Shapeset x six arms x 100/10/1% labels x depth 1-5 x SDAE or none, and its trial count', () => {
  const r = resolveExperiment(exp, { preset: 'full' });
  assert.deepEqual(r.scientific.find((f) => f.key === 'arm')!.values, ['sigmoid+uniform', 'relu+he', 'relu+he+dropout', 'relu+he+bn', 'relu+he+adam', 'all']);
  assert.equal(product(r.scientific).length, 2 * 6 * 3 * 5 * 2);
  const cell = (arm: string, kind: string) => ({ 'data.name': 'mnist', arm, 'data.labeled': 1, 'model.depth': 3, 'pretrain.kind': kind });
  assert.deepEqual(nuisanceOf(r, cell('relu+he+dropout', 'sdae')).map((f) => [f.key, f.values]), [['finetune.lr', [0.2, 0.1, 0.05, 0.02]], ['pretrain.lr', [0.003, 0.001]], ['model.dropout', [0.2, 0.5]]]);
  assert.deepEqual(nuisanceOf(r, cell('relu+he+adam', 'sdae')).map((f) => [f.key, f.values]), [['finetune.lr', [0.003, 0.001, 0.0003]], ['pretrain.lr', [0.003, 0.001]]]);
  const trials = expandBoth('full');
  const sel = trials.filter((t) => t.phase === 'selection');
  // Without pre-training the pre-training rate is irrelevant: those trials share a hash and run once.
  assert.equal(sel.length, 10440);
  assert.equal(uniqueTrials(sel).length, 7830);
  assert.equal(trials.filter((t) => t.phase === 'evaluation').length, 360 * 10);
  assert.equal(uniqueTrials(trials).length, 11430);
  for (const t of sel.filter((x) => x.cell['data.name'] === 'shapeset').slice(0, 3)) assert.equal(t.config.data.name, 'shapeset');
});
