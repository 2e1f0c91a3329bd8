import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { regularizedIncompleteBeta, studentTCdf, studentTTwoSided } from '../../src/report/t-distribution.ts';
import { welchTTest } from '../../src/report/welch.ts';
import { cohensD, mean, std, quantile } from '../../src/report/stats.ts';
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

test('regularizedIncompleteBeta(x, a, 1) = x^a and I_x(a,b) = 1 - I_{1-x}(b,a)', () => {
  for (const [x, a] of [[0.3, 2.5], [0.9, 7], [0.05, 0.5]] as const) close(regularizedIncompleteBeta(x, a, 1), x ** a, 1e-12, `x=${x} a=${a}`);
  for (const [x, a, b] of [[0.2, 3, 5], [0.7, 0.5, 12], [0.45, 40, 38]] as const) {
    close(regularizedIncompleteBeta(x, a, b), 1 - regularizedIncompleteBeta(1 - x, b, a), 1e-12, `symmetry x=${x}`);
  }
});

test('studentTTwoSided(t, df) equals 2 * (1 - cdf(|t|))', () => {
  for (const [t, df] of [[2.1, 7.3], [-0.4, 3], [5, 40]] as const) close(studentTTwoSided(t, df), 2 * (1 - studentTCdf(Math.abs(t), df)), 1e-12, `t=${t}`);
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
  close(quantile([4, 1, 3, 2], 0.5), 2.5, 1e-12, 'median');
});

function scipyAvailable(): boolean {
  try {
    execFileSync('python3', ['-c', 'import scipy.stats'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('welchTTest and studentTCdf agree with scipy.stats (when python3 with scipy is installed)', { skip: skipIfMissing('python3 with scipy', scipyAvailable() ? undefined : 'not found (apt-get install python3-scipy)') }, () => {
  const rng = new Rng(7).fork('welch');
  const cases = [
    [Array.from({ length: 9 }, () => 0.02 + 0.003 * rng.normal()), Array.from({ length: 14 }, () => 0.025 + 0.008 * rng.normal())],
    [Array.from({ length: 3 }, () => rng.normal()), Array.from({ length: 40 }, () => 0.5 + 2 * rng.normal())],
  ];
  const tcases = [[0.7, 3.5], [-2.2, 11.2], [4.1, 1.3]];
  const py = `import json,sys\nfrom scipy import stats\nd=json.load(sys.stdin)\nprint(json.dumps({'w':[list(stats.ttest_ind(a,b,equal_var=False)) for a,b in d['w']],'t':[stats.t.cdf(t,df) for t,df in d['t']]}))`;
  const out = JSON.parse(execFileSync('python3', ['-c', py], { input: JSON.stringify({ w: cases, t: tcases }) }).toString()) as { w: [number, number][]; t: number[] };
  cases.forEach(([a, b], i) => {
    const r = welchTTest(a!, b!);
    close(r.t, out.w[i]![0], 1e-9, `t case ${i}`);
    close(r.p, out.w[i]![1], 1e-9, `p case ${i}`);
  });
  tcases.forEach(([t, df], i) => close(studentTCdf(t!, df!), out.t[i]!, 1e-10, `cdf case ${i}`));
});
