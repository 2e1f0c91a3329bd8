import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitQuadratic } from '../../src/stats/quadratic-fit.ts';
import { meanConfidenceInterval } from '../../src/stats/mean-ci.ts';

test('fitQuadratic recovers the coefficients of an exact parabola on a narrow window around 0', () => {
  const xs = [-0.5, -0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4, 0.5];
  const q = fitQuadratic(xs, Float64Array.from(xs, (x) => 0.7 - 1.3 * x + 4.25 * x * x));
  assert.ok(Math.abs(q.c0 - 0.7) < 1e-12 && Math.abs(q.c1 + 1.3) < 1e-12 && Math.abs(q.c2 - 4.25) < 1e-10, JSON.stringify(q));
});

test('fitQuadratic is the least-squares parabola: residuals are orthogonal to 1, x and x^2', () => {
  const xs = [0, 1, 2, 3, 4, 5, 6];
  const ys = [1, 0.2, 3, 2.5, 9, 7, 20];
  const { c0, c1, c2 } = fitQuadratic(xs, ys);
  const r = xs.map((x, i) => ys[i]! - (c0 + c1 * x + c2 * x * x));
  for (const k of [0, 1, 2]) assert.ok(Math.abs(r.reduce((s, e, i) => s + e * xs[i]! ** k, 0)) < 1e-9, `moment ${k}`);
});

test('fitQuadratic skips non-finite values and refuses fewer than 3 distinct points', () => {
  assert.ok(Math.abs(fitQuadratic([-1, 0, 1, 2], [1, 0, 1, NaN]).c2 - 1) < 1e-12);
  assert.throws(() => fitQuadratic([0, 0, 1], [1, 1, 2]), /at least 3 distinct/);
});

test('meanConfidenceInterval is mean +- t s / sqrt(n), and has no bounds with one value', () => {
  const c = meanConfidenceInterval([1, 2, 3, 4, 5]);
  const half = (2.776445 * Math.sqrt(2.5)) / Math.sqrt(5);
  assert.equal(c.mean, 3);
  assert.ok(Math.abs(c.hi - (3 + half)) < 1e-5 && Math.abs(c.lo - (3 - half)) < 1e-5);
  const one = meanConfidenceInterval([2]);
  assert.equal(one.mean, 2);
  assert.ok(Number.isNaN(one.lo) && Number.isNaN(one.hi));
});
