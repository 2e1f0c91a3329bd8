import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { createBackend } from '../../src/backends/registry.ts';
import { Rng } from '../../src/rng/rng.ts';
import { gatherBatch, makeDataset } from '../../src/data/dataset.ts';
import { headExamples } from '../../src/data/batches.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { initDense } from '../../src/nn/init.ts';
import { Sgd } from '../../src/nn/sgd.ts';
import { Mlp, type MlpSpec } from '../../src/models/mlp.ts';
import { evaluate, predict } from '../../src/train/evaluate.ts';
import { numericGradient, assertGradClose } from '../helpers/numeric-gradient.ts';

const be64 = createReferenceBackend('float64');
const be32 = createReferenceBackend('float32');

describe('Mlp', () => {
  const cases: [number[], MlpSpec['activation']][] = [[[4], 'sigmoid'], [[5, 3], 'tanh'], [[4, 3, 5], 'relu'], [[3, 4, 3], 'sigmoid']];
  for (const [hidden, activation] of cases) {
    test(`gradients() of the mean NLL match float64 central differences (${hidden.length} hidden, ${activation})`, () => {
      const rng = new Rng(13).fork('gc', hidden.length, activation);
      const mlp = Mlp.create(be64, { nIn: 6, hidden, nClasses: 3, activation, init: 'glorot' }, rng.fork('init'));
      for (const p of mlp.parameters()) if (p.name.endsWith('.b')) rng.fork('b', p.name).fillUniform(p.value.data, -0.3, 0.3);
      const x = be64.fromArray(5, 6, rng.fork('x').fillUniform(new Float64Array(30), -1, 1));
      const labels = Int32Array.from([0, 2, 1, 1, 0]);
      const loss = (): number => mlp.gradients(x, labels);
      const numeric = mlp.parameters().map((p) => numericGradient(p.value, loss));
      loss();
      mlp.parameters().forEach((p, i) => assertGradClose(p.grad.data, numeric[i]!, p.name));
    });
  }

  test('parameters() are named hidden.<l>.W, hidden.<l>.b, ..., output.W, output.b with [nIn, nOut] shapes', () => {
    const mlp = Mlp.create(be32, { nIn: 7, hidden: [5, 4], nClasses: 3, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(1).fork('init'));
    assert.deepEqual(
      mlp.parameters().map((p) => `${p.name}:${p.value.rows}x${p.value.cols}`),
      ['hidden.0.W:7x5', 'hidden.0.b:1x5', 'hidden.1.W:5x4', 'hidden.1.b:1x4', 'output.W:4x3', 'output.b:1x3'],
    );
    assert.equal(mlp.numParameters, 7 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3);
  });

  test('a pre-trained stack initialises the bottom layers by copy and is never modified', () => {
    const rng = new Rng(2);
    const stack = [initDense(be32, 'glorot', 6, 4, rng.fork('s'))];
    rng.fillUniform(stack[0]!.b.data);
    const before = [Float32Array.from(stack[0]!.W.data), Float32Array.from(stack[0]!.b.data)];
    const mlp = Mlp.create(be32, { nIn: 6, hidden: [4, 3], nClasses: 2, activation: 'sigmoid', init: 'uniform-fanin' }, rng.fork('init'), stack);
    assert.deepEqual(mlp.hidden[0]!.W.data, before[0]);
    assert.deepEqual(mlp.hidden[0]!.b.data, before[1]);
    const opt = new Sgd(be32, mlp.parameters(), { lr: 0.5, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
    mlp.trainStep(be32.fromArray(2, 6, [1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1]), Int32Array.from([0, 1]), opt);
    assert.notDeepEqual(mlp.hidden[0]!.W.data, before[0]);
    assert.deepEqual(stack[0]!.W.data, before[0]);
    assert.deepEqual(stack[0]!.b.data, before[1]);
    assert.throws(
      () => Mlp.create(be32, { nIn: 5, hidden: [4], nClasses: 2, activation: 'sigmoid', init: 'glorot' }, rng, stack),
      /^ShapeError: copy: src is \[6, 4\] but dst is \[5, 4\]/, // the checked copy kernel catches a wrong-shaped stack
    );
  });

  test('setFlat(getFlat()) restores the function exactly after a perturbation', () => {
    const rng = new Rng(3);
    const mlp = Mlp.create(be32, { nIn: 4, hidden: [3], nClasses: 2, activation: 'tanh', init: 'glorot' }, rng.fork('init'));
    const ds = makeDataset('toy', rng.fillUniform(new Float32Array(40)) as Float32Array, Int32Array.from([0, 1, 1, 0, 1, 0, 0, 1, 1, 0]), 4, 2);
    const theta = mlp.getFlat(), out0 = predict(mlp, ds);
    mlp.setFlat(theta.map((v, i) => v + (i % 2 ? 0.1 : -0.1)));
    assert.notDeepEqual(predict(mlp, ds), out0);
    mlp.setFlat(theta);
    assert.deepEqual(predict(mlp, ds), out0);
    assert.throws(() => mlp.setFlat(new Float64Array(3)), /3 values for 23 parameters/);
  });

  test('a sigmoid 1-hidden-layer net trained on 5,000 MNIST examples exceeds 90% test accuracy', async () => {
    const mnist = await loadMnist();
    const train = headExamples(mnist.train, 5000);
    const be = await createBackend('auto'); // the fastest available; the reference backend also passes, in ~6 s
    const mlp = Mlp.create(be, { nIn: 784, hidden: [32], nClasses: 10, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(1).fork('init'));
    const opt = new Sgd(be, mlp.parameters(), { lr: 0.3, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
    const bs = 10, x = be.zeros(bs, 784), y = new Int32Array(bs), order = new Rng(1).fork('order');
    const before = Float32Array.from(train.x.subarray(0, 784 * 10));
    for (let epoch = 0; epoch < 4; epoch++) {
      const perm = order.permutation(train.n);
      for (let s = 0; s + bs <= train.n; s += bs) {
        gatherBatch(train, perm.subarray(s, s + bs), x, y);
        mlp.trainStep(x, y, opt);
      }
    }
    const { error } = evaluate(mlp, mnist.test);
    assert.ok(error < 0.1, `test error ${error} should be below 10% (chance is 90%)`);
    assert.deepEqual(train.x.subarray(0, 784 * 10), before, 'training never mutates the data');
  });
});
