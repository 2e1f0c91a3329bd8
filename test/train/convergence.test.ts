import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { finetuneConfigSchema, resolveTrialConfig, type FinetuneConfig } from '../../src/train/config.ts';
import { hasConverged } from '../../src/train/convergence.ts';
import { finetune } from '../../src/train/finetune.ts';
import type { EpochMetrics } from '../../src/train/hooks.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import { toySplits } from '../helpers/toy-data.ts';

const epochs = (nll: number[]): EpochMetrics[] => nll.map((v, i) => ({ phase: 'finetune', epoch: i + 1, seconds: 0, values: { trainNll: v } }));

describe('hasConverged', () => {
  test('stops once the training NLL fell by less than tol (relative) over the last W epochs, never before epoch W + 1', () => {
    // 1.0 -> 0.5 -> 0.25 -> 0.2499 -> 0.2498: halving, then 0.04% per epoch.
    const h = epochs([1, 0.5, 0.25, 0.2499, 0.2498]);
    assert.equal(hasConverged(h.slice(0, 1), 1, 0.01), false, 'one epoch: no window yet');
    assert.equal(hasConverged(h.slice(0, 2), 1, 0.01), false, '50% better');
    assert.equal(hasConverged(h.slice(0, 3), 1, 0.01), false, '50% better');
    assert.equal(hasConverged(h.slice(0, 4), 1, 0.01), true, '0.04% better < 1%');
    assert.equal(hasConverged(h.slice(0, 4), 2, 0.01), false, 'over two epochs it is 50% better');
    assert.equal(hasConverged(h.slice(0, 5), 2, 0.01), true, '0.08% over two epochs');
    assert.equal(hasConverged(h.slice(0, 5), 2, 1e-4), false, 'but not below a 0.01% tolerance');
  });

  test('a training NLL that went up over the window has converged; one that is missing has not', () => {
    assert.equal(hasConverged(epochs([0.3, 0.31]), 1, 1e-3), true);
    assert.equal(hasConverged([{ phase: 'finetune', epoch: 1, seconds: 0, values: {} }, { phase: 'finetune', epoch: 2, seconds: 0, values: {} }], 1, 1e-3), false);
  });

  test('falls back to the epoch training objective when the training set is not evaluated', () => {
    const h: EpochMetrics[] = [0.5, 0.4999].map((v, i) => ({ phase: 'finetune', epoch: i + 1, seconds: 0, values: { trainObjective: v } }));
    assert.equal(hasConverged(h, 1, 1e-3), true);
  });
});

describe('finetune with convergeWindow', () => {
  const be = createReferenceBackend('float32');
  const data = toySplits(1);
  const cfg = (c: Partial<FinetuneConfig>): FinetuneConfig => finetuneConfigSchema.parse({ batchSize: 5, patience: null, lr: 0.5, ...c });
  const run = (c: Partial<FinetuneConfig>) =>
    finetune({ model: Mlp.create(be, { nIn: 8, hidden: [6], nClasses: 3, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(1).fork('init')), data, config: cfg(c), rng: new Rng(1).fork('order') });

  test('training stops at the first epoch where the criterion holds, and not one epoch before', async () => {
    const free = await run({ epochs: 60 });
    const nll = free.history.map((h) => h.values['trainNll']!);
    const W = 3, tol = 0.01;
    const first = nll.findIndex((v, i) => i >= W && (nll[i - W]! - v) / nll[i - W]! < tol) + 1;
    assert.ok(first > W + 1 && first < 60, `the toy run converges mid-budget (epoch ${first})`);
    const r = await run({ epochs: 60, convergeWindow: W, convergeTol: tol });
    assert.equal(r.epochsRun, first);
    assert.equal(r.converged, true);
    assert.equal(r.stoppedEarly, true);
    assert.equal(r.bestEpoch, first, 'without early stopping the last network is kept');
    assert.deepEqual(r.history.map((h) => h.values['trainNll']), nll.slice(0, first), 'same trajectory up to the stop');
  });

  test('with the criterion off (default) or never met, every epoch of the budget runs', async () => {
    const off = await run({ epochs: 12 });
    assert.equal(off.epochsRun, 12);
    assert.equal(off.converged, false);
    const noWindow = await run({ epochs: 12, convergeWindow: 12, convergeTol: 0.5 });
    assert.equal(noWindow.epochsRun, 12, 'a window as long as the budget is never judged');
    assert.equal(noWindow.converged, false);
  });

  test('the new keys at their defaults leave the trial hash unchanged; set, they change it', () => {
    const base = resolveTrialConfig({});
    const same = resolveTrialConfig({ finetune: { convergeWindow: null, convergeTol: 0.001 } });
    const on = resolveTrialConfig({ finetune: { convergeWindow: 5 } });
    assert.equal(trialHash(same), trialHash(base));
    assert.notEqual(trialHash(on), trialHash(base));
  });
});
