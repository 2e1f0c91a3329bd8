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
  test('stops once the last W epochs brought less than tol of the decrease since epoch 1, never before epoch W + 1', () => {
    // Decrease since epoch 1 at epoch 5: 0.7502; the last epoch brought 0.0001 (0.013%), the last two 0.0002.
    const h = epochs([1, 0.5, 0.25, 0.2499, 0.2498]);
    assert.equal(hasConverged(h.slice(0, 1), 1, 0.01), false, 'one epoch: no window yet');
    assert.equal(hasConverged(h.slice(0, 2), 1, 0.01), false, 'all of the progress in the last epoch');
    assert.equal(hasConverged(h.slice(0, 3), 1, 0.01), false, 'a third of it in the last epoch');
    assert.equal(hasConverged(h.slice(0, 4), 1, 0.01), true, '0.013% of it in the last epoch < 1%');
    assert.equal(hasConverged(h.slice(0, 4), 2, 0.01), false, 'a third of it in the last two');
    assert.equal(hasConverged(h.slice(0, 5), 2, 0.01), true, '0.03% of it in the last two');
    assert.equal(hasConverged(h.slice(0, 5), 2, 1e-4), false, 'but not below a 0.01% tolerance');
  });

  test('a network creeping down its plateau at chance has not converged; one whose NLL falls towards 0 by a constant factor does, in time', () => {
    const plateau = epochs(Array.from({ length: 30 }, (_, e) => 2.31 - 0.0005 * e));
    assert.equal(hasConverged(plateau, 10, 0.01), false, 'a third of the (small) progress is in the last 10 epochs');
    const geometric = epochs(Array.from({ length: 100 }, (_, e) => 0.9 ** e));
    const first = geometric.findIndex((_, e) => hasConverged(geometric.slice(0, e + 1), 5, 0.01)) + 1;
    assert.ok(first > 30 && first < 60, `0.9^e converges at epoch ${first} (the relative test never fires on it)`);
  });

  test('no decrease since epoch 1 is never convergence; a training NLL that went up over the window after a decrease is', () => {
    assert.equal(hasConverged(epochs([0.3, 0.31]), 1, 1e-3), false);
    assert.equal(hasConverged(epochs([1, 0.3, 0.31]), 1, 1e-3), true);
    assert.equal(hasConverged([{ phase: 'finetune', epoch: 1, seconds: 0, values: {} }, { phase: 'finetune', epoch: 2, seconds: 0, values: {} }], 1, 1e-3), false);
  });

  test('falls back to the epoch training objective when the training set is not evaluated', () => {
    const h: EpochMetrics[] = [0.9, 0.5, 0.4999].map((v, i) => ({ phase: 'finetune', epoch: i + 1, seconds: 0, values: { trainObjective: v } }));
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
    const first = nll.findIndex((v, i) => i >= W && nll[0]! > v && nll[i - W]! - v < tol * (nll[0]! - v)) + 1;
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
    const same = resolveTrialConfig({ finetune: { convergeWindow: null, convergeTol: 0.01 } });
    const on = resolveTrialConfig({ finetune: { convergeWindow: 5 } });
    assert.equal(trialHash(same), trialHash(base));
    assert.notEqual(trialHash(on), trialHash(base));
  });
});
