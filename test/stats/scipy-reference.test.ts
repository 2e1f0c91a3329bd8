import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cohensDz, erfc, holmAdjust, pairedTTest, wilcoxonSignedRank } from '../../src/stats/index.ts';

/** scipy's answers, written by scripts/stats-reference.py (no Python needed here). */
interface Reference {
  scipy: string;
  ttestRel: { a: number[]; b: number[]; t: number; df: number; p: number }[];
  wilcoxon: { name: string; a: number[]; b: number[]; statistic: number; p: number; zeros: number; ties: boolean }[];
  holm: { cases: { p: (number | null)[]; adjusted: (number | null)[] }[] };
  erfc: { x: number; erfc: number }[];
}
const ref = JSON.parse(readFileSync(new URL('../fixtures/stats/scipy-reference.json', import.meta.url), 'utf8')) as Reference;
const rel = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol * Math.abs(b), `${what}: ${a} vs ${b}`);
const nan = (v: number | null): number => (v === null ? NaN : v);

test(`pairedTTest equals scipy.stats.ttest_rel (scipy ${ref.scipy}) in t, df and p`, () => {
  assert.ok(ref.ttestRel.length >= 5);
  for (const [i, c] of ref.ttestRel.entries()) {
    const r = pairedTTest(c.a, c.b);
    rel(r.t, c.t, 1e-10, `t case ${i}`);
    assert.equal(r.df, c.df, `df case ${i}`);
    rel(r.p, c.p, 1e-9, `p case ${i}`);
    rel(cohensDz(c.a, c.b), c.t / Math.sqrt(c.a.length), 1e-10, `d_z = t / sqrt(n), case ${i}`);
  }
});

test('wilcoxonSignedRank equals scipy.stats.wilcoxon defaults: exact without ties or zeros up to n=50, exact sign-flip up to n=13 with them, else normal with tie correction', () => {
  const regimes = new Set(ref.wilcoxon.map((c) => c.name.split(' ')[0]));
  assert.deepEqual([...regimes].sort(), ['exact,', 'normal', 'normal,', 'permutation'], 'the fixture covers every regime');
  assert.ok(ref.wilcoxon.some((c) => c.ties && c.zeros > 0 && c.a.length > 50), 'ties and zeros in the normal regime');
  for (const c of ref.wilcoxon) {
    const r = wilcoxonSignedRank(c.a, c.b);
    assert.equal(r.statistic, c.statistic, `${c.name}: statistic`);
    rel(r.p, c.p, 1e-9, `${c.name}: p`);
    assert.equal(r.method, c.name.startsWith('normal') ? 'normal' : 'exact', c.name);
    assert.equal(r.nNonZero, c.a.length - c.zeros, `${c.name}: zeros dropped`);
  }
});

test('holmAdjust equals the reference Holm adjustment, NaN p-values left out of m', () => {
  for (const c of ref.holm.cases) {
    const got = holmAdjust(c.p.map(nan));
    got.forEach((g, i) => {
      const want = nan(c.adjusted[i]!);
      if (Number.isNaN(want)) assert.ok(Number.isNaN(g));
      else rel(g, want, 1e-12, `case ${JSON.stringify(c.p)} index ${i}`);
    });
  }
});

test('erfc equals scipy.special.erfc to 1e-14 relative, tails included', () => {
  for (const c of ref.erfc) rel(erfc(c.x), c.erfc, 1e-14, `x=${c.x}`);
});
