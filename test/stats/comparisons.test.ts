import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/rng/index.ts';
import { bootstrapPairedCi, bootstrapUnpairedCi, cohensDz, studentTQuantile, holmAdjust, mean, pairedTTest, std, wilcoxonSignedRank } from '../../src/stats/index.ts';

const normals = (rng: Rng, n: number, mu: number, sd: number): number[] => Array.from({ length: n }, () => mu + sd * rng.normal());

test('holmAdjust multiplies the i-th smallest of m p-values by m - i + 1, keeps the order, caps at 1 and never lowers a p-value', () => {
  assert.deepEqual(holmAdjust([0.01, 0.02, 0.03]).map((x) => +x.toFixed(12)), [0.03, 0.04, 0.04]);
  assert.deepEqual(holmAdjust([0.3, 0.001]), [0.3, 0.002]);
  assert.deepEqual(holmAdjust([0.9, 0.8]), [1, 1]);
  assert.deepEqual(holmAdjust([]), []);
  const p = [0.2, 0.001, 0.049, 0.03, 0.5, 0.011];
  const h = holmAdjust(p);
  p.forEach((x, i) => assert.ok(h[i]! >= x));
  const byP = p.map((_, i) => i).sort((i, j) => p[i]! - p[j]!);
  for (let k = 1; k < byP.length; k++) assert.ok(h[byP[k]!]! >= h[byP[k - 1]!]!, 'monotone in p');
});

test('pairedTTest: the t of the differences, undefined with one pair, p = 0 for constant non-zero differences', () => {
  const r = pairedTTest([3, 5, 4, 6], [1, 2, 2, 5]);
  const d = [2, 3, 2, 1];
  assert.ok(Math.abs(r.t - mean(d) / (std(d) / 2)) < 1e-12);
  assert.equal(r.meanDiff, 2);
  assert.ok(Number.isNaN(pairedTTest([1], [2]).p));
  assert.equal(pairedTTest([2, 3, 4], [1, 2, 3]).p, 0);
  assert.ok(Number.isNaN(pairedTTest([1, 2], [1, 2]).p), 'identical arms: nothing to test');
  assert.throws(() => pairedTTest([1, 2], [1]), /must pair up/);
});

test('test errors that differ by the same amount on every seed (up to their last bits) give t = +-Infinity, p = 0 and no d_z, not ~1e14', () => {
  const a = [0.0193, 0.0201, 0.015, 0.0178], b = [0.0192, 0.02, 0.0149, 0.0177];
  assert.ok(std(a.map((x, i) => x - b[i]!)) > 0, 'the differences are not bit-equal');
  const r = pairedTTest(a, b);
  assert.equal(r.t, Infinity);
  assert.equal(r.p, 0);
  assert.ok(Number.isNaN(cohensDz(a, b)));
  assert.equal(pairedTTest(b, a).t, -Infinity);
  // A real spread, however small against the errors, is still measured.
  const c = [0.0193, 0.0201, 0.015, 0.0179];
  assert.ok(Number.isFinite(pairedTTest(c, b).t) && Number.isFinite(cohensDz(c, b)));
});

test('wilcoxonSignedRank is symmetric in its arms, exact p of n=5 all positive is 2/32, and no non-zero difference gives NaN', () => {
  const r = wilcoxonSignedRank([2, 3, 5, 8, 13], [1, 1, 1, 1, 1]);
  assert.equal(r.statistic, 0);
  assert.equal(r.p, 2 / 32);
  const rng = new Rng(3).fork('w');
  const a = normals(rng, 20, 0.3, 1), b = normals(rng, 20, 0, 1);
  assert.equal(wilcoxonSignedRank(a, b).p, wilcoxonSignedRank(b, a).p);
  assert.ok(Number.isNaN(wilcoxonSignedRank([1, 2], [1, 2]).p));
});

test('bootstrapPairedCi covers the true mean difference at about its nominal 95% over 400 simulated studies of 20 seeds (deterministic by seed)', () => {
  const rng = new Rng(11).fork('coverage');
  let covered = 0;
  const studies = 400;
  for (let s = 0; s < studies; s++) {
    const b = normals(rng, 20, 0, 1);
    const a = b.map((x) => x + 0.3 + 0.5 * rng.normal()); // true mean difference 0.3
    const ci = bootstrapPairedCi(a, b, { rng: rng.fork('boot', s), resamples: 2000 });
    if (ci.lo <= 0.3 && 0.3 <= ci.hi) covered++;
  }
  const rate = covered / studies;
  assert.ok(rate >= 0.9 && rate <= 0.98, `coverage ${rate}`);
});

test('bootstrapUnpairedCi covers the true difference of means at about 95% (15 vs 20 seeds, unequal spreads)', () => {
  const rng = new Rng(12).fork('coverage');
  let covered = 0;
  const studies = 300;
  for (let s = 0; s < studies; s++) {
    const a = normals(rng, 15, 1.2, 1), b = normals(rng, 20, 1, 0.5);
    const ci = bootstrapUnpairedCi(a, b, { rng: rng.fork('boot', s), resamples: 2000 });
    if (ci.lo <= 0.2 && 0.2 <= ci.hi) covered++;
  }
  const rate = covered / studies;
  assert.ok(rate >= 0.89 && rate <= 0.98, `coverage ${rate}`);
});

test('the plain percentile interval has the closed-form width 2 x 1.96 x sqrt((n-1)/n) sd / sqrt(n) of the resampled mean, within 5%', () => {
  const rng = new Rng(13).fork('width');
  const d = normals(rng, 40, 0, 1);
  const ci = bootstrapPairedCi(d, d.map(() => 0), { rng: rng.fork('boot'), expanded: false });
  const want = 2 * 1.959964 * Math.sqrt(39 / 40) * std(d) / Math.sqrt(40);
  assert.ok(Math.abs(ci.hi - ci.lo - want) < 0.05 * want, `width ${ci.hi - ci.lo} vs ${want}`);
  assert.equal(ci.resamples, 10_000, '10,000 resamples by default');
  assert.equal(ci.estimate, mean(d));
});

test('the expanded percentile interval (the default) has the width of the t interval, 2 t_{n-1,0.975} sd / sqrt(n), within 5%', () => {
  const rng = new Rng(13).fork('width');
  const d = normals(rng, 40, 0, 1);
  const ci = bootstrapPairedCi(d, d.map(() => 0), { rng: rng.fork('boot') });
  const want = 2 * 2.022691 * std(d) / Math.sqrt(40); // t_{39, 0.975} = 2.022691
  assert.ok(Math.abs(ci.hi - ci.lo - want) < 0.05 * want, `width ${ci.hi - ci.lo} vs ${want}`);
  assert.ok(Math.abs(studentTQuantile(0.975, 39) - 2.022691) < 1e-6);
});

test('with 5 seeds the expanded interval still covers a true paired difference at least 92% of the time, where the plain percentile one covers far less', () => {
  const rng = new Rng(14).fork('coverage-small');
  let expanded = 0, plain = 0;
  const studies = 400;
  for (let s = 0; s < studies; s++) {
    const d = normals(rng, 5, 0.3, 1);
    const zeros = d.map(() => 0);
    const e = bootstrapPairedCi(d, zeros, { rng: rng.fork('e', s), resamples: 2000 });
    const p = bootstrapPairedCi(d, zeros, { rng: rng.fork('p', s), resamples: 2000, expanded: false });
    if (e.lo <= 0.3 && 0.3 <= e.hi) expanded++;
    if (p.lo <= 0.3 && 0.3 <= p.hi) plain++;
  }
  assert.ok(expanded / studies >= 0.92, `expanded coverage ${expanded / studies}`);
  assert.ok(plain / studies < 0.9, `plain coverage ${plain / studies}`);
});

test('constant differences give the degenerate interval [d, d]; the same stream gives the same interval, another stream another', () => {
  const ci = bootstrapPairedCi([0.5, 0.75, 1], [0.25, 0.5, 0.75], { rng: new Rng(1), resamples: 500 });
  assert.deepEqual([ci.lo, ci.hi, ci.estimate], [0.25, 0.25, 0.25]);
  const r = new Rng(4).fork('data');
  const a = normals(r, 12, 0.02, 0.003), b = normals(r, 12, 0.022, 0.003);
  const one = bootstrapPairedCi(a, b, { rng: new Rng(5).fork('boot') });
  assert.deepEqual(bootstrapPairedCi(a, b, { rng: new Rng(5).fork('boot') }), one);
  assert.notDeepEqual(bootstrapPairedCi(a, b, { rng: new Rng(6).fork('boot') }), one);
  assert.deepEqual(bootstrapUnpairedCi(a, b, { rng: new Rng(5).fork('u') }), bootstrapUnpairedCi(a, b, { rng: new Rng(5).fork('u') }));
  assert.ok(one.lo <= one.estimate && one.estimate <= one.hi);
});
