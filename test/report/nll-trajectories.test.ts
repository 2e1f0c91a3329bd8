import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseHTML } from 'linkedom';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import type { Setting } from '../../src/experiments/expand.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import type { CellSummary } from '../../src/experiments/select.ts';
import type { TrialRecord } from '../../src/experiments/store.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { curveOpacity, meanDifference, nllTrajectories, summarizeTrajectories, testNllAtTrainNll, type Trajectory } from '../../src/report/nll-trajectories.ts';
import { Rng } from '../../src/rng/rng.ts';
import { pairedTTest } from '../../src/stats/paired-t.ts';
import { welchTTest } from '../../src/stats/welch.ts';
import type { TrialConfig } from '../../src/train/config.ts';
import type { EpochMetrics } from '../../src/train/hooks.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { skipWithoutChromium, withReportPage } from '../helpers/chromium.ts';

/** Train NLL falls geometrically from 1; test NLL = `gap` + train NLL (a regularized arm has a smaller gap). */
function history(epochs: number, rate: number, gap: number): EpochMetrics[] {
  return Array.from({ length: epochs }, (_, i) => {
    const train = Math.pow(rate, i);
    return { phase: 'finetune', epoch: i + 1, seconds: 0, values: { trainNll: train, testNll: train + gap, validError: 0.1 } };
  });
}

function cell(depth: number, pretrain: string, seeds: number[], epochs: number, rate: (seed: number) => number, gap: number): CellSummary {
  const records = seeds.map((seed) => ({ status: 'done', seed, result: { history: history(epochs, rate(seed), gap) } }) as unknown as TrialRecord);
  const c: Setting = { 'model.depth': depth, 'pretrain.kind': pretrain };
  return {
    cell: c, label: `depth=${depth} pretrain=${pretrain}`, chosen: {}, candidates: [], nDiverged: 0, nMissing: 0, records,
    selection: 'none', selectionSeeds: seeds, evaluationSeeds: seeds,
    test: { mean: 0.1, std: 0, n: seeds.length, values: seeds.map(() => 0.1), seeds }, valid: { mean: 0.1, std: 0 },
  };
}

const seeds = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const svgOf = (svg: string): Document => parseHTML(`<!DOCTYPE html><html><body>${svg}</body></html>`).document as unknown as Document;

test('the trajectory chart draws one path per trial (hundreds included), a start and an end marker per trial, and one arrowhead per arm and panel', () => {
  const cells = [
    cell(1, 'none', seeds(150), 8, (s) => 0.8 - s * 1e-4, 0.3), cell(1, 'sdae', seeds(150), 8, (s) => 0.7 - s * 1e-4, 0.2),
    cell(2, 'none', seeds(150), 8, (s) => 0.85 - s * 1e-4, 0.35), cell(2, 'sdae', seeds(150), 1, () => 0.7, 0.2),
  ];
  const r = nllTrajectories(cells, 'pretrain.kind', 'none')!;
  const doc = svgOf(r.chart.svg);
  assert.equal(r.chart.marks, 450, 'trials of one epoch have no line');
  assert.equal(doc.querySelectorAll(r.chart.markSelector).length, 450);
  assert.equal(doc.querySelectorAll('.m-start circle').length, 600);
  assert.equal(doc.querySelectorAll('.m-end circle').length, 600);
  assert.equal(doc.querySelectorAll('.m-arrow path').length, 3, 'no arrow for a one-epoch mean');
  const opacity = Number(doc.querySelector('.m-trajectory')!.getAttribute('stroke-opacity'));
  assert.ok(opacity <= 0.3, `150 curves per arm are drawn translucent (${opacity})`);
  assert.equal(doc.querySelectorAll('g[aria-label="fx-axis tick label"] text').length, 2, 'one panel per depth');
  assert.equal(svgOf(r.tables.markup).querySelectorAll('table.nll-table').length, 2, 'one table per panel');
});

test('the trajectory axes are logarithmic with round labelled ticks on both axes', () => {
  const r = nllTrajectories([cell(1, 'none', seeds(3), 10, () => 0.6, 0.3), cell(1, 'sdae', seeds(3), 10, () => 0.6, 0.1)], 'pretrain.kind', 'none')!;
  const doc = svgOf(r.chart.svg);
  assert.match(doc.querySelector('g[aria-label="x-axis label"]')!.textContent!, /train NLL, log scale/);
  assert.match(doc.querySelector('g[aria-label="y-axis label"]')!.textContent!, /test NLL, log scale/);
  const xs = [...doc.querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) => Number(t.textContent));
  assert.ok(xs.length >= 3 && xs.includes(0.1) && xs.includes(1), `x ticks ${xs}`);
});

test('the panel tables give each arm final train and test NLL, and the arm minus the baseline with a paired 95% bootstrap interval over shared seeds', () => {
  // sdae: 5 epochs at rate 0.5 + 0.01 s -> final train 0.0625ish; none: rate 0.4 -> lower train NLL, larger gap.
  const cells = [cell(1, 'none', seeds(5), 5, (s) => 0.4 + 0.01 * s, 0.3), cell(1, 'sdae', seeds(5), 5, (s) => 0.5 + 0.01 * s, 0.1)];
  const [p] = summarizeTrajectoriesOf(cells);
  const finalTrain = (rate: number): number => Math.pow(rate, 4);
  const none = seeds(5).map((s) => finalTrain(0.4 + 0.01 * s)), sdae = seeds(5).map((s) => finalTrain(0.5 + 0.01 * s));
  assert.deepEqual(p!.arms.map((a) => a.arm), ['none', 'sdae']);
  assert.ok(Math.abs(p!.arms[0]!.train.mean - none.reduce((a, b) => a + b) / 5) < 1e-12);
  const v = p!.versus[0]!;
  assert.equal(v.train.paired, true);
  assert.equal(v.train.n, 5);
  assert.equal(v.train.difference, pairedTTest(sdae, none).meanDiff);
  assert.equal(v.train.p, pairedTTest(sdae, none).p);
  assert.ok(v.train.lo > 0 && v.train.lo <= v.train.difference && v.train.difference <= v.train.hi, 'the pre-trained arm ends with a higher train NLL, interval above 0');
  assert.ok(Math.abs(v.test.difference - (v.train.difference - 0.2)) < 1e-12, 'test = train + gap');
  const answer = svgOf(nllTrajectories(cells, 'pretrain.kind', 'none')!.tables.markup).querySelector('.nll-answers li')!.textContent!;
  assert.match(answer, /^depth=1, pretrain=sdae vs pretrain=none: final train NLL higher \(\+.*5 paired seeds\), final test NLL lower \(-/);
  assert.ok(Math.abs(v.testAtLevel.difference - -0.2) < 0.02, `at equal train NLL the test NLL differs by the gap: ${v.testAtLevel.difference}`);
});

function summarizeTrajectoriesOf(cells: CellSummary[]) {
  return nllTrajectories(cells, 'pretrain.kind', 'none')!.summaries;
}

test('testNllAtTrainNll interpolates in log-log where the train NLL first reaches the level, and is undefined outside the trajectory', () => {
  const t: Trajectory = { panel: 'p', arm: 'a', seed: 1, points: [{ epoch: 1, train: 1, test: 2 }, { epoch: 2, train: 0.01, test: 0.02 }, { epoch: 3, train: 0.001, test: 5 }] };
  assert.ok(Math.abs(testNllAtTrainNll(t, 0.1)! - 0.2) < 1e-12, 'halfway in log');
  assert.equal(testNllAtTrainNll(t, 1), 2);
  assert.equal(testNllAtTrainNll(t, 2), undefined, 'starts below');
  assert.equal(testNllAtTrainNll(t, 1e-4), undefined, 'never reaches');
  assert.deepEqual(summarizeTrajectories([t]).map((s) => s.versus), [[]], 'a lone arm has nothing to compare');
});

test('meanDifference pairs on the seeds both arms finished (at least two), else compares unpaired with Welch', () => {
  const arm = (seeds: number[], values: number[]) => seeds.map((seed, i) => ({ seed, value: values[i]! }));
  const p = meanDifference(arm([1, 2, 3, 4, 5, 9], [2, 3, 4, 5, 6, 100]), arm([5, 4, 3, 2, 1], [1, 1, 1, 1, 1]), new Rng(1));
  assert.equal(p.paired, true);
  assert.equal(p.n, 5, 'seed 9 has no partner');
  assert.equal(p.difference, 3);
  assert.ok(p.lo < 3 && p.hi > 3 && p.lo > 0);
  const u = meanDifference(arm([1, 2, 3], [1, 2, 3]), arm([7, 8, 9], [1, 2, 4]), new Rng(1));
  assert.equal(u.paired, false);
  assert.equal(u.p, welchTTest([1, 2, 3], [1, 2, 4]).p);
  assert.ok(u.lo < 0 && u.hi > 0);
  assert.equal(meanDifference(arm([1, 2], [1, 2]), arm([1, 2], [0, 0]), new Rng(1), false).paired, false);
});

test('curves get fainter as they get more numerous, within [0.06, 0.7]', () => {
  assert.ok(curveOpacity(400) < curveOpacity(6) && curveOpacity(6) <= 0.7 && curveOpacity(1e6) >= 0.06);
});

/** A trial function whose train and test NLL trajectories depend on pre-training the way Fig. 8 says. */
async function nllTrial(config: TrialConfig): Promise<TrialResult> {
  const pre = config.pretrain.kind !== 'none';
  const h = history(config.finetune.epochs, pre ? 0.7 : 0.6 + 0.01 * config.seed, pre ? 0.1 : 0.3);
  const last = h.at(-1)!.values;
  const score = { error: 0.1, nll: last['testNll']! };
  return { final: { train: { error: 0.05, nll: last['trainNll']! }, valid: score, test: score }, bestEpoch: h.length, epochsRun: h.length, history: h, seconds: { pretrain: 0, finetune: 0, total: 0 }, checkpoint: null, backend: 'synthetic', variant: { backend: 'synthetic' } as never };
}

async function toyReport(): Promise<ReturnType<typeof writeReport>> {
  const exp = defineExperiment({
    id: 'toy-trajectories', paper: 'Fig. 8 (synthetic)', description: 'toy', backend: 'reference',
    data: { name: 'mnist', trainSize: 100 }, model: { hidden: 16 }, pretrain: { epochs: 1 }, finetune: { epochs: 6, patience: null },
    scientific: { depth: [1, 2], pretrain: ['none', 'sdae'] }, seeds: 3, compare: { factor: 'pretrain.kind', baseline: 'none' },
    figures: ['nll-trajectories'],
  });
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-traj-'));
  const s = await runExperiment(resolveExperiment(exp, {}), { runsDir, trial: nllTrial });
  return writeReport(s.storeDir);
}

test('a run store of a trajectory study gets the chart and a table per depth in its report', async () => {
  const report = await toyReport();
  const chart = report.charts.find((c) => c.id === 'chart-nll-trajectories')!;
  assert.equal(chart.marks, 12);
  const doc = svgOf(fs.readFileSync(report.path, 'utf8'));
  assert.equal(doc.querySelectorAll(`#chart-nll-trajectories ${chart.markSelector}`).length, 12);
  assert.deepEqual([...doc.querySelectorAll('table.nll-table')].map((t) => t.getAttribute('data-panel')), ['depth=1', 'depth=2']);
});

test('in headless Chromium the trajectory chart draws every trial and the tables show one row per arm and comparison', { skip: skipWithoutChromium(), timeout: 60_000 }, async () => {
  const report = await toyReport();
  await withReportPage(report.path, async (page, problems) => {
    const fig = await page.$eval('#chart-nll-trajectories', (f) => ({ expected: Number(f.getAttribute('data-marks')), drawn: f.querySelectorAll(f.getAttribute('data-mark-selector')!).length, width: f.getBoundingClientRect().width }));
    assert.equal(fig.expected, 12);
    assert.equal(fig.drawn, 12);
    assert.ok(fig.width > 300);
    const rows = await page.$$eval('table.nll-table tbody tr', (r) => r.length);
    assert.equal(rows, 2 * 3, 'two arms and one comparison per depth');
    assert.deepEqual(problems, []);
  });
});
