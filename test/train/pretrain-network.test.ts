import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { makeDataset, type Dataset } from '../../src/data/dataset.ts';
import { Mlp, type MlpSpec } from '../../src/models/mlp.ts';
import { parseLayerSpec } from '../../src/models/layer-spec.ts';
import { Rng } from '../../src/rng/rng.ts';
import { ConfigError, pretrainConfigSchema, type PretrainConfig } from '../../src/train/config.ts';
import type { EpochMetrics } from '../../src/train/hooks.ts';
import { pretrainStack } from '../../src/train/pretrain.ts';
import { runTrial } from '../../src/train/trial.ts';
import type { TrialConfigInput } from '../../src/train/config.ts';
import { inputUnits, pretrainNetwork, propagateThrough, trainableLayers } from '../../src/train/pretrain-network.ts';

const be = createReferenceBackend('float32');

function cfg(over: Partial<PretrainConfig> = {}): PretrainConfig {
  return pretrainConfigSchema.parse({ kind: 'sdae', epochs: 2, lr: 0.05, batchSize: 4, ...over });
}

/** `n` binary 6x6 images: noisy copies of 4 random prototypes (drawn from seed 1), the noise from `seed`. */
function images(n = 40, seed = 1, name = 'images'): Dataset {
  const p = new Rng(1), dim = 36;
  const protos = Array.from({ length: 4 }, () => Array.from({ length: dim }, () => (p.uniform() < 0.35 ? 1 : 0)));
  const r = new Rng(seed).fork('noise');
  const x = new Float32Array(n * dim), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 4;
    for (let j = 0; j < dim; j++) x[i * dim + j] = r.uniform() < 0.05 ? 1 - protos[i % 4]![j]! : protos[i % 4]![j]!;
  }
  return makeDataset(name, x, y, dim, 4, { height: 6, width: 6 });
}

const data = images();

function convNet(layers: string, seed = 3): Mlp {
  const spec: MlpSpec = {
    nIn: 36, hidden: [], nClasses: 4, activation: 'relu', init: 'he',
    layers: parseLayerSpec(layers, 'relu'), image: { height: 6, width: 6, channels: 1 },
  };
  return Mlp.create(be, spec, new Rng(seed).fork('init'));
}

const NET = 'conv 3 3x3 pad 1, conv 2 3x3, flatten, dense 8 sigmoid, dense 5';

/** Every parameter and buffer by name, copied. */
function weights(m: Mlp): Map<string, Float32Array> {
  return new Map(m.tensors().map((p) => [p.name, Float32Array.from(p.value.data)]));
}

test('pretrainNetwork changes the bottom k conv and dense layers and leaves every layer above them untouched', async () => {
  const net = convNet(NET);
  assert.deepEqual(trainableLayers(net).map((t) => [t.kind, t.index]), [['conv', 0], ['conv', 1], ['dense', 2], ['dense', 3]]);
  const before = weights(net);
  const seen: EpochMetrics[] = [];
  const ctxShapes: number[][][] = [];
  await pretrainNetwork(net, data, cfg(), new Rng(7), 3, {
    onEpoch: (m, ctx) => {
      seen.push(m);
      ctxShapes.push((ctx?.layers ?? []).map((l) => l.W.shape));
    },
  });
  const after = weights(net);
  const changed = [...before.keys()].filter((k) => !before.get(k)!.every((v, i) => v === after.get(k)![i]));
  assert.deepEqual(changed, ['conv.0.W', 'conv.0.b', 'conv.1.W', 'conv.1.b', 'hidden.0.W', 'hidden.0.b']);
  assert.deepEqual(seen.map((m) => [m.phase, m.layer, m.epoch]), [['pretrain', 0, 1], ['pretrain', 0, 2], ['pretrain', 1, 1], ['pretrain', 1, 2], ['pretrain', 2, 1], ['pretrain', 2, 2]]);
  for (const m of seen) assert.ok(Number.isFinite(m.values.reconstruction) && m.values.corruption === 0.25, JSON.stringify(m.values));
  assert.deepEqual(ctxShapes.at(-1), [[9, 3], [27, 2], [32, 8]], 'the epoch context: the pre-trained encoders and the live one');
});

test('pretrainNetwork is deterministic by seed: the same seed gives the same network bit for bit, another seed another', async () => {
  const run = async (seed: number) => {
    const net = convNet(NET);
    await pretrainNetwork(net, data, cfg({ momentum: 0.5, l2: 1e-3 }), new Rng(seed), 4);
    return weights(net);
  };
  const [a, b, c] = [await run(5), await run(5), await run(6)];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.get('conv.0.W'), c.get('conv.0.W'));
  assert.deepEqual(a.get('output.W'), c.get('output.W'), 'the output layer is never pre-trained');
});

test('the conv layers are trained as conv DAEs on the codes below: the conv DAE reconstruction falls', async () => {
  const net = convNet('conv 4 3x3 pad 1 relu, flatten, dense 6');
  const seen: EpochMetrics[] = [];
  await pretrainNetwork(net, data, cfg({ epochs: 6, lr: 0.05, batchSize: 2 }), new Rng(1), 1, { onEpoch: (m) => void seen.push(m) });
  const rec = seen.map((m) => m.values.reconstruction!);
  assert.ok(rec.at(-1)! < 0.9 * rec[0]!, `conv DAE reconstruction per epoch: ${rec.join(', ')}`);
});

test('on the paper network (dense layers only) pretrainNetwork gives exactly pretrainStack\'s layers', async () => {
  for (const activation of ['sigmoid', 'relu'] as const) {
    const net = Mlp.create(be, { nIn: 36, hidden: [10, 6], nClasses: 4, activation, init: 'uniform-fanin' }, new Rng(2).fork('init'));
    const c = cfg({ batchSize: 3 });
    await pretrainNetwork(net, data, c, new Rng(4), 2);
    const stack = await pretrainStack(be, data, [10, 6], c, new Rng(4), undefined, { activation });
    net.hiddenParams().forEach((p, l) => {
      assert.deepEqual(p.W.data, stack[l]!.W.data, `${activation} layer ${l + 1} W`);
      assert.deepEqual(p.b.data, stack[l]!.b.data, `${activation} layer ${l + 1} b`);
    });
  }
});

test('a layer\'s input units: the data, else the nearest dense / conv / activation layer below (pooling keeps them)', () => {
  const net = convNet('conv 2 3x3 tanh, pool 2, flatten, dense 6 linear, sigmoid, dense 4, dense 3 linear, dense 2');
  const t = trainableLayers(net);
  assert.deepEqual(t.map((x) => [x.kind, x.index]), [['conv', 0], ['dense', 2], ['dense', 4], ['dense', 5], ['dense', 6]]);
  assert.deepEqual(t.map((x) => inputUnits(net.body, t, x.index)), ['data', 'tanh', 'sigmoid', 'relu', 'identity']);
  const pooled = convNet('avgpool 2, conv 2 3x3 pad 1');
  const tp = trainableLayers(pooled);
  assert.deepEqual(tp.map((x) => inputUnits(pooled.body, tp, x.index)), ['data'], 'a pooling of the data is still data');
});

test('through normalisation layers: a layer above a norm gets linear input units unless an activation layer follows, dropout keeps them; norm statistics and the dropout stream are left as they are', async () => {
  const net = convNet('conv 3 3x3 pad 1 linear, bn, relu, pool 2, dropout 0.5, dense 6 linear, ln, dense 4');
  const t = trainableLayers(net);
  assert.deepEqual(t.map((x) => inputUnits(net.body, t, x.index)), ['data', 'relu', 'identity']);
  const before = weights(net);
  const dropoutDraw = net.streams()['dropout']!.getState();
  await pretrainNetwork(net, data, cfg({ lr: 0.01 }), new Rng(2), 3);
  assert.deepEqual(net.streams()['dropout']!.getState(), dropoutDraw, 'pre-training draws nothing from the network\'s dropout stream');
  const after = weights(net);
  const changed = [...before.keys()].filter((k) => !before.get(k)!.every((v, i) => v === after.get(k)![i]));
  assert.deepEqual(changed, ['conv.0.W', 'conv.0.b', 'hidden.0.W', 'hidden.0.b', 'hidden.1.W', 'hidden.1.b'], 'only the dense and conv layers move (evaluation mode: no running statistics update)');
});

test('propagateThrough forwards in evaluation mode in chunks, the last wrapped round, whatever the chunk size', () => {
  const net = convNet(NET);
  const want = propagateThrough(be, net.body.slice(0, 3), data, 'all', data.n);
  for (const chunk of [1, 7, 100]) {
    const got = propagateThrough(be, net.body.slice(0, 3), data, 'c', chunk);
    assert.equal(got.dim, 8);
    assert.deepEqual(got.x, want.x, `chunk ${chunk}`);
  }
  assert.equal(propagateThrough(be, [], data, 'none'), data);
});

test('what network pre-training does not offer is refused before any training, naming the key and the fix', async () => {
  let trained = false;
  const hooks = { onEpoch: () => void (trained = true) };
  const cases: [string, Partial<PretrainConfig>, number, RegExp][] = [
    [NET, { kind: 'dbn' }, 1, /pretrain\.kind is 'dbn' .*RBMs for conv nets are not offered.*'sdae'/],
    [NET, { propagate: 'sample' }, 1, /pretrain\.propagate is 'sample'.*'mean'/],
    [NET, {}, 5, /pretrain\.layers is 5 but the network has 4 dense and conv layers; allowed: 0\.\.4/],
    ['conv 2 3x3 stride 2, dense 4', {}, 1, /conv layer 1.*stride 2.*use stride 1/],
    ['conv 2 3x5, dense 4', {}, 1, /3x5 .*square kernel/],
    [NET, { corruption: [0.1] }, 2, /pretrain\.corruption/],
  ];
  for (const [layers, over, k, re] of cases) {
    await assert.rejects(pretrainNetwork(convNet(layers), data, cfg(over), new Rng(1), k, hooks), (e: unknown) => e instanceof ConfigError && re.test(e.message), re.source);
  }
  const big = makeDataset('big', Float32Array.from(data.x, (v) => 2 * v), data.y, 36, 4);
  await assert.rejects(pretrainNetwork(convNet(NET), big, cfg(), new Rng(1), 1, hooks), /outside \[0, 1\]/);
  assert.equal(trained, false);
});

const splits = { train: images(60, 1, 'train'), valid: images(30, 2, 'valid'), test: images(30, 3, 'test') };
const convTrial: TrialConfigInput = {
  seed: 5, model: { layers: 'conv 3 3x3 pad 1, pool 2, conv 2 3x3 pad 1, dense 8', activation: 'relu', init: 'he' },
  pretrain: { kind: 'sdae', epochs: 2, lr: 0.01, batchSize: 5 },
  finetune: { epochs: 4, lr: 0.05, batchSize: 5, patience: null },
};

test('runTrial with model.layers and pretrain.kind sdae pre-trains the conv and dense layers in place, then fine-tunes, deterministically', async () => {
  const a = await runTrial(convTrial, { backend: be, data: splits });
  const b = await runTrial(convTrial, { backend: be, data: splits });
  const none = await runTrial({ ...convTrial, pretrain: { kind: 'none' } }, { backend: be, data: splits });
  const pre = a.history.filter((h) => h.phase === 'pretrain');
  assert.deepEqual(pre.map((h) => [h.layer, h.epoch]), [[0, 1], [0, 2], [1, 1], [1, 2], [2, 1], [2, 2]]);
  for (const l of [0, 1, 2]) {
    const [e1, e2] = pre.filter((h) => h.layer === l).map((h) => h.values.reconstruction!);
    assert.ok(e2! < e1!, `layer ${l + 1}: reconstruction ${e1} -> ${e2}`);
  }
  assert.ok(a.seconds.pretrain > 0);
  assert.ok(a.final.test.error < 0.4, `test error ${a.final.test.error} should beat chance (0.75) by far`);
  const numbers = (r: typeof a) => r.history.map(({ values: { trainSeconds: _t, ...v } }) => v);
  assert.deepEqual(numbers(a), numbers(b), 'same seed, same numbers');
  assert.notDeepEqual(numbers(a).at(-1), numbers(none).at(-1), 'pre-training changed the start');
  const one = await runTrial({ ...convTrial, pretrain: { ...convTrial.pretrain, layers: 1 } }, { backend: be, data: splits });
  assert.deepEqual(one.history.filter((h) => h.phase === 'pretrain').map((h) => h.layer), [0, 0], 'pretrain.layers bounds the pre-trained layers');
});

test('runTrial refuses what network pre-training cannot do before any training, naming the key', async () => {
  for (const [over, re] of [
    [{ model: { layers: 'conv 2 3x3 stride 2, dense 4' } }, /conv layer 1 cannot be pre-trained with pretrain\.kind 'sdae'.*stride 2/],
    [{ pretrain: { kind: 'sdae', propagate: 'sample' } }, /pretrain\.propagate is 'sample' but a network given by model\.layers/],
    [{ pretrain: { kind: 'dbn' } }, /'dbn' stacks RBMs on the depth\/hidden MLP only/],
  ] as [TrialConfigInput, RegExp][]) {
    const config = { ...convTrial, ...over, model: { ...convTrial.model, ...over.model }, pretrain: { ...convTrial.pretrain, ...over.pretrain } } as TrialConfigInput;
    await assert.rejects(runTrial(config, { backend: be, data: splits }), (e: unknown) => e instanceof ConfigError && re.test(e.message), re.source);
  }
});
