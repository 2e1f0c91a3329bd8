import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, studentTCdf, variance } from '../../src/stats/index.ts';
import { studentTQuantile, welchInterval } from '../../src/stats/welch-interval.ts';
import { welchTTest } from '../../src/stats/welch.ts';

test("studentTQuantile inverts the t CDF and matches the textbook table (t_0.975 at 1, 10, 30 df)", () => {
  // Values of scipy.stats.t.ppf(0.975, df).
  assert.ok(Math.abs(studentTQuantile(0.975, 1) - 12.706204736174698) < 1e-7);
  assert.ok(Math.abs(studentTQuantile(0.975, 10) - 2.2281388519649385) < 1e-8);
  assert.ok(Math.abs(studentTQuantile(0.975, 30) - 2.0422724563012373) < 1e-8);
  for (const [p, df] of [[0.01, 3.5], [0.5, 7], [0.9, 2.2]] as const) assert.ok(Math.abs(studentTCdf(studentTQuantile(p, df), df) - p) < 1e-9);
  assert.ok(Math.abs(studentTQuantile(0.5, 4)) < 1e-12, 'the median is 0');
});

test('welchInterval is the difference of means plus and minus the t quantile times the Welch standard error, and its ends have p = 0.05 when shifted to 0', () => {
  const a = [0.021, 0.018, 0.024, 0.02, 0.019], b = [0.015, 0.017, 0.014, 0.016, 0.018, 0.013];
  const ci = welchInterval(a, b);
  const d = mean(a) - mean(b);
  assert.ok(Math.abs((ci.lo + ci.hi) / 2 - d) < 1e-15);
  const se = Math.sqrt(variance(a) / a.length + variance(b) / b.length);
  assert.ok(Math.abs((ci.hi - d) / se - studentTQuantile(0.975, welchTTest(a, b).df)) < 1e-9);
  // Shifting b by the lower end puts the difference exactly on the interval's edge: p = 0.05.
  const p = welchTTest(a, b.map((x) => x + ci.lo)).p;
  assert.ok(Math.abs(p - 0.05) < 1e-7, `p = ${p}`);
});

test('welchInterval has NaN ends with fewer than two values in a group and zero width when neither group varies', () => {
  assert.ok(Number.isNaN(welchInterval([0.1], [0.1, 0.2]).lo));
  assert.deepEqual(welchInterval([0.2, 0.2], [0.1, 0.1]), { lo: 0.1, hi: 0.1, level: 0.95 });
});
