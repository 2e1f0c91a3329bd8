import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { formatLayerSpec, LayerSpecError, mlpLayerSpecs, parseLayerSpec, withNormalization } from '../../src/models/layer-spec.ts';
import { ConfigError } from '../../src/data/config-error.ts';
import { runTrial } from '../../src/train/trial.ts';
import { toySplits } from '../helpers/toy-data.ts';

describe('layer spec text', () => {
  test('reads the issue example, with defaults and options', () => {
    const s = parseLayerSpec('conv 32 5x5, pool 2, conv 64 3 stride 2 pad 1 relu, avgpool 3 stride 1 pad 1, dense 256, dropout 0.5, bn, gn 8, ln, tanh, flatten', 'sigmoid');
    assert.deepEqual(s[0], { kind: 'conv', filters: 32, kernelH: 5, kernelW: 5, stride: 1, pad: 0, activation: 'sigmoid' });
    assert.deepEqual(s[1], { kind: 'pool', op: 'max', size: 2, stride: 2, pad: 0 });
    assert.throws(() => parseLayerSpec('conv 64 3 stride 2 pad same', 'relu'), /pad 'same' needs stride 1/);
    assert.deepEqual(s[3], { kind: 'pool', op: 'avg', size: 3, stride: 1, pad: 1 });
    assert.deepEqual(s[4], { kind: 'dense', units: 256, activation: 'sigmoid' });
    assert.deepEqual(s.slice(5).map((l) => l.kind), ['dropout', 'batchnorm', 'groupnorm', 'layernorm', 'activation', 'flatten']);
  });

  test('formatting reads back to the same specs', () => {
    const text = 'conv 32 5x3 stride 2 pad 1 linear, bn, relu, maxpool 2, avgpool 3 stride 2, dense 100 tanh, dropout 0.25, gn 4, ln, flatten';
    const specs = parseLayerSpec(text, 'relu');
    assert.deepEqual(parseLayerSpec(formatLayerSpec(specs), 'sigmoid'), specs);
  });

  test('bad items are ConfigErrors naming the item and the grammar', () => {
    for (const [text, why] of [
      ['conv 32', /kernel size/],
      ['dense', /number of units/],
      ['dense 0', /integer >= 1/],
      ['dropout 1', /\[0, 1\)/],
      ['dropout -0.1', /\[0, 1\)/],
      ['gn', /number of groups/],
      ['convolution 3 3', /unknown layer 'convolution'/],
      ['dense 10 relu tanh', /two activations/],
      ['pool 2 pad 2', /too large/],
      ['', /empty/],
    ] as const) {
      const e = (() => {
        try {
          parseLayerSpec(text, 'relu');
        } catch (err) {
          return err;
        }
        return null;
      })();
      assert.ok(e instanceof LayerSpecError && e instanceof ConfigError, `'${text}' should be refused`);
      assert.match((e as Error).message, why);
      if (text) assert.match((e as Error).message, /model\.layers item 1/);
    }
  });

  test('the MLP shorthands expand as documented', () => {
    assert.deepEqual(mlpLayerSpecs({ hidden: [3, 4], activation: 'relu', norm: 'none', groups: 2, dropout: 0 }), [
      { kind: 'dense', units: 3, activation: 'relu' },
      { kind: 'dense', units: 4, activation: 'relu' },
    ]);
    assert.equal(formatLayerSpec(mlpLayerSpecs({ hidden: [4, 6], activation: 'relu', norm: 'group', groups: 2, dropout: [0.5, 0] })), 'dense 4 linear, gn 2, relu, dropout 0.5, dense 6 linear, gn 2, relu');
    assert.throws(() => mlpLayerSpecs({ hidden: [4, 6], activation: 'relu', norm: 'none', groups: 2, dropout: [0.5] }), /2 hidden layers/);
  });
});

describe('a network written as layers', () => {
  test('the paper network written as model.layers is the same network, bit for bit', () => {
    const be = createReferenceBackend('float32');
    const plain = Mlp.create(be, { nIn: 8, hidden: [7, 5], nClasses: 3, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(3).fork('init'));
    const written = Mlp.create(be, { nIn: 8, hidden: [], nClasses: 3, activation: 'sigmoid', init: 'uniform-fanin', layers: parseLayerSpec('dense 7, dense 5 sigmoid', 'sigmoid') }, new Rng(3).fork('init'));
    assert.deepEqual(written.parameters().map((p) => p.name), plain.parameters().map((p) => p.name));
    assert.deepEqual(written.getFlat(), plain.getFlat());
    assert.deepEqual(written.spec.hidden, [7, 5]);
  });

  test('an affine layer with its activation as a separate layer trains like the fused one', async () => {
    const data = toySplits(2);
    const base = { seed: 4, finetune: { epochs: 3, lr: 0.2, batchSize: 10, patience: null } };
    const fused = await runTrial({ ...base, model: { depth: 2, hidden: 9, activation: 'tanh' } }, { backend: createReferenceBackend('float32'), data });
    const split = await runTrial({ ...base, model: { layers: 'dense 9 linear, tanh, dense 9 linear, tanh', activation: 'tanh' } }, { backend: createReferenceBackend('float32'), data });
    const same = await runTrial({ ...base, model: { layers: 'dense 9, dense 9', activation: 'tanh' } }, { backend: createReferenceBackend('float32'), data });
    assert.deepEqual(same.final, fused.final);
    assert.ok(Math.abs(split.final.test.nll - fused.final.test.nll) < 1e-5, `${split.final.test.nll} vs ${fused.final.test.nll}`);
  });

  test('model.norm on a written network puts the normalisation after every dense and conv affine map, before its non-linearity', () => {
    const specs = parseLayerSpec('conv 4 3x3, pool 2, dense 8 tanh, dense 6 linear', 'relu');
    assert.equal(formatLayerSpec(withNormalization(specs, 'group', 2)), 'conv 4 3x3 linear, gn 2, relu, maxpool 2, dense 8 linear, gn 2, tanh, dense 6 linear, gn 2');
    assert.equal(formatLayerSpec(withNormalization(specs, 'batch', 8)), 'conv 4 3x3 linear, bn, relu, maxpool 2, dense 8 linear, bn, tanh, dense 6 linear, bn');
    assert.deepEqual(withNormalization(specs, 'none', 8), specs);
    assert.throws(() => withNormalization(parseLayerSpec('dense 4, ln', 'relu'), 'layer', 1), LayerSpecError);
  });

  test('a trial with model.norm on model.layers equals the trial with the normalisation written out', async () => {
    const data = toySplits(2);
    const base = { seed: 5, finetune: { epochs: 2, lr: 0.1, batchSize: 10, patience: null } };
    const written = await runTrial({ ...base, model: { layers: 'dense 8 linear, gn 2, relu, dense 6 linear, gn 2, relu', activation: 'relu' } }, { backend: createReferenceBackend('float32'), data });
    const shorthand = await runTrial({ ...base, model: { layers: 'dense 8, dense 6', activation: 'relu', norm: 'group', groups: 2 } }, { backend: createReferenceBackend('float32'), data });
    assert.deepEqual(shorthand.final, written.final);
  });

  test('model keys that do not fit are refused before training', async () => {
    const be = createReferenceBackend('float32');
    const data = toySplits(2);
    await assert.rejects(runTrial({ model: { layers: 'dense 9 linear, bn, relu', norm: 'batch' } }, { backend: be, data }), /model.norm is 'batch' but model.layers already has normalisation layers/);
    await assert.rejects(runTrial({ model: { layers: 'dense 9', dropout: 0.5 } }, { backend: be, data }), /model.dropout is a shorthand of the depth\/hidden MLP; with model.layers set, write the dropout layers/);
    await assert.rejects(runTrial({ model: { layers: 'dense 9, dense 4 sigmoid' }, pretrain: { kind: 'dbn' } }, { backend: be, data }), /'dbn' stacks RBMs on the depth\/hidden MLP only/);
    await assert.rejects(runTrial({ model: { depth: 1, hidden: 10, norm: 'batch' }, finetune: { batchSize: 1 } }, { backend: be, data }), /batch normalisation cannot train on a batch of 1/);
    await assert.rejects(runTrial({ model: { depth: 1, hidden: 10, norm: 'group', groups: 3 } }, { backend: be, data }), /model.groups is 3 but it must divide every hidden size \(10/);
    await assert.rejects(runTrial({ model: { layers: 'dense 9, dense 9' }, pretrain: { kind: 'sdae', layers: 3 } }, { backend: be, data }), /pretrain.layers is 3 but model.layers has 2 dense and conv layers/);
    await assert.rejects(runTrial({ model: { layers: 'dense x' } }, { backend: be, data }), /model.layers item 1 'dense x'/);
  });
});

describe('conv networks from model.layers', () => {
  test('a small conv net trains on toy images and its bad shapes are refused naming the layer', async () => {
    const be = createReferenceBackend('float32');
    const toy = toySplits(5, { train: 60, valid: 20, test: 20 }, 36, 3);
    const images = { train: { ...toy.train, image: { height: 6, width: 6 } }, valid: { ...toy.valid, image: { height: 6, width: 6 } }, test: { ...toy.test, image: { height: 6, width: 6 } } };
    const base = { seed: 2, model: { activation: 'relu', init: 'he' }, finetune: { epochs: 2, lr: 0.05, batchSize: 6, patience: null } } as const;
    const a = await runTrial({ ...base, model: { ...base.model, layers: 'conv 4 3x3 pad 1, maxpool 2, conv 3 2x2 stride 2, avgpool 1, dense 5' } }, { backend: be, data: images });
    const b = await runTrial({ ...base, model: { ...base.model, layers: 'conv 4 3x3 pad 1, maxpool 2, conv 3 2x2 stride 2, avgpool 1, dense 5' } }, { backend: be, data: images });
    assert.deepEqual(a.final, b.final);
    assert.ok(Number.isFinite(a.final.test.nll));
    await assert.rejects(runTrial({ ...base, model: { ...base.model, layers: 'conv 4 7x7' } }, { backend: be, data: images }), /model layer 1 \(conv\): conv 7x7 on 6x6 input: spatial size reaches zero/);
    await assert.rejects(runTrial({ ...base, model: { ...base.model, layers: 'conv 4 3x3, pool 2, pool 2, pool 2' } }, { backend: be, data: images }), /model layer 4 \(pool\).*spatial size reaches zero/);
    await assert.rejects(runTrial({ ...base, model: { ...base.model, layers: 'conv 4 3x3' } }, { backend: be, data: toy }), /needs an image below it/);
  });
});
