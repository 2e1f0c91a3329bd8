import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveExperiment, type Experiment } from '../../src/experiments/define.ts';
import { expandExperiment, trialConfig } from '../../src/experiments/expand.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import { hiddenSizes } from '../../src/train/config.ts';
import { onlineSchedule } from '../../src/train/online-schedule.ts';
import { pretrainedLayerCount, validateTrialConfig } from '../../src/train/validate.ts';

const load = async (): Promise<Experiment> => (await import('../../experiments/k-of-n-online.ts')).default as Experiment;

test('k-of-n-online: k = 0..3 of 3 SDAE layers online; k = 0 is the very trial without pre-training; every preset validates', async () => {
  const exp = await load();
  for (const preset of [null, 'quick', 'full']) {
    const r = resolveExperiment(exp, { preset });
    assert.ok(r.figures.includes('online-error'));
    const trials = expandExperiment(r);
    const ks = [...new Set(trials.map((t) => t.cell['pretrain.layers']))].sort();
    assert.deepEqual(ks, [0, 1, 2, 3], String(preset));
    for (const t of trials) {
      assert.doesNotThrow(() => validateTrialConfig(t.config), `${preset}: ${JSON.stringify(t.cell)}`);
      assert.equal(t.config.model.depth, 3);
      assert.ok(t.config.online, 'every trial is online');
      assert.equal(pretrainedLayerCount(t.config), t.cell['pretrain.layers']);
      if (pretrainedLayerCount(t.config) > 0) assert.equal(t.config.pretrain.kind, 'sdae');
    }
  }
  const r = resolveExperiment(exp, { preset: 'quick' });
  const trials = expandExperiment(r);
  assert.equal(new Set(trials.map((t) => t.hash)).size, 8, 'quick: 4 values of k x 2 seeds, no selection trials (one setting)');
  const k0 = trials.find((t) => t.cell['pretrain.layers'] === 0)!;
  assert.equal(k0.config.pretrain.kind, 'none');
  assert.equal(k0.hash, trialHash(trialConfig(r, { 'pretrain.kind': 'none' }, k0.nuisance, k0.seed)));
});

test('k-of-n-online: with k > 0 a quarter of the stream is unsupervised, split over the k layers; k = 0 is supervised throughout', async () => {
  const r = resolveExperiment(await load(), { preset: 'full' });
  for (const t of expandExperiment(r).filter((x) => x.seed === 1)) {
    const cfg = t.config as typeof t.config & { online: NonNullable<typeof t.config.online> };
    const k = pretrainedLayerCount(cfg);
    const s = onlineSchedule(cfg, k);
    assert.equal(hiddenSizes(cfg.model).length, 3);
    assert.equal(s.supervisedExamples + s.pretrainExamples, 10_000_000, `k = ${k}: batch 1 uses the whole stream`);
    assert.equal(s.pretrainExamples, k === 0 ? 0 : k === 3 ? 2_499_999 : 2_500_000);
  }
});
