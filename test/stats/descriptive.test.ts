import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, quantile, std, variance } from '../../src/stats/index.ts';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('mean and variance (n - 1) of a list, computed as their definitions say', () => {
  const xs = [0.021, 0.019, 0.0234, 0.0187, 0.0201];
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  close(mean(xs), m, 1e-15, 'mean');
  close(variance(xs), xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1), 1e-15, 'variance');
  close(std(xs) ** 2, variance(xs), 1e-15, 'std');
});

test('an empty list has NaN statistics and one value has variance 0', () => {
  assert.ok(Number.isNaN(mean([])) && Number.isNaN(variance([])) && Number.isNaN(std([])) && Number.isNaN(quantile([], 0.5)));
  assert.equal(variance([3]), 0);
  assert.equal(std([3]), 0);
});

test('quantile interpolates between order statistics like numpy (type 7), whatever the input order', () => {
  const xs = [4, 1, 3, 2, 10];
  // numpy.quantile([4, 1, 3, 2, 10], q) for q = 0, 0.1, 0.25, 0.5, 0.9, 1
  const want: [number, number][] = [[0, 1], [0.1, 1.4], [0.25, 2], [0.5, 3], [0.9, 7.6], [1, 10]];
  for (const [q, v] of want) close(quantile(xs, q), v, 1e-12, `q=${q}`);
  close(quantile([4, 1, 3, 2], 0.5), 2.5, 1e-12, 'median of four');
  assert.deepEqual(xs, [4, 1, 3, 2, 10], 'input not mutated');
});
