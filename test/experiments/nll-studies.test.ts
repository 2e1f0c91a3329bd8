import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveExperiment, type Experiment } from '../../src/experiments/define.ts';
import { expandExperiment, trialConfig } from '../../src/experiments/expand.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import { hiddenSizes } from '../../src/train/config.ts';
import { pretrainedLayerCount } from '../../src/train/validate.ts';

const load = async (id: string): Promise<Experiment> => (await import(`../../experiments/${id}.ts`)).default as Experiment;

for (const id of ['train-vs-test', 'top-20', 'k-of-n']) {
  test(`experiments/${id}.ts validates and expands with each preset, every trial without early stopping and drawing the trajectory figure`, async () => {
    const exp = await load(id);
    assert.equal(exp.input.id, id);
    for (const preset of [null, 'quick', 'full']) {
      const r = resolveExperiment(exp, { preset });
      const trials = expandExperiment(r);
      assert.ok(trials.length > 0);
      assert.ok(r.figures.includes('nll-trajectories'));
      for (const t of trials) assert.equal(t.config.finetune.patience, null, `${id} ${preset}: no early stopping`);
    }
  });
}

test('train-vs-test: 1-3 layers x {none, sdae}; quick has 4-6 seeds per arm, full the paper\'s 400', async () => {
  const exp = await load('train-vs-test');
  const quick = resolveExperiment(exp, { preset: 'quick' });
  const cells = new Set(expandExperiment(quick).map((t) => JSON.stringify(t.cell)));
  assert.equal(cells.size, 6);
  assert.ok(quick.seeds.length >= 4 && quick.seeds.length <= 6);
  assert.equal(resolveExperiment(exp, { preset: 'full' }).seeds.length, 400);
});

test('top-20: the top hidden layer has 20 units and the convergence criterion is on in every preset', async () => {
  const exp = await load('top-20');
  for (const preset of ['quick', 'full']) {
    for (const t of expandExperiment(resolveExperiment(exp, { preset }))) {
      assert.equal(hiddenSizes(t.config.model).at(-1), 20);
      assert.ok(t.config.finetune.convergeWindow !== null && t.config.finetune.epochs > 4 * t.config.finetune.convergeWindow);
    }
  }
});

test('k-of-n: k = 0..3 of 3 RBM layers; k = 0 is the very trial without pre-training, k = 3 pre-trains all', async () => {
  const exp = await load('k-of-n');
  const r = resolveExperiment(exp, { preset: 'quick' });
  const trials = expandExperiment(r);
  const ks = [...new Set(trials.map((t) => t.cell['pretrain.layers']))];
  assert.deepEqual(ks, [0, 1, 2, 3]);
  for (const t of trials) {
    assert.equal(t.config.model.depth, 3);
    assert.equal(pretrainedLayerCount(t.config), t.cell['pretrain.layers']);
    if (pretrainedLayerCount(t.config) > 0) assert.equal(t.config.pretrain.kind, 'dbn');
  }
  const k0 = trials.find((t) => t.cell['pretrain.layers'] === 0)!;
  const none = trialConfig(r, { 'pretrain.kind': 'none' }, k0.nuisance, k0.seed);
  assert.equal(k0.config.pretrain.kind, 'none');
  assert.equal(k0.hash, trialHash(none));
});
