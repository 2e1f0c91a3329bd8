import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseHTML } from 'linkedom';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';
import { compareCells, type CellSummary } from '../../src/experiments/select.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { gapChart, gapRows, gapTallies, gapVsLabelsSection, type GapRow } from '../../src/report/gap-vs-labels-section.ts';
import type { TrialConfig } from '../../src/train/config.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { pairedTTest } from '../../src/stats/paired-t.ts';
import { skipWithoutChromium, withReportPage } from '../helpers/chromium.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Synthetic test errors: the seed's world when `world` is 'seed' (pre-training's gap is 0 with every
 * label and 3 points with 10%), the opposite when 'paper' (a 2-point gap with every label, none with 10%).
 * Seed noise is shared by the arms of a seed (as real seeds share data), plus a small per-arm jitter.
 */
function testError(world: 'seed' | 'paper', kind: string, labeled: number, seed: number): number {
  const base = labeled === 1 ? 0.05 : 0.15;
  const gap = world === 'seed' ? (labeled === 1 ? 0 : -0.03) : labeled === 1 ? -0.02 : 0;
  const noise = 0.004 * Math.sin(7 * seed + 13 * labeled);
  const jitter = (kind === 'sdae' ? 0.0015 : -0.0015) * Math.cos(3 * seed);
  return base + (kind === 'sdae' ? gap : 0) + noise + jitter;
}

/** A CellSummary of `values` on seeds 1..n (what `selectModels` returns, the fields the section reads). */
function cell(setting: Record<string, unknown>, values: number[]): CellSummary {
  const seeds = values.map((_, i) => i + 1);
  return { cell: setting, label: JSON.stringify(setting), chosen: {}, candidates: [], selection: 'fresh-seeds', selectionSeeds: [], evaluationSeeds: seeds, test: { mean: NaN, std: NaN, n: values.length, values, seeds }, valid: { mean: NaN, std: NaN }, nDiverged: 0, nMissing: 0, records: [] };
}

function cellsOf(world: 'seed' | 'paper', seeds = 6, fractions = [1, 0.1]): CellSummary[] {
  const out: CellSummary[] = [];
  for (const arm of ['relu', 'sigmoid']) for (const labeled of fractions) for (const kind of ['none', 'sdae']) {
    out.push(cell({ arm, 'data.labeled': labeled, 'pretrain.kind': kind }, Array.from({ length: seeds }, (_, i) => testError(world, kind, labeled, i + 1))));
  }
  return out;
}

const expOf = (fractions = [1, 0.1]) => resolveExperiment(defineExperiment({ id: 'g', paper: 'p', description: 'd', scientific: { arm: { relu: { model: { activation: 'relu' } }, sigmoid: { model: { activation: 'sigmoid' } } }, labeled: fractions, pretrain: ['none', 'sdae'] }, seeds: 6, compare: { factor: 'pretrain', baseline: 'none' } }), {});

function rowsOf(world: 'seed' | 'paper', seeds = 6): GapRow[] {
  const cells = cellsOf(world, seeds);
  return gapRows(expOf(), compareCells(cells, 'pretrain.kind', 'none', { resamples: 2000 }), { resamples: 2000 });
}

test('where the seed is right (no gap with every label, 3 points with 10%), both predictions hold, by intervals', () => {
  const rows = rowsOf('seed');
  assert.deepEqual(rows.map((r) => [r.panel, r.arm]), [['arm=relu', 'sdae'], ['arm=sigmoid', 'sdae']]);
  for (const r of rows) {
    assert.ok(r.full!.ci.lo < 0 && r.full!.ci.hi > 0, `the full-label interval includes 0: [${r.full!.ci.lo}, ${r.full!.ci.hi}]`);
    assert.deepEqual(r.closes, { holds: true, sure: true });
    assert.equal(r.few.length, 1);
    const f = r.few[0]!;
    assert.equal(f.labeled, 0.1);
    assert.deepEqual(f.stays, { holds: true, sure: true });
    assert.deepEqual(f.larger, { holds: true, sure: true });
    assert.ok(Math.abs(f.vsFull!.difference - -0.03) < 1e-9, `g(0.1) - g(1) is the built-in -3 points, got ${f.vsFull!.difference}`);
    assert.equal(f.vsFull!.paired, true);
    assert.equal(f.vsFull!.n, 6);
  }
  assert.deepEqual(gapTallies(rows).map((t) => [t.series, t.closes, t.few[0]!.stays, t.few[0]!.larger, t.rows]), [['arm=relu', 1, 1, 1, 1], ['arm=sigmoid', 1, 1, 1, 1]]);
});

test('where the seed is wrong (a 2-point gap with every label, none with 10%), neither prediction holds', () => {
  for (const r of rowsOf('paper')) {
    assert.ok(r.full!.ci.hi < 0);
    assert.deepEqual(r.closes, { holds: false, sure: true });
    assert.deepEqual(r.few[0]!.stays, { holds: false, sure: true });
    assert.deepEqual(r.few[0]!.larger, { holds: false, sure: true }, 'the gap shrinks with fewer labels: g(0.1) - g(1) = +2 points');
    assert.ok(r.few[0]!.vsFull!.lo > 0);
  }
});

test('the gap at a fraction is the study comparison: the paired mean difference of the two arms over seeds', () => {
  const r = rowsOf('seed')[0]!;
  const seeds = [1, 2, 3, 4, 5, 6];
  const want = pairedTTest(seeds.map((s) => testError('seed', 'sdae', 0.1, s)), seeds.map((s) => testError('seed', 'none', 0.1, s)));
  assert.ok(Math.abs(r.few[0]!.gap.difference - want.meanDiff) < 1e-12);
});

test('with one seed a verdict is the point estimate and says so', () => {
  for (const r of rowsOf('seed', 1)) {
    assert.equal(r.closes!.sure, false);
    assert.equal(r.few[0]!.stays.sure, false);
    assert.deepEqual(r.few[0]!.stays.holds, true);
  }
});

test('a study without data.labeled as a factor, or without a comparison, has no such section', () => {
  const noLabels = resolveExperiment(defineExperiment({ id: 'g', paper: 'p', description: 'd', scientific: { depth: [1, 2], pretrain: ['none', 'sdae'] }, seeds: 2 }), {});
  assert.deepEqual(gapRows(noLabels, []), []);
  assert.equal(gapVsLabelsSection(noLabels, []), null);
});

test('fractions below 1 are listed ascending; without a full-label level only "stays" is judged', () => {
  const cells = cellsOf('seed', 4, [0.1, 0.01]);
  const rows = gapRows(expOf([0.1, 0.01]), compareCells(cells, 'pretrain.kind', 'none', { resamples: 500 }), { resamples: 500 });
  assert.deepEqual(rows[0]!.few.map((f) => f.labeled), [0.01, 0.1]);
  assert.equal(rows[0]!.full, null);
  assert.equal(rows[0]!.closes, null);
  assert.ok(rows[0]!.few.every((f) => f.vsFull === null && f.larger === null));
});

test('gaps of tens of points beside gaps of tenths get a symlog axis, and the caption says so; small gaps alone a linear one', () => {
  const small = rowsOf('seed');
  assert.doesNotMatch(gapChart(small, 'pretrain', 'none')!.caption, /symlog/i);
  const cells = cellsOf('seed').map((c) => (c.cell['arm'] === 'sigmoid' && c.cell['pretrain.kind'] === 'none' ? { ...c, test: { ...c.test, values: c.test.values.map((v) => v + 0.45) } } : c));
  const rows = gapRows(expOf(), compareCells(cells, 'pretrain.kind', 'none', { resamples: 500 }), { resamples: 500 });
  const chart = gapChart(rows, 'pretrain', 'none')!;
  assert.match(chart.caption, /Symlog y axis/);
  assert.match(chart.svg, /symlog scale/);
  assert.equal(chart.marks, 4);
});

/** A trial function returning `testError` of the synthetic world for the trial's config (no training). */
async function syntheticTrial(config: TrialConfig): Promise<TrialResult> {
  const e = testError('seed', config.pretrain.kind, config.data.labeled ?? 1, config.seed) + 0.002 * config.model.depth;
  const s = { error: e, nll: 2 * e };
  return {
    final: { train: s, valid: s, test: s }, bestEpoch: 1, epochsRun: 1,
    history: [{ phase: 'finetune', epoch: 1, seconds: 0, values: { validError: e, trainNll: 2 * e } }],
    seconds: { pretrain: 0, finetune: 0, total: 0 }, checkpoint: null, backend: 'synthetic', variant: { backend: 'synthetic' } as never,
  };
}

const study: ExperimentInput = {
  id: 'toy-gap', paper: 'issue 15 (synthetic)', description: 'toy', backend: 'reference',
  data: { name: 'mnist', trainSize: 100 },
  model: { hidden: 8 },
  scientific: {
    arm: { 'sigmoid+uniform': { model: { activation: 'sigmoid' } }, 'relu+he+bn': { model: { activation: 'relu', init: 'he', norm: 'batch' } } },
    labeled: [1, 0.1],
    depth: [1, 3],
    pretrain: ['none', 'sdae'],
  },
  seeds: 4,
  compare: { factor: 'pretrain', baseline: 'none' },
  figureOptions: { 'error-vs-factor': { x: 'depth' } },
  figures: ['gap-vs-labels', 'error-vs-factor', 'table'],
};

async function report(): Promise<ReturnType<typeof writeReport>> {
  const runsDir = tempDir('pl-gap-');
  const s = await runExperiment(resolveExperiment(defineExperiment(study), {}), { runsDir, trial: syntheticTrial });
  return writeReport(s.storeDir);
}

test('the report states both predictions per row, with the gaps and their intervals, and draws a dot per row and fraction', async () => {
  const r = await report();
  const doc = parseHTML(fs.readFileSync(r.path, 'utf8')).document as unknown as Document;
  const rows = [...doc.querySelectorAll('table.gap-vs-labels tbody tr')];
  assert.deepEqual(rows.map((x) => x.getAttribute('data-panel')), ['arm=sigmoid+uniform depth=1', 'arm=sigmoid+uniform depth=3', 'arm=relu+he+bn depth=1', 'arm=relu+he+bn depth=3']);
  const verdicts = (claim: string) => [...doc.querySelectorAll(`td[data-claim="${claim}"]`)].map((x) => x.getAttribute('data-holds'));
  assert.deepEqual(verdicts('closes'), ['true', 'true', 'true', 'true']);
  assert.deepEqual(verdicts('stays'), ['true', 'true', 'true', 'true']);
  assert.deepEqual(verdicts('larger'), ['true', 'true', 'true', 'true']);
  assert.match(rows[0]!.textContent!, /\[[-+]\d+\.\d\d, [-+]\d+\.\d\d\]/, 'each gap has its interval');
  const chart = r.charts.find((c) => c.id === 'chart-gap-vs-labels')!;
  assert.equal(chart.marks, 4 * 2);
  assert.equal(doc.querySelectorAll(`#chart-gap-vs-labels ${chart.markSelector}`).length, 8);
  assert.deepEqual([...doc.querySelectorAll('ul.gap-tallies li')].map((l) => l.getAttribute('data-series')), ['arm=sigmoid+uniform', 'arm=relu+he+bn']);
  assert.match(doc.querySelector('ul.gap-tallies li')!.textContent!, /the gap closes at 100% in 2 of 2; stays at 10% in 2 of 2, larger there than at 100% in 2 of 2/);
  assert.ok(r.charts.some((c) => c.id === 'chart-error-vs-depth'), 'the error-vs-factor chart over depth is drawn too');
});

test('in headless Chromium the gap chart draws all its marks, visibly, and the verdict table fills', { skip: skipWithoutChromium(), timeout: 120_000 }, async () => {
  const r = await report();
  await withReportPage(r.path, async (page, problems) => {
    const fig = await page.$eval('#chart-gap-vs-labels', (f) => {
      const marks = [...f.querySelectorAll(f.getAttribute('data-mark-selector')!)];
      const seen = marks.filter((m) => getComputedStyle(m).fill !== 'none');
      return { expected: Number(f.getAttribute('data-marks')), drawn: marks.length, visible: seen.length, width: f.getBoundingClientRect().width };
    });
    assert.equal(fig.expected, 8);
    assert.equal(fig.drawn, 8);
    assert.equal(fig.visible, 8);
    assert.ok(fig.width > 300);
    assert.equal(await page.$$eval('table.gap-vs-labels tbody tr', (t) => t.length), 4);
    assert.equal(await page.$$eval('td[data-claim] b.claim-yes', (t) => t.length), 12);
    assert.deepEqual(problems, []);
  });
});
