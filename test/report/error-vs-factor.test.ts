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
import { writeReport } from '../../src/report/build-report.ts';
import { errorVsFactorChart, factorAxis, panelColumns } from '../../src/report/error-vs-factor.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';

/** A cell with the given test errors (fractions) over seeds 1..n. */
function cell(setting: Setting, values: number[]): CellSummary {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  const s = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, values.length - 1));
  return {
    cell: setting, label: JSON.stringify(setting), chosen: {}, candidates: [], nDiverged: 0, nMissing: 0, records: [],
    selection: 'none', selectionSeeds: [], evaluationSeeds: values.map((_, i) => i + 1),
    test: { mean: m, std: s, n: values.length, values, seeds: values.map((_, i) => i + 1) }, valid: { mean: m, std: s },
  };
}

const svgOf = (svg: string): Document => parseHTML(`<!DOCTYPE html><html><body>${svg}</body></html>`).document as unknown as Document;

/** Widths x depth x arm, with pre-training worse below 100 units and better above. */
function figure9Cells(widths: number[], depths: number[], arms: string[]): CellSummary[] {
  const out: CellSummary[] = [];
  for (const hidden of widths) for (const depth of depths) for (const arm of arms) {
    const e = 0.02 + 0.3 / hidden + (arm === 'none' ? 0 : 0.002 * Math.log(100 / hidden));
    out.push(cell({ 'model.hidden': hidden, 'model.depth': depth, 'pretrain.kind': arm }, [e, e * 1.05, e * 0.95]));
  }
  return out;
}

test('the error-vs-factor chart draws one mean dot and one error bar per cell, one panel per remaining factor, one colour per arm', () => {
  const cells = figure9Cells([25, 50, 100, 200, 400, 800], [1, 2, 3], ['none', 'sdae', 'dbn']);
  const chart = errorVsFactorChart(cells, 'model.hidden', 'pretrain.kind')!;
  assert.equal(chart.marks, 6 * 3 * 3);
  const doc = svgOf(chart.svg);
  assert.equal(doc.querySelectorAll(chart.markSelector).length, chart.marks);
  assert.equal(doc.querySelectorAll('.m-errorbar line').length, chart.marks, 'an error bar per cell');
  const panels = new Set([...doc.querySelectorAll('g[aria-label="fx-axis tick label"] text')].map((t) => t.textContent));
  assert.deepEqual([...panels].sort(), ['depth=1', 'depth=2', 'depth=3']);
  const fills = new Set([...doc.querySelectorAll(chart.markSelector)].map((c) => c.getAttribute('fill')));
  assert.equal(fills.size, 3, 'three arms, three colours');
  assert.match(doc.querySelector('g[aria-label="x-axis label"]')!.textContent!, /hidden, log scale/);
  const ticks = [...doc.querySelectorAll('g[aria-label="x-axis tick label"] text')].slice(0, 6).map((t) => t.textContent);
  assert.deepEqual(ticks, ['25', '50', '100', '200', '400', '800'], 'one labelled tick per level');
});

test('the error bars have a height of two standard deviations: from mean - std to mean + std', () => {
  const cells = [cell({ 'model.hidden': 10, 'pretrain.kind': 'none' }, [0.1, 0.2, 0.3]), cell({ 'model.hidden': 20, 'pretrain.kind': 'none' }, [0.2, 0.2, 0.2])];
  const doc = svgOf(errorVsFactorChart(cells, 'model.hidden', 'pretrain.kind')!.svg);
  const dotY = [...doc.querySelectorAll('.m-mean circle')].map((c) => Number(c.getAttribute('cy')));
  const bars = [...doc.querySelectorAll('.m-errorbar line')].map((l) => [Number(l.getAttribute('y1')), Number(l.getAttribute('y2'))]);
  // Cell 1: 20 +- 10 %; cell 2: 20 +- 0 %. Both means at the same height; bar 1 spans 20 points.
  assert.ok(Math.abs(dotY[0]! - dotY[1]!) < 1e-6);
  const [a, b] = bars[0]!;
  assert.ok(Math.abs(Math.abs(a! - b!) - 2 * Math.abs(a! - dotY[0]!)) < 1e-6, 'symmetric about the mean');
  assert.ok(Math.abs(bars[1]![0]! - bars[1]![1]!) < 1e-6, 'no spread, no bar height');
});

test('factorAxis is log from a decade on, and a 0 level (no penalty) sits a decade left of the smallest positive level', () => {
  assert.equal(factorAxis([25, 100, 200]).log, false, 'a factor of 8');
  assert.equal(factorAxis([25, 100, 400]).log, true);
  assert.equal(factorAxis([1, 2, 3]).log, false);
  const pen = factorAxis([0, 1e-4, 1e-3]);
  assert.equal(pen.log, true);
  assert.ok(Math.abs(pen.position(0) - 1e-5) < 1e-18);
  const cells = [0, 1e-4, 1e-3].map((l2) => cell({ 'finetune.l2': l2, 'pretrain.kind': 'none' }, [0.05, 0.06]));
  const chart = errorVsFactorChart(cells, 'finetune.l2', 'pretrain.kind')!;
  const ticks = [...svgOf(chart.svg).querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) => t.textContent);
  assert.deepEqual(ticks, ['0', '1e-4', '1e-3']);
  assert.equal(errorVsFactorChart(cells, 'model.depth', 'pretrain.kind'), null, 'no cell has that factor');
});

test('a study with figureOptions error-vs-factor runs on synthetic trials and its report draws the chart and a difference table per depth and arm', async () => {
  const exp = defineExperiment({
    id: 'toy-size',
    paper: 'Erhan et al. 2010, Fig. 9 (synthetic)',
    description: 'Synthetic layer-size study for tests',
    backend: 'reference',
    data: { name: 'mnist', trainSize: 100 },
    pretrain: { epochs: 1 },
    finetune: { epochs: 2 },
    scientific: { hidden: [8, 32, 128], depth: [1, 3], pretrain: ['none', 'sdae'] },
    seeds: 3,
    figureOptions: { 'error-vs-factor': { x: 'units' } },
    figures: ['error-vs-factor', 'table'],
  });
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-evf-'));
  const s = await runExperiment(resolveExperiment(exp, {}), { runsDir, trial: synthetic });
  const report = writeReport(s.storeDir);
  const chart = report.charts.find((c) => c.id === 'chart-error-vs-hidden')!;
  assert.ok(chart, `charts: ${report.charts.map((c) => c.id)}`);
  assert.equal(chart.marks, 3 * 2 * 2);
  const doc = parseHTML(fs.readFileSync(report.path, 'utf8')).document;
  assert.equal(doc.querySelectorAll(`#${chart.id} ${chart.markSelector}`).length, chart.marks);
  const rows = [...doc.querySelectorAll('table.factor-differences tbody tr')];
  assert.equal(rows.length, 2, 'depth 1 and 3, one pre-trained arm');
  for (const r of rows) {
    assert.equal(r.querySelectorAll('td.num').length, 3, 'one difference per width');
    assert.match(r.querySelectorAll('td.num')[0]!.textContent!, /^[-+]?\d+\.\d\d \[[-+]?\d+\.\d\d, [-+]?\d+\.\d\d\]$/);
    assert.ok(r.querySelector('td.crossing')!.getAttribute('data-kind'));
  }
});

test('panels share one row while their labels fit; long labels of several factors wrap the panels into a grid with a title each', () => {
  assert.equal(panelColumns(['depth=1', 'depth=2', 'depth=3']), 3);
  const long = ['dataset=mnist arm=sigmoid+uniform labeled=1', 'dataset=mnist arm=sigmoid+uniform labeled=0.1', 'dataset=mnist arm=relu+he+bn labeled=1', 'dataset=mnist arm=relu+he+bn labeled=0.1', 'dataset=mnist arm=all labeled=1'];
  assert.equal(panelColumns(long), 2);
  const cells = long.flatMap((panel, i) => [1, 3].flatMap((depth) => ['none', 'sdae'].map((arm) => cell({ panel, 'model.depth': depth, 'pretrain.kind': arm }, [0.05 + 0.01 * i, 0.06 + 0.01 * i]))));
  const chart = errorVsFactorChart(cells, 'model.depth', 'pretrain.kind')!;
  const doc = svgOf(chart.svg);
  assert.equal(doc.querySelectorAll(chart.markSelector).length, 5 * 2 * 2, 'every cell still has its dot');
  const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent);
  for (const p of long) assert.ok(texts.includes(`panel=${p}`), `the panel ${p} has its title`);
  assert.match(chart.svg, /height="780"/, '3 rows of 2 panels: 60 + 3 x 240 pixels high');
});
