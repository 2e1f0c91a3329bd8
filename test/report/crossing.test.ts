import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossingPoint } from '../../src/report/crossing.ts';

const WIDTHS = [25, 50, 100, 200, 400, 800];

test('crossingPoint interpolates in log x between the last level where the arm is not better and the first from which it stays better', () => {
  // Pre-training hurts at 25-100 units, helps from 200 on (Figure 9's pattern).
  const c = crossingPoint(WIDTHS, [0.02, 0.01, 0.004, -0.002, -0.005, -0.008], true);
  assert.equal(c.kind, 'crosses');
  if (c.kind !== 'crosses') return;
  assert.equal(c.from, 100);
  assert.equal(c.to, 200);
  // The difference goes 0.004 -> -0.002: zero two thirds of the way in log x.
  assert.ok(Math.abs(c.x - 100 * 2 ** (2 / 3)) < 1e-9, `x = ${c.x}`);
});

test('crossingPoint interpolates linearly when the axis is linear, and takes levels in any order', () => {
  const c = crossingPoint([3, 1, 2], [-1, 1, 1], false);
  assert.deepEqual(c, { kind: 'crosses', x: 2.5, from: 2, to: 3 });
});

test('crossingPoint ignores a dip below before the arm rises again: the crossing is the one after which it stays below', () => {
  const c = crossingPoint(WIDTHS, [0.01, -0.001, 0.003, 0.002, -0.002, -0.004], true);
  assert.equal(c.kind, 'crosses');
  if (c.kind === 'crosses') assert.deepEqual([c.from, c.to], [200, 400]);
});

test('crossingPoint says when the arm is better everywhere, or not better at the largest level, and skips missing cells', () => {
  assert.equal(crossingPoint(WIDTHS, [-0.01, -0.01, -0.01, -0.01, -0.01, -0.01], true).kind, 'below-everywhere');
  assert.equal(crossingPoint(WIDTHS, [0.01, -0.01, -0.01, -0.01, -0.01, 0], true).kind, 'not-below', 'equal at the top is not below');
  assert.equal(crossingPoint([], [], true).kind, 'not-below');
  const c = crossingPoint(WIDTHS, [0.01, NaN, NaN, 0.002, NaN, -0.002], true);
  assert.equal(c.kind, 'crosses');
  if (c.kind === 'crosses') assert.deepEqual([c.from, c.to, Math.round(c.x)], [200, 800, 400]);
});
