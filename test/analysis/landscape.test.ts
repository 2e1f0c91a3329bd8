import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { evaluate } from '../../src/train/evaluate.ts';
import { Rng } from '../../src/rng/rng.ts';
import { selectExamples } from '../../src/data/batches.ts';
import { alphaGrid, criterionAlong, gradientDirection, randomDirection } from '../../src/analysis/landscape.ts';
import { toySplits } from '../helpers/toy-data.ts';

const data = toySplits(5, { train: 60, valid: 10, test: 10 }, 6, 3);
const spec = { nIn: 6, hidden: [5, 4], nClasses: 3, activation: 'sigmoid' as const, init: 'uniform-fanin' as const };

describe('landscape', () => {
  test('alphaGrid(-2.5, 2.5, 0.1) has 51 points, contains exactly 0 and both ends', () => {
    const g = alphaGrid();
    assert.equal(g.length, 51);
    assert.equal(g[0], -2.5);
    assert.equal(g[25], 0);
    assert.equal(g[50], 2.5);
    assert.equal(g[1], -2.4);
  });

  test('criterionAlong at alpha = 0 equals the model loss, and theta is restored bit for bit', () => {
    const be = createReferenceBackend('float32');
    const model = Mlp.create(be, spec, new Rng(1).fork('init'));
    const before = model.getFlat();
    const v = randomDirection(model.numParameters, new Rng(2));
    const s = criterionAlong({ model, data: data.train, direction: v, alphas: [-1, 0, 0.5] });
    const loss = evaluate(model, data.train);
    assert.equal(s.nll[1], loss.nll);
    assert.equal(s.error[1], loss.error);
    assert.notEqual(s.nll[0], loss.nll, 'a step of 1 along a unit direction changes the loss');
    assert.deepEqual(model.getFlat(), before);
  });

  test('along the normalized gradient the slope at 0 equals the gradient norm (float64 central difference)', () => {
    const be = createReferenceBackend('float64');
    const model = Mlp.create(be, spec, new Rng(3).fork('init'));
    const idx = Int32Array.from({ length: 20 }, (_, i) => i * 3);
    const batch = selectExamples(data.train, idx);
    const v = gradientDirection(model, data.train, idx);
    const g = model.getFlatGradient();
    const gNorm = Math.sqrt(g.reduce((a, b) => a + b * b, 0));
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-12, 'unit direction');
    const h = 1e-5;
    const s = criterionAlong({ model, data: batch, direction: v, alphas: [-h, h] });
    const slope = (s.nll[1]! - s.nll[0]!) / (2 * h);
    assert.ok(Math.abs(slope - gNorm) < 1e-6 * Math.max(1, gNorm), `slope ${slope} vs |g| ${gNorm}`);
  });

  test('a direction of the wrong length is rejected, naming both lengths', () => {
    const be = createReferenceBackend('float32');
    const model = Mlp.create(be, spec, new Rng(1).fork('init'));
    assert.throws(() => criterionAlong({ model, data: data.train, direction: new Float64Array(3) }), /3 values but the model has \d+ parameters/);
  });
});
