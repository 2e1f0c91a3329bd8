/**
 * `finetune.trainTop`, the transfer modes, through a whole trial: frozen layers are bit-identical
 * after fine-tuning (weight change exactly 0) and the trainable ones move, for an SDAE-pre-trained
 * MLP, a conv-DAE-pre-trained conv net and a source-pre-trained network; `trainTop` null keeps
 * every number and hash; a resumed run is bit-identical; bad values are ConfigErrors naming the
 * key, the value and the fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { runAnalysedTrial, type WeightChangeSummary } from '../../src/analysis/analysed-trial.ts';
import { runTrial } from '../../src/train/trial.ts';
import { ConfigError, finetuneConfigSchema, resolveTrialConfig, trialConfigSchema, type TrialConfigInput } from '../../src/train/config.ts';
import { finetune } from '../../src/train/finetune.ts';
import { sourceFinetuneConfig } from '../../src/train/source-pretrain.ts';
import { validateTrialConfig } from '../../src/train/validate.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { toySplits } from '../helpers/toy-data.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const be = createReferenceBackend('float32');
const toy = toySplits(3, { train: 120, valid: 60, test: 60 }, 16, 3);
const mlp = {
  seed: 4,
  model: { depth: 2, hidden: 8, activation: 'relu', init: 'he' },
  pretrain: { kind: 'sdae', epochs: 2, lr: 0.01, batchSize: 10 },
  finetune: { epochs: 3, lr: 0.1, batchSize: 10, patience: null },
  analysis: { weightChange: true },
} as const satisfies TrialConfigInput;

const changes = async (input: TrialConfigInput, data = toy): Promise<WeightChangeSummary> =>
  (await runAnalysedTrial(input, { backend: be, ...(data ? { data } : {}) })).analysis!['weightChange'] as WeightChangeSummary;
const moved = (wc: WeightChangeSummary): boolean[] => wc.map((l) => l.relativeChange > 0);

test('SDAE MLP: trainTop 0 leaves both pre-trained layers bit-identical (weight change exactly 0), 1 moves only the top, null both', async () => {
  const frozen = await changes({ ...mlp, finetune: { ...mlp.finetune, trainTop: 0 } });
  assert.deepEqual(frozen.map((l) => [l.signChange, l.relativeChange]), [[0, 0], [0, 0]]);
  assert.deepEqual(moved(await changes({ ...mlp, finetune: { ...mlp.finetune, trainTop: 1 } })), [false, true]);
  assert.deepEqual(moved(await changes(mlp)), [true, true]);
});

test('conv DAE on a conv net with group norm: trainTop 1 freezes the conv layer (and its norm), trains the dense layer and the classifier', async () => {
  const images = Object.fromEntries(Object.entries(toySplits(5, { train: 60, valid: 30, test: 30 }, 36, 3)).map(([k, d]) => [k, { ...d, image: { height: 6, width: 6 } }])) as unknown as typeof toy;
  const conv = { ...mlp, model: { layers: 'conv 4 3x3 pad 1 linear, gn 2, relu, maxpool 2, dense 6', activation: 'relu', init: 'he' } } as const;
  const dir = tempDir('train-top-conv-');
  const r = await runAnalysedTrial({ ...conv, finetune: { ...conv.finetune, trainTop: 1 } }, { backend: be, data: images, checkpointDir: dir });
  const wc = r.analysis!['weightChange'] as WeightChangeSummary;
  assert.deepEqual(wc.map((l) => [l.name, l.relativeChange > 0]), [['conv.0', false], ['hidden.0', true]]);
  const final = readCheckpoint(join(dir, 'final.safetensors'));
  const gamma = final.tensors.get('norm.0.gamma')!.data;
  assert.ok(gamma.every((v) => v === 1), 'the frozen group norm keeps its initial gamma');
  assert.ok(r.final.train.error < 0.5, `the trainable top learnt (train error ${r.final.train.error})`);
});

test('trainTop with pretrain none is the random-features control: only the classifier trains on the random base', async () => {
  const wc = await changes({ ...mlp, pretrain: { kind: 'none' }, finetune: { ...mlp.finetune, trainTop: 0 } });
  assert.deepEqual(moved(wc), [false, false]);
});

test('supervised source pre-training with trainTop 0: the source network trains every layer; the target keeps them frozen', async () => {
  const small = { trainSize: 100, validSize: 30, testSize: 30 };
  const input: TrialConfigInput = {
    seed: 3,
    data: { name: 'mnist', labels: [5, 6, 7, 8, 9], ...small },
    model: { depth: 2, hidden: 12, activation: 'relu', init: 'he' },
    pretrain: { kind: 'supervised', source: { name: 'mnist', labels: [0, 1, 2, 3, 4], ...small }, epochs: 2, lr: 0.05, batchSize: 10 },
    finetune: { epochs: 2, lr: 0.05, batchSize: 10, patience: null, trainTop: 0 },
    analysis: { weightChange: true },
  };
  assert.equal(sourceFinetuneConfig(resolveTrialConfig(input)).trainTop, null, 'the source run is not frozen');
  const wc = (await runAnalysedTrial(input, { backend: be })).analysis!['weightChange'] as WeightChangeSummary;
  assert.deepEqual(moved(wc), [false, false]);
  const random = Mlp.create(be, { nIn: 784, hidden: [12, 12], nClasses: 5, activation: 'relu', init: 'he' }, new Rng(3).fork('init'));
  const target = await runTrial(input, { backend: be, checkpointDir: tempDir('train-top-source-') });
  const kept = readCheckpoint(target.checkpoint!).tensors.get('hidden.0.W')!.data;
  assert.ok(kept.some((v, i) => v !== random.hidden[0]!.W.data[i]), 'the frozen base is the source network, not the random init');
});

test('trainTop null (spelt out) has the hash of a config without it; trainTop = the number of layers gives the same numbers as null', async () => {
  const without = trialConfigSchema.parse(mlp);
  assert.equal(trialHash(trialConfigSchema.parse({ ...mlp, finetune: { ...mlp.finetune, trainTop: null } })), trialHash(without));
  assert.notEqual(trialHash(trialConfigSchema.parse({ ...mlp, finetune: { ...mlp.finetune, trainTop: 1 } })), trialHash(without));
  const dropout = { ...mlp, model: { ...mlp.model, dropout: 0.3 }, analysis: {} };
  const a = await runTrial(dropout, { backend: be, data: toy });
  const b = await runTrial({ ...dropout, finetune: { ...dropout.finetune, trainTop: 2 } }, { backend: be, data: toy });
  assert.deepEqual(b.final, a.final);
  assert.deepEqual(b.history.map((h) => h.values['trainObjective']), a.history.map((h) => h.values['trainObjective']));
});

test('a run with trainTop 1 and Adam, interrupted at epoch 2 and resumed, equals the uninterrupted run bit for bit; the model is unfrozen afterwards', async () => {
  const net = (seed: number): Mlp => Mlp.create(be, { nIn: 16, hidden: [8, 6], nClasses: 3, activation: 'relu', init: 'he' }, new Rng(seed).fork('init'));
  const config = finetuneConfigSchema.parse({ batchSize: 10, epochs: 4, optimizer: 'adam', lr: 0.01, patience: 2, trainTop: 1 });
  const straight = net(1);
  const whole = await finetune({ model: straight, data: toy, config, rng: new Rng(5).fork('order') });
  assert.equal(straight.frozenLayers, 0, 'finetune unfreezes the model when it returns');
  const path = join(tempDir('train-top-resume-'), 'resume.safetensors');
  await finetune({ model: net(1), data: toy, config, rng: new Rng(5).fork('order'), checkpointPath: path, untilEpoch: 2 });
  const saved = [...readCheckpoint(path).tensors.keys()].filter((k) => k.startsWith('optimizer.'));
  assert.ok(saved.length > 0 && saved.every((k) => !k.startsWith('optimizer.hidden.0.')), `no optimiser state for the frozen layer: ${saved.join(', ')}`);
  const resumed = net(99);
  const rest = await finetune({ model: resumed, data: toy, config, rng: new Rng(5).fork('order'), resumeFrom: path, checkpointPath: path });
  assert.deepEqual(resumed.getFlat(), straight.getFlat());
  assert.deepEqual(rest.final, whole.final);
  assert.deepEqual(straight.hidden[0]!.W.data, net(1).hidden[0]!.W.data, 'the frozen layer is the initial one');
});

for (const [what, input, message] of [
  ['trainTop above the depth', { ...mlp, finetune: { ...mlp.finetune, trainTop: 3 } }, /finetune\.trainTop is 3 but model\.depth is 2; allowed: 0 \(only the new classifier on a frozen base\) \.\.2, or null \(every layer\)/],
  ['trainTop above the dense and conv layers of model.layers', { ...mlp, model: { layers: 'conv 4 3x3, pool 2, dense 6' }, pretrain: { kind: 'none' }, finetune: { ...mlp.finetune, trainTop: 3 } }, /finetune\.trainTop is 3 but model\.layers has 2 dense and conv layers; allowed: 0 .*\.\.2/],
  ['trainTop in the online setting', { model: { depth: 1, hidden: 8 }, data: { name: 'infinite-mnist' }, online: { examples: 1000, blockSize: 100, selectWindow: 100 }, finetune: { trainTop: 0 } }, /finetune\.trainTop is set but online training .* remove it/],
] as [string, TrialConfigInput, RegExp][]) {
  test(`validateTrialConfig refuses ${what} with a ConfigError naming the key, the value and the fix`, () => {
    assert.throws(() => validateTrialConfig(resolveTrialConfig(input)), (e: unknown) => e instanceof ConfigError && message.test(e.message));
  });
}

test('the schema refuses a negative or fractional trainTop, naming the key', () => {
  for (const v of [-1, 0.5]) assert.throws(() => resolveTrialConfig({ finetune: { trainTop: v } }), /finetune\.trainTop/);
  assert.doesNotThrow(() => validateTrialConfig(resolveTrialConfig({ ...mlp, finetune: { ...mlp.finetune, trainTop: 2 } })));
});

test('with data.labeled below 1 a batch larger than the labelled subset is one batch of all of it; without a fraction it stays an error', async () => {
  const base = { seed: 2, model: { depth: 1, hidden: 6 }, finetune: { epochs: 2, batchSize: 50, patience: null } } as const;
  const r = await runTrial({ ...base, data: { labeled: 0.1 } }, { backend: be, data: toy }); // 12 labelled examples
  assert.equal(r.history.length, 2);
  await assert.rejects(runTrial({ ...base, finetune: { ...base.finetune, batchSize: 500 } }, { backend: be, data: toy }), /finetune\.batchSize is 500 but there are only 120 training examples/);
});
