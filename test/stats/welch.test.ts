import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cohensD, mean, std, studentTCdf, studentTTwoSided, welchTTest } from '../../src/stats/index.ts';
import { Rng } from '../../src/rng/index.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('studentTCdf(t, 1) is the Cauchy CDF 1/2 + atan(t)/pi', () => {
  for (const t of [-30, -2.5, -1, -0.1, 0, 0.3, 1, 4, 50]) close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-12, `t=${t}`);
});

test('studentTCdf(t, 2) equals 1/2 + t / (2 sqrt(2 + t^2))', () => {
  for (const t of [-10, -1.7, -0.2, 0, 0.5, 2, 9]) close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-12, `t=${t}`);
});

test('studentTCdf approaches the normal CDF for large df (Phi(1.96) ~ 0.975)', () => {
  close(studentTCdf(1.959963984540054, 1e7), 0.975, 1e-6, 'df=1e7');
});

test('studentTCdf refuses df <= 0 instead of returning NaN', () => {
  assert.throws(() => studentTCdf(1, 0), /degrees of freedom must be > 0/);
});

test('studentTTwoSided(t, df) equals 2 * (1 - cdf(|t|)) and keeps tiny p-values (t=40, df=1: 2 atan(1/40)/pi)', () => {
  for (const [t, df] of [[2.1, 7.3], [-0.4, 3], [5, 40]] as const) close(studentTTwoSided(t, df), 2 * (1 - studentTCdf(Math.abs(t), df)), 1e-12, `t=${t}`);
  close(studentTTwoSided(1e6, 1) / ((2 * Math.atan(1e-6)) / Math.PI), 1, 1e-9, 'relative, t=1e6 df=1');
  assert.equal(studentTTwoSided(0, 5), 1);
});

test('welchTTest with equal sizes and variances has df = 2n - 2 and the pooled t statistic', () => {
  const a = [1, 2, 3, 4, 5];
  const b = a.map((x) => x + 1.5);
  const r = welchTTest(a, b);
  close(r.df, 8, 1e-12, 'df');
  const pooled = (mean(a) - mean(b)) / Math.sqrt((std(a) ** 2 + std(b) ** 2) / 5);
  close(r.t, pooled, 1e-12, 't');
  close(r.p, studentTTwoSided(pooled, 8), 1e-15, 'p');
});

test('welchTTest is undefined with fewer than two values and zero when the groups separate with no variance', () => {
  assert.ok(Number.isNaN(welchTTest([1], [2, 3]).p));
  assert.equal(welchTTest([1, 1, 1], [2, 2, 2]).p, 0);
});

test('cohensD is the mean difference over the pooled standard deviation', () => {
  const a = [2, 4, 6, 8], b = [1, 3, 5, 7];
  close(cohensD(a, b), 1 / std(a), 1e-12, 'd');
  assert.ok(Number.isNaN(cohensD([1], [2, 3])), 'undefined below two values per group');
});

/**
 * The reference implementation: scipy.stats through the `python3` on PATH. It is optional (CI
 * installs no Python packages), so without it the cross-check is skipped, loudly, in CI too.
 */
/** The first Python with scipy: the one on PATH, else Debian's (`apt-get install python3-scipy`); null when none. */
function pythonWithScipy(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(py, ['-c', 'import scipy.stats'], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next one
    }
  }
  return null;
}
const PYTHON = pythonWithScipy();

test('welchTTest and studentTCdf agree with scipy.stats (when python3 with scipy is installed)', { skip: skipIfMissing('python3 with scipy', PYTHON ? undefined : 'not found (apt-get install python3-scipy)') }, () => {
  const rng = new Rng(7).fork('welch');
  const cases = [
    [Array.from({ length: 9 }, () => 0.02 + 0.003 * rng.normal()), Array.from({ length: 14 }, () => 0.025 + 0.008 * rng.normal())],
    [Array.from({ length: 3 }, () => rng.normal()), Array.from({ length: 40 }, () => 0.5 + 2 * rng.normal())],
    [Array.from({ length: 20 }, () => 0.01 * rng.normal()), Array.from({ length: 20 }, () => 0.03 + 0.01 * rng.normal())],
  ];
  const tcases = [[0.7, 3.5], [-2.2, 11.2], [4.1, 1.3], [-9, 30], [0.01, 200]];
  const py = `import json,sys\nfrom scipy import stats\nd=json.load(sys.stdin)\nprint(json.dumps({'w':[list(stats.ttest_ind(a,b,equal_var=False)) for a,b in d['w']],'t':[stats.t.cdf(t,df) for t,df in d['t']]}))`;
  const out = JSON.parse(execFileSync(PYTHON!, ['-c', py], { input: JSON.stringify({ w: cases, t: tcases }) }).toString()) as { w: [number, number][]; t: number[] };
  cases.forEach(([a, b], i) => {
    const r = welchTTest(a!, b!);
    close(r.t, out.w[i]![0], 1e-9, `t case ${i}`);
    close(r.p / out.w[i]![1], 1, 1e-9, `p case ${i} (relative)`);
  });
  tcases.forEach(([t, df], i) => close(studentTCdf(t!, df!) / out.t[i]!, 1, 1e-10, `cdf case ${i} (relative)`));
});
