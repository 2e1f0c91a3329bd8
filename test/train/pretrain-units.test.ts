import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { makeDataset, type Dataset, type ExampleStream } from '../../src/data/dataset.ts';
import { layerStreams, propagateUp } from '../../src/models/stack.ts';
import type { DenseParams } from '../../src/nn/dense-params.ts';
import { Rng } from '../../src/rng/rng.ts';
import { ConfigError, pretrainConfigSchema, type PretrainConfig } from '../../src/train/config.ts';
import type { EpochMetrics } from '../../src/train/hooks.ts';
import { createLayerLearner, daeLayerOptions } from '../../src/train/layer-learner.ts';
import { pretrainStack, trainDaeLayer } from '../../src/train/pretrain.ts';
import { pretrainStream } from '../../src/train/stream-pretrain.ts';
import { CheckpointError } from '../../src/train/checkpoint.ts';
import { runTrial } from '../../src/train/trial.ts';
import type { TrialConfigInput } from '../../src/train/config.ts';
import { toySplits } from '../helpers/toy-data.ts';

const be = createReferenceBackend('float32');
const be64 = createReferenceBackend('float64');
const data = toySplits(11, { train: 60, valid: 1, test: 1 }, 12).train; // 60 examples in [0, 1]^12

function cfg(over: Partial<PretrainConfig>): PretrainConfig {
  return pretrainConfigSchema.parse({ kind: 'sdae', epochs: 2, lr: 0.1, batchSize: 4, ...over });
}

/** `s(x W + b)` in plain loops. */
function plainCodes(x: ArrayLike<number>, n: number, p: DenseParams, s: (a: number) => number): Float32Array {
  const nIn = p.W.rows, nOut = p.W.cols, out = new Float32Array(n * nOut);
  for (let i = 0; i < n; i++) for (let j = 0; j < nOut; j++) {
    let a = p.b.data[j]!;
    for (let k = 0; k < nIn; k++) a += x[i * nIn + k]! * p.W.data[k * nOut + j]!;
    out[i * nOut + j] = s(a);
  }
  return out;
}

const UNITS = { relu: (a: number) => Math.max(0, a), tanh: Math.tanh } as const;

test('propagateUp computes relu(x W + b) and tanh(x W + b) when asked, whatever the chunk size', () => {
  const r = new Rng(4), n = 11;
  const p = { W: be64.fromArray(5, 3, Array.from({ length: 15 }, () => 2 * r.uniform() - 1)), b: be64.fromArray(1, 3, [-0.3, 0.1, 0.2]) };
  const x = Float32Array.from({ length: n * 5 }, () => r.uniform());
  for (const [name, s] of Object.entries(UNITS)) {
    const want = plainCodes(x, n, p, s);
    for (const chunk of [1, 4, 500]) {
      const got = propagateUp(be64, x, n, p, chunk, name as keyof typeof UNITS);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-6, `${name} chunk ${chunk} [${i}]`);
    }
    if (name === 'relu') assert.ok(want.some((v) => v === 0), 'some relu codes are 0');
    if (name === 'tanh') assert.ok(want.some((v) => v < 0), 'some tanh codes are negative');
  }
});

test('a DAE whose input is tanh / relu / linear codes takes the squared loss with an identity decoder; the data and sigmoid codes keep pretrain.loss', () => {
  const c = cfg({ loss: 'cross-entropy' });
  assert.deepEqual(daeLayerOptions(c, 'sigmoid', 'data'), { loss: 'cross-entropy', decoder: 'sigmoid' });
  assert.deepEqual(daeLayerOptions(c, 'sigmoid', 'sigmoid'), { loss: 'cross-entropy', decoder: 'sigmoid' });
  assert.deepEqual(daeLayerOptions(c, 'relu', 'data'), { loss: 'cross-entropy', decoder: 'sigmoid', encoder: 'relu' });
  assert.deepEqual(daeLayerOptions(c, 'relu', 'relu'), { loss: 'squared', decoder: 'identity', encoder: 'relu' });
  assert.deepEqual(daeLayerOptions(c, 'tanh', 'tanh'), { loss: 'squared', decoder: 'identity', encoder: 'tanh' });
  assert.deepEqual(daeLayerOptions(c, 'sigmoid', 'identity'), { loss: 'squared', decoder: 'identity' });
});

for (const activation of ['relu', 'tanh'] as const) {
  test(`a ${activation} SDAE stack trains layer 2 on the ${activation} codes of layer 1, is reproducible from the seed and differs from the sigmoid stack`, async () => {
    const c = cfg({});
    const seen: EpochMetrics[] = [];
    const run = (seed: number, hooks = {}) => pretrainStack(be, data, [8, 5], c, new Rng(seed), hooks, { activation });
    const a = await run(5, { onEpoch: (m: EpochMetrics) => void seen.push(m) });
    const b = await run(5), other = await run(6);
    const sigmoid = await pretrainStack(be, data, [8, 5], c, new Rng(5));
    for (let l = 0; l < 2; l++) {
      assert.deepEqual(a[l]!.W.data, b[l]!.W.data, `layer ${l + 1} W bit for bit`);
      assert.deepEqual(a[l]!.b.data, b[l]!.b.data, `layer ${l + 1} b bit for bit`);
      assert.notDeepEqual(a[l]!.W.data, sigmoid[l]!.W.data, `layer ${l + 1} differs from the sigmoid stack's`);
    }
    assert.notDeepEqual(a[0]!.W.data, other[0]!.W.data, 'another seed gives other weights');
    assert.deepEqual(seen.map((m) => [m.layer, m.epoch]), [[0, 1], [0, 2], [1, 1], [1, 2]]);
    for (const m of seen) assert.ok(Number.isFinite(m.values.reconstruction), `layer ${m.layer} epoch ${m.epoch}: ${m.values.reconstruction}`);
    // Layer 2 is exactly a DAE trained on s(x W1 + b1) (computed here in plain loops) with its own streams.
    const codes = plainCodes(data.x, data.n, a[0]!, UNITS[activation]);
    const input: Dataset = makeDataset('codes', codes, data.y, 8, data.nClasses);
    const top = await trainDaeLayer(be, { layer: 1, input, nHidden: 5, streams: layerStreams(new Rng(5), 1), below: [a[0]!], activation }, c);
    for (let i = 0; i < top.W.size; i++) assert.ok(Math.abs(top.W.data[i]! - a[1]!.W.data[i]!) < 1e-5, `layer 2 W[${i}]`);
  });
}

test('the criterion of a ReLU DAE layer falls over the epochs on toy data', async () => {
  const seen: EpochMetrics[] = [];
  await pretrainStack(be, data, [16], cfg({ epochs: 6, lr: 0.05, batchSize: 2 }), new Rng(1), { onEpoch: (m) => void seen.push(m) }, { activation: 'relu' });
  const rec = seen.map((m) => m.values.reconstruction!);
  assert.ok(rec.at(-1)! < 0.95 * rec[0]!, `reconstruction per epoch: ${rec.join(', ')}`);
});

test('streamed ReLU pre-training equals one epoch per layer of materialised ReLU pre-training on the same rows', async () => {
  const c = cfg({ epochs: 1 });
  const materialised = await pretrainStack(be, data, [8, 5], c, new Rng(5).fork('pretrain'), undefined, { activation: 'relu' });
  const perms = [0, 1].map((l) => layerStreams(new Rng(5).fork('pretrain'), l).order.permutation(data.n));
  const d = data.dim;
  const stream: ExampleStream = {
    name: 'visits', dim: d, nClasses: data.nClasses,
    example: (p, x) => {
      const i = perms[Math.floor(p / data.n)]![p % data.n]!;
      x.set(data.x.subarray(i * d, (i + 1) * d));
      return data.y[i]!;
    },
  };
  const order = Int32Array.from({ length: 2 * data.n }, (_, p) => p);
  const base = { backend: be, stream, sizes: [8, 5], cfg: c, rng: new Rng(5).fork('pretrain'), examplesPerLayer: data.n, blockSize: data.n, start: 0, order };
  const streamed = await pretrainStream({ ...base, activation: 'relu' });
  streamed.layers.forEach((p, l) => assert.deepEqual(p.W.data, materialised[l]!.W.data, `layer ${l + 1}`));
  const sigmoid = await pretrainStream(base);
  assert.notDeepEqual(sigmoid.layers[1]!.W.data, streamed.layers[1]!.W.data);
});

test('non-sigmoid units are refused where they have no meaning: RBMs, sampled propagation, a snapshot of other units', async () => {
  await assert.rejects(pretrainStack(be, data, [5], cfg({ kind: 'dbn' }), new Rng(1), undefined, { activation: 'relu' }),
    (e: unknown) => e instanceof ConfigError && /model\.activation is 'relu' but pretrain\.kind 'dbn' learns sigmoid units.*'sdae'/.test(e.message));
  await assert.rejects(pretrainStack(be, data, [5, 4], cfg({ propagate: 'sample' }), new Rng(1), undefined, { activation: 'tanh' }),
    (e: unknown) => e instanceof ConfigError && /pretrain\.propagate .*'mean' with model\.activation 'tanh'/.test(e.message));
  const task = { layer: 0, nIn: 12, nHidden: 3, streams: layerStreams(new Rng(1), 0) };
  assert.throws(() => createLayerLearner(be, cfg({ kind: 'dbn' }), { ...task, activation: 'relu' }), /RBM has sigmoid hidden units, not 'relu'/);
  const relu = createLayerLearner(be, cfg({}), { ...task, activation: 'relu' });
  const snap = relu.snapshot();
  assert.equal(snap.meta['activation'], 'relu');
  assert.throws(() => createLayerLearner(be, cfg({}), task, snap), (e: unknown) => e instanceof CheckpointError && /activation is 'relu' but this learner's is 'sigmoid'/.test(e.message));
  const sigmoidSnap = createLayerLearner(be, cfg({}), task).snapshot();
  assert.equal(sigmoidSnap.meta['activation'], undefined, 'a sigmoid snapshot is written as before');
  assert.throws(() => createLayerLearner(be, cfg({}), { ...task, activation: 'tanh' }, sigmoidSnap), /activation is 'sigmoid' but this learner's is 'tanh'/);
});

const toy = toySplits(3);
const reluTrial: TrialConfigInput = {
  seed: 7, model: { depth: 2, hidden: 10, activation: 'relu', init: 'he' },
  pretrain: { kind: 'sdae', epochs: 2, lr: 0.05, batchSize: 5 },
  finetune: { epochs: 8, lr: 0.1, batchSize: 5, patience: null },
};

test('runTrial pre-trains a ReLU network with an SDAE (model.activation relu), trains it, and gives the same numbers from the same seed', async () => {
  const a = await runTrial(reluTrial, { backend: be, data: toy });
  const b = await runTrial(reluTrial, { backend: be, data: toy });
  const scratch = await runTrial({ ...reluTrial, pretrain: { kind: 'none' } }, { backend: be, data: toy });
  const pre = a.history.filter((h) => h.phase === 'pretrain');
  assert.deepEqual(pre.map((h) => [h.layer, h.epoch]), [[0, 1], [0, 2], [1, 1], [1, 2]]);
  for (const h of pre) assert.ok(Number.isFinite(h.values.reconstruction));
  const objective = a.history.filter((h) => h.phase === 'finetune').map((h) => h.values.trainObjective!);
  assert.equal(objective.length, 8);
  assert.ok(objective.at(-1)! < objective[0]!, `fine-tuning objective per epoch: ${objective.join(', ')}`);
  assert.ok(a.final.test.error < 0.45, `test error ${a.final.test.error} should beat chance (2/3) on the 3 toy classes`);
  assert.deepEqual(a.final, b.final, 'bit-identical from the seed');
  const numbers = (r: typeof a) => r.history.map(({ values: { trainSeconds: _t, ...v } }) => v);
  assert.deepEqual(numbers(a), numbers(b));
  assert.notDeepEqual(numbers(a).at(-1), numbers(scratch).at(-1), 'the pre-trained start differs from the random one');
});

test('runTrial refuses a ReLU DBN and sampled propagation of ReLU codes, naming the keys', async () => {
  for (const [pretrain, re] of [
    [{ kind: 'dbn', epochs: 1 }, /model\.activation is 'relu' but pretrain\.kind 'dbn'/],
    [{ kind: 'sdae', epochs: 1, propagate: 'sample' }, /pretrain\.propagate is 'sample' but model\.activation is 'relu'/],
  ] as const) {
    await assert.rejects(runTrial({ ...reluTrial, pretrain }, { backend: be, data: toy }), (e: unknown) => e instanceof ConfigError && re.test(e.message));
  }
});
