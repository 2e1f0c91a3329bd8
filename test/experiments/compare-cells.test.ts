import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCells, type CellSummary, type Comparison } from '../../src/experiments/select.ts';
import { cohensDz, holmAdjust, mean, pairedTTest, std, welchTTest, wilcoxonSignedRank } from '../../src/stats/index.ts';
import { comparisonColumns, isBetter } from '../../src/report/comparison-columns.ts';

/** A cell after selection with test errors `values` on `seeds` (what compareCells reads). */
function cell(kind: string, depth: number, values: number[], seeds = values.map((_, i) => i + 1)): CellSummary {
  return {
    cell: { depth, 'pretrain.kind': kind }, label: `depth=${depth} pretrain=${kind}`, chosen: {}, candidates: [],
    test: { mean: mean(values), std: std(values), n: values.length, values, seeds }, valid: { mean: NaN, std: NaN },
    nDiverged: 0, nMissing: 0, records: [], selection: 'none', selectionSeeds: [], evaluationSeeds: seeds,
  };
}
const opts = { resamples: 2000 };

test('cells that ran the same seeds are compared paired: paired t, Wilcoxon, d_z and a paired bootstrap interval of the mean difference', () => {
  const none = [0.030, 0.026, 0.034, 0.029, 0.031, 0.027], sdae = [0.027, 0.025, 0.030, 0.028, 0.027, 0.026];
  const [c] = compareCells([cell('none', 1, none), cell('sdae', 1, sdae)], 'pretrain.kind', 'none', opts);
  assert.equal(c!.design, 'paired');
  assert.deepEqual(c!.paired!.seeds, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(c!.paired!.t, pairedTTest(sdae, none));
  assert.deepEqual(c!.paired!.wilcoxon, wilcoxonSignedRank(sdae, none));
  assert.equal(c!.paired!.dz, cohensDz(sdae, none));
  assert.equal(c!.p, c!.paired!.t.p);
  assert.ok(c!.p < welchTTest(sdae, none).p, 'pairing removes the seed-to-seed variance both arms share');
  assert.ok(Math.abs(c!.difference - (mean(sdae) - mean(none))) < 1e-15);
  assert.ok(c!.ci.lo <= c!.difference && c!.difference <= c!.ci.hi && c!.ci.hi < 0);
});

test('pairs are matched by seed, not by position, and only seeds both cells finished count', () => {
  const base = cell('none', 1, [0.03, 0.04, 0.05, 0.06], [1, 2, 3, 4]);
  const arm = cell('sdae', 1, [0.058, 0.039, 0.028], [4, 2, 1]); // seed 3 diverged; listed out of order
  const [c] = compareCells([base, arm], 'pretrain.kind', 'none', opts);
  assert.deepEqual(c!.paired!.seeds, [1, 2, 4]);
  assert.deepEqual(c!.paired!.t, pairedTTest([0.028, 0.039, 0.058], [0.03, 0.04, 0.06]));
  assert.ok(Math.abs(c!.difference - -0.005 / 3) < 1e-15, 'the mean paired difference, not the difference of means');
});

test('cells without two common seeds are compared unpaired: Welch p and an unpaired interval', () => {
  const none = [0.03, 0.032, 0.029], sdae = [0.025, 0.026, 0.027, 0.024];
  const [c] = compareCells([cell('none', 1, none, [1, 2, 3]), cell('sdae', 1, sdae, [3, 4, 5, 6])], 'pretrain.kind', 'none', opts);
  assert.equal(c!.design, 'unpaired');
  assert.equal(c!.paired, null);
  assert.equal(c!.p, welchTTest(sdae, none).p);
  assert.equal(c!.difference, mean(sdae) - mean(none));
  assert.ok(c!.ci.lo < c!.difference && c!.difference < c!.ci.hi);
});

test('Holm adjusts the p-values over all comparisons of the study, and the highlighting follows the adjusted p', () => {
  const base = [0.030, 0.026, 0.034, 0.029, 0.031, 0.027];
  // Paired differences per depth; paired-t p about 0.020, 2.4e-5, 0.87 and 0.058: Holm multiplies 0.020 by 3.
  const diffs = [
    [-0.002, -0.001, 0.0002, -0.0015, -0.001, -0.0008],
    [-0.003, -0.002, -0.0025, -0.003, -0.0028, -0.0022],
    [0.001, -0.001, 0.0005, 0, 0.0002, -0.0004],
    [-0.002, -0.001, 0.0005, -0.0015, -0.001, -0.0003],
  ];
  const cells = diffs.flatMap((d, k) => [cell('none', k + 1, base), cell('sdae', k + 1, base.map((x, i) => x + d[i]!))]);
  const cmp = compareCells(cells, 'pretrain.kind', 'none', opts);
  assert.equal(cmp.length, 4);
  assert.deepEqual(cmp.map((c) => c.pHolm), holmAdjust(cmp.map((c) => c.p)));
  const nominal = cmp.filter((c) => c.p < 0.05), held = cmp.filter((c) => c.pHolm < 0.05);
  assert.ok(held.length < nominal.length, `the table must hold a comparison significant only before the correction (p ${cmp.map((c) => c.p)})`);
  for (const c of cmp) {
    assert.equal(isBetter(c), c.pHolm < 0.05 && c.difference < 0);
    assert.equal(comparisonColumns(c).markup.includes('<b>'), c.pHolm < 0.05);
  }
});

test('the bootstrap interval of a comparison is the same on every call and moves with the seed', () => {
  const base = [0.03, 0.026, 0.034, 0.029, 0.031, 0.0272, 0.0335, 0.0301, 0.0288, 0.0317];
  const cells = [cell('none', 1, base), cell('sdae', 1, base.map((x, i) => x - 0.002 + 0.0013 * Math.sin(3 * i)))];
  const ci = (seed?: number): Comparison['ci'] => compareCells(cells, 'pretrain.kind', 'none', { ...opts, ...(seed !== undefined ? { seed } : {}) })[0]!.ci;
  assert.deepEqual(ci(), ci());
  assert.notDeepEqual(ci(1), ci());
  assert.equal(compareCells(cells, 'pretrain.kind', 'none')[0]!.ci.resamples, 10_000);
});
