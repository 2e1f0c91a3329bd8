/**
 * Fine-tuning with the issue-14 keys: the training length (`updates`, `multiplier`), gradient
 * clipping, augmentation, Adam; and the ConfigErrors for settings that do nothing or cannot work.
 * (Resume with Adam, a schedule and augmentation: test/train/finetune.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import type { DataSplits } from '../../src/data/dataset.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { ConfigError, finetuneConfigSchema, resolveTrialConfig, type FinetuneConfig, type TrialConfigInput } from '../../src/train/config.ts';
import { finetune } from '../../src/train/finetune.ts';
import { validateTrialConfig, validateTrialData } from '../../src/train/validate.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import { toySplits } from '../helpers/toy-data.ts';

const be = createReferenceBackend('float32');
const data = toySplits(1); // 200 training examples of 8 features, 3 classes
const images: DataSplits = Object.fromEntries(Object.entries(data).map(([k, d]) => [k, { ...d, image: { height: 2, width: 4 } }])) as unknown as DataSplits;
const net = (): Mlp => Mlp.create(be, { nIn: 8, hidden: [6], nClasses: 3, activation: 'relu', init: 'uniform-fanin' }, new Rng(1).fork('init'));
const cfg = (c: Partial<FinetuneConfig>): FinetuneConfig => finetuneConfigSchema.parse({ batchSize: 5, patience: null, ...c });

/** `model` whose trainStep and gradients calls are counted. */
function counted(model: Mlp): { model: Mlp; calls: { trainStep: number; gradients: number } } {
  const calls = { trainStep: 0, gradients: 0 };
  const step = model.trainStep.bind(model), grads = model.gradients.bind(model);
  model.trainStep = (...a) => (calls.trainStep++, step(...a));
  model.gradients = (...a) => (calls.gradients++, grads(...a));
  return { model, calls };
}

test('updates: 95 trains exactly 95 updates (40 + 40 + 15 of batch 5), the last epoch cut short and averaged over its 75 examples', async () => {
  const { model, calls } = counted(net());
  const r = await finetune({ model, data, config: cfg({ updates: 95, epochs: 50, lr: 0.1 }), rng: new Rng(1).fork('order') });
  assert.equal(calls.trainStep, 95);
  assert.equal(r.epochsRun, 3);
  assert.equal(r.history.length, 3);
  assert.equal(r.completed, true);
  assert.equal(r.stoppedEarly, false);
  const progress: number[] = [];
  await finetune({ model: net(), data, config: cfg({ updates: 95, lr: 0.1 }), rng: new Rng(1).fork('order'), hooks: { onProgress: (p) => void (p.epoch === 3 && progress.push(p.done)) } });
  assert.equal(progress.at(-1), 75, 'the last epoch visits 15 batches of 5');
});

test('multiplier 1.5 on 2 epochs trains 120 updates (3 epochs); on updates 30, 45', async () => {
  const a = counted(net());
  const r = await finetune({ model: a.model, data, config: cfg({ epochs: 2, multiplier: 1.5, lr: 0.1 }), rng: new Rng(1).fork('order') });
  assert.equal(a.calls.trainStep, 120);
  assert.equal(r.epochsRun, 3);
  const b = counted(net());
  await finetune({ model: b.model, data, config: cfg({ updates: 30, multiplier: 1.5, lr: 0.1 }), rng: new Rng(1).fork('order') });
  assert.equal(b.calls.trainStep, 45);
});

test('the epoch history records the rate of its last update: the step schedule divides by 10 at 2/3 and 8/9 of the run', async () => {
  const r = await finetune({ model: net(), data, config: cfg({ epochs: 9, lr: 0.5, schedule: 'step' }), rng: new Rng(1).fork('order') });
  assert.deepEqual(r.history.map((h) => +h.values['lr']!.toPrecision(10)), [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.05, 0.05, 0.005]);
});

test('clipNorm computes the gradients, clips them, then steps: with SGD no update moves the params further than lr * clipNorm', async () => {
  const { model, calls } = counted(net());
  const before = model.getFlat();
  const lr = 0.5, clipNorm = 0.01;
  await finetune({ model, data, config: cfg({ epochs: 1, lr, clipNorm }), rng: new Rng(1).fork('order') });
  assert.equal(calls.gradients, 40);
  const after = model.getFlat();
  const moved = Math.sqrt(after.reduce((s, v, i) => s + (v - before[i]!) ** 2, 0));
  assert.ok(moved <= 40 * lr * clipNorm * (1 + 1e-5), `moved ${moved} in 40 clipped updates`);
  assert.ok(moved > 0.5 * lr * clipNorm, 'and it did train');
  // A threshold no gradient reaches gives the fused path's numbers (up to float rounding).
  const loose = net(), fused = net();
  await finetune({ model: loose, data, config: cfg({ epochs: 1, lr, clipNorm: 1e9 }), rng: new Rng(1).fork('order') });
  await finetune({ model: fused, data, config: cfg({ epochs: 1, lr }), rng: new Rng(1).fork('order') });
  const [l, f] = [loose.getFlat(), fused.getFlat()];
  assert.ok(l.every((v, i) => Math.abs(v - f[i]!) < 1e-5), 'unclipped gradients then step() = the fused trainStep');
});

test('Adam fine-tunes the toy problem well above chance', async () => {
  const r = await finetune({ model: net(), data, config: cfg({ optimizer: 'adam', lr: 0.01, epochs: 10 }), rng: new Rng(1).fork('order') });
  assert.ok(r.final.test.error < 0.3, `test error ${r.final.test.error}`);
});

test('augmentation of data without an image shape is a ConfigError naming the key and the fix, before any training', async () => {
  const { model, calls } = counted(net());
  await assert.rejects(
    finetune({ model, data, config: cfg({ augment: { shift: 1, flip: false } }), rng: new Rng(1).fork('order') }),
    (e: Error) => e instanceof ConfigError && /finetune\.augment .* toy\/train has no image shape; set finetune\.augment\.shift to 0/.test(e.message),
  );
  assert.equal(calls.trainStep, 0);
  const trial = resolveTrialConfig({ finetune: { augment: { flip: true } } });
  assert.throws(() => validateTrialData(trial, data), /finetune\.augment \(shift 0, flip true\) .* no image shape/);
  validateTrialData(trial, images);
  assert.throws(() => validateTrialData(resolveTrialConfig({ finetune: { augment: { shift: 2 } } }), images), /finetune\.augment\.shift is 2 but the images are 2x4; allowed: 0\.\.1/);
  assert.throws(() => validateTrialData(resolveTrialConfig({ finetune: { batchSize: 10, epochs: 1, warmup: 21 } }), data), /finetune\.warmup is 21 updates but the run has only 20; allowed: 0\.\.20/);
});

const problems: [string, TrialConfigInput, RegExp][] = [
  ['weightDecay without adamw', { finetune: { optimizer: 'adam', weightDecay: 0.01 } }, /finetune\.weightDecay is 0\.01 but finetune\.optimizer is 'adam'; .*use optimizer 'adamw'/],
  ['weightDecay with sgd', { finetune: { weightDecay: 0.01 } }, /finetune\.weightDecay is 0\.01 but finetune\.optimizer is 'sgd'/],
  ['momentum with adam', { finetune: { optimizer: 'adamw', momentum: 0.9 } }, /finetune\.momentum is 0\.9 but finetune\.optimizer 'adamw' has its own momentum \(finetune\.beta1\)/],
  ['beta2 with sgd', { finetune: { beta2: 0.98 } }, /finetune\.beta2 is 0\.98 but only Adam uses it/],
  ['lrDecay with cosine', { finetune: { schedule: 'cosine', lrDecay: 0.1 } }, /finetune\.lrDecay is 0\.1 but finetune\.schedule is 'cosine'/],
  ['steps not increasing', { finetune: { schedule: 'step', steps: [0.8, 0.5] } }, /finetune\.steps is \[0\.8,0\.5\] but must be increasing fractions in \(0, 1\)/],
  ['steps repeated', { finetune: { schedule: 'step', steps: [0.5, 0.5] } }, /finetune\.steps is \[0\.5,0\.5\] but must be increasing/],
  ['steps without the step schedule', { finetune: { schedule: 'cosine', steps: [0.5] } }, /finetune\.steps \/ finetune\.stepFactor \/ finetune\.stepsFromEnd are set .* but finetune\.schedule is 'cosine'; they belong to schedule 'step'/],
  ['stepsFromEnd without the step schedule', { finetune: { stepsFromEnd: true } }, /finetune\.stepsFromEnd are set \(\[.*\], 0\.1, true\) but finetune\.schedule is 'inverse'/],
  ['evalEvery with early stopping', { finetune: { evalEvery: 50 } }, /finetune\.evalEvery is 50 but early stopping \(finetune\.patience 10\) needs the validation error of every epoch; set finetune\.patience to null/],
  ['evalEvery with the convergence criterion', { finetune: { evalEvery: 50, patience: null, convergeWindow: 3 } }, /finetune\.evalEvery is 50 but the convergence criterion \(finetune\.convergeWindow 3\)/],
  ['evalEvery online', { data: { name: 'infinite-mnist', trainSize: null }, online: { examples: 1000, blockSize: 100, window: 100, selectWindow: 100, checkpointEvery: 100 }, finetune: { evalEvery: 10, patience: null } }, /finetune\.evalEvery is set but online training/],
  ['adam online', { data: { name: 'infinite-mnist', trainSize: null }, online: { examples: 1000, blockSize: 100, window: 100, selectWindow: 100, checkpointEvery: 100 }, finetune: { optimizer: 'adam', clipNorm: 1 } }, /finetune\.optimizer, finetune\.clipNorm are set but online training is one pass of SGD/],
];
for (const [what, input, re] of problems) {
  test(`validateTrialConfig refuses ${what} with a ConfigError naming the key, the value and the fix`, () => {
    assert.throws(() => validateTrialConfig(resolveTrialConfig(input)), (e: Error) => e instanceof ConfigError && re.test(e.message));
  });
}

test('steps outside (0, 1), a stepFactor above 1 and an unknown optimizer are refused by the schema, naming the key', () => {
  assert.throws(() => resolveTrialConfig({ finetune: { steps: [0.5, 1] } }), /finetune\.steps/);
  assert.throws(() => resolveTrialConfig({ finetune: { steps: [0] } }), /finetune\.steps/);
  assert.throws(() => resolveTrialConfig({ finetune: { stepFactor: 2 } }), /finetune\.stepFactor/);
  assert.throws(() => resolveTrialConfig({ finetune: { optimizer: 'rmsprop' } }), /finetune\.optimizer.*"sgd".*"adam".*"adamw"/);
  assert.throws(() => resolveTrialConfig({ finetune: { augment: { shift: 1.5 } } }), /finetune\.augment\.shift/);
});

test('good settings pass, and the defaults keep every trial hash: a config that spells them out hashes as one that does not', () => {
  for (const f of [{ optimizer: 'adamw', weightDecay: 0.05, beta2: 0.98, schedule: 'cosine', warmup: 100 }, { schedule: 'step', steps: [0.5, 0.75], multiplier: 2 }, { updates: 1000, clipNorm: 1 }]) {
    validateTrialConfig(resolveTrialConfig({ finetune: f }));
  }
  const spelled = resolveTrialConfig({
    finetune: { optimizer: 'sgd', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, schedule: 'inverse', steps: [2 / 3, 8 / 9], stepFactor: 0.1, warmup: 0, updates: null, multiplier: 1, clipNorm: null, augment: { shift: 0, flip: false } },
  });
  assert.equal(trialHash(spelled), trialHash(resolveTrialConfig({})));
  assert.notEqual(trialHash(resolveTrialConfig({ finetune: { optimizer: 'adam' } })), trialHash(resolveTrialConfig({})));
});
