import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { makeDataset } from '../../src/data/dataset.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { evaluate, predict } from '../../src/train/evaluate.ts';

const be32 = createReferenceBackend('float32');

describe('evaluate / predict', () => {
  test('predict rows are probability vectors and evaluate counts argmax mistakes', () => {
    const rng = new Rng(4);
    const mlp = Mlp.create(be32, { nIn: 3, hidden: [5], nClasses: 4, activation: 'relu', init: 'he' }, rng.fork('init'));
    const ds = makeDataset('toy', rng.fillUniform(new Float32Array(7 * 3)) as Float32Array, Int32Array.from([0, 1, 2, 3, 0, 1, 2]), 3, 4);
    const p = predict(mlp, ds, 3);
    let wrong = 0, nll = 0;
    for (let i = 0; i < 7; i++) {
      const row = Array.from(p.subarray(i * 4, i * 4 + 4));
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      if (row.indexOf(Math.max(...row)) !== ds.y[i]) wrong++;
      nll -= Math.log(row[ds.y[i]!]!);
    }
    const s = evaluate(mlp, ds, 3);
    assert.equal(s.error, wrong / 7);
    assert.ok(Math.abs(s.nll - nll / 7) < 1e-5);
  });

  test('evaluate and predict do not depend on the batch size, and an empty set scores NaN', () => {
    const rng = new Rng(5);
    const mlp = Mlp.create(be32, { nIn: 3, hidden: [4], nClasses: 3, activation: 'tanh', init: 'glorot' }, rng.fork('init'));
    const ds = makeDataset('toy', rng.fillUniform(new Float32Array(11 * 3)) as Float32Array, Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1]), 3, 3);
    const whole = evaluate(mlp, ds, 11);
    for (const bs of [1, 4, 500]) {
      const s = evaluate(mlp, ds, bs);
      assert.equal(s.error, whole.error);
      assert.ok(Math.abs(s.nll - whole.nll) < 1e-6, `batch ${bs}: ${s.nll} vs ${whole.nll}`);
      assert.deepEqual(predict(mlp, ds, bs), predict(mlp, ds, 11));
    }
    const empty = makeDataset('empty', new Float32Array(0), new Int32Array(0), 3, 3);
    assert.deepEqual(evaluate(mlp, empty), { error: NaN, nll: NaN });
    assert.equal(predict(mlp, empty).length, 0);
  });

  test('data of another dimension is rejected where the batch is gathered, naming the data set and both sizes', () => {
    const mlp = Mlp.create(be32, { nIn: 3, hidden: [4], nClasses: 2, activation: 'relu', init: 'he' }, new Rng(6).fork('init'));
    const ds = makeDataset('wide', new Float32Array(2 * 5), Int32Array.from([0, 1]), 5, 2);
    assert.throws(() => evaluate(mlp, ds), /gatherBatch: wide has 5 features.*must be \[2, 5\] but is \[2, 3\]/);
  });
});
