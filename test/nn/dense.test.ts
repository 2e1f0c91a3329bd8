import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { ACTIVATIONS } from '../../src/tensor/kernels.ts';
import { Dense } from '../../src/nn/dense.ts';
import { initDense } from '../../src/nn/init.ts';
import { numericGradient, assertGradClose } from '../helpers/numeric-gradient.ts';

const be = createReferenceBackend('float64');

describe('Dense', () => {
  for (const f of ACTIVATIONS) {
    test(`backward of y = ${f}(xW + b) matches float64 central differences for dW, db and dx`, () => {
      const rng = new Rng(7).fork('dense', f);
      const layer = new Dense(be, initDense(be, 'glorot', 5, 4, rng), f);
      rng.fillUniform(layer.b.data, -0.5, 0.5);
      const x = be.fromArray(3, 5, rng.fillUniform(new Float64Array(15), -1, 1));
      const r = be.fromArray(3, 4, rng.fillUniform(new Float64Array(12), -1, 1));
      // L = sum(y * r), so dL/dy = r.
      const loss = (): number => {
        const y = layer.forward(x, true);
        let s = 0;
        for (let i = 0; i < y.size; i++) s += y.data[i]! * r.data[i]!;
        return s;
      };
      const gW = numericGradient(layer.W, loss), gb = numericGradient(layer.b, loss), gx = numericGradient(x, loss);
      loss();
      const dx = layer.backward(r, true)!;
      assertGradClose(layer.dW.data, gW, `${f} dW`);
      assertGradClose(layer.db.data, gb, `${f} db`);
      assertGradClose(dx.data, gx, `${f} dx`);
    });
  }

  test('forward computes f(xW + b) row by row', () => {
    const layer = new Dense(be, { W: be.fromArray(2, 2, [1, 2, 3, 4]), b: be.fromArray(1, 2, [0.5, -10]) }, 'relu');
    const y = layer.forward(be.fromArray(1, 2, [1, -1]), false);
    // xW = [1 - 3, 2 - 4] = [-2, -2]; + b = [-1.5, -12]; relu -> [0, 0]; second check with other x
    assert.deepEqual([...y.data], [0, 0]);
    const y2 = layer.forward(be.fromArray(1, 2, [2, 1]), false);
    assert.deepEqual([...y2.data], [5 + 0.5, Math.max(0, 8 - 10)]);
  });

  test('backward without input gradient returns null and still writes dW', () => {
    const rng = new Rng(3).fork('init');
    const layer = new Dense(be, initDense(be, 'uniform-fanin', 3, 2, rng), 'sigmoid');
    layer.forward(be.fromArray(2, 3, [1, 0, 1, 0, 1, 0]), true);
    assert.equal(layer.backward(be.fromArray(2, 2, [1, 1, 1, 1]), false), null);
    assert.ok(be.sumAbs(layer.dW) > 0);
  });

  test('forward rejects an input of the wrong width, naming both sizes', () => {
    const layer = new Dense(be, initDense(be, 'he', 3, 2, new Rng(1)), 'tanh');
    assert.throws(() => layer.forward(be.zeros(1, 4), false), /4 features but the layer expects 3/);
  });

  test('forward does not modify its input', () => {
    const rng = new Rng(5);
    const layer = new Dense(be, initDense(be, 'glorot', 4, 3, rng), 'sigmoid');
    const x = be.fromArray(2, 4, rng.fillUniform(new Float64Array(8)));
    const before = Float64Array.from(x.data);
    layer.forward(x, true);
    layer.backward(be.fromArray(2, 3, [1, 2, 3, 4, 5, 6]), true);
    assert.deepEqual(x.data, before);
  });
});
