import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHTML } from 'linkedom';
import type { Setting } from '../../src/experiments/expand.ts';
import type { CellSummary } from '../../src/experiments/select.ts';
import type { TrialRecord } from '../../src/experiments/store.ts';
import { boxplotChart, curveChart, histogramChart } from '../../src/report/charts.ts';
import { spreadLabels } from '../../src/report/label-layout.ts';
import { logTicks, valueAxis } from '../../src/report/value-axis.ts';

/** A cell whose one record has the given validation error (fraction) after each fine-tuning epoch. */
function cell(depth: number, pretrain: string, curve: number[]): CellSummary {
  const history = curve.map((v, i) => ({ phase: 'finetune', epoch: i + 1, seconds: 0, values: { validError: v, trainNll: 2.3 * v } }));
  const record = { status: 'done', seed: 1, result: { history } } as unknown as TrialRecord;
  const final = curve.at(-1)!;
  const c: Setting = { 'model.depth': depth, 'pretrain.kind': pretrain };
  return {
    cell: c, label: `depth=${depth} pretrain=${pretrain}`, chosen: {}, candidates: [], selection: 'none', selectionSeeds: [1, 2, 3], evaluationSeeds: [1, 2, 3], nDiverged: 0, nMissing: 0, records: [record],
    test: { mean: final, std: 0, n: 3, values: [final, final * 1.02, final * 0.98], seeds: [1, 2, 3] }, valid: { mean: final, std: 0 },
  };
}

/** Six curves as a quick depth run draws them: five converge to 8.7-15.8%, one stays at chance. */
const decay = (from: number, to: number): number[] => Array.from({ length: 10 }, (_, e) => to + (from - to) * Math.exp(-e / 2));
const CELLS = [
  cell(1, 'none', decay(0.26, 0.113)), cell(1, 'sdae', decay(0.22, 0.087)),
  cell(2, 'none', decay(0.84, 0.158)), cell(2, 'sdae', decay(0.27, 0.105)),
  cell(3, 'none', decay(0.9, 0.867)), cell(3, 'sdae', decay(0.33, 0.125)),
];

const svgOf = (svg: string): Document => parseHTML(`<!DOCTYPE html><html><body>${svg}</body></html>`).document as unknown as Document;
/** The y (pixels) of a text mark's `transform="translate(x,y)"`. */
const textY = (t: Element): number => Number(/translate\([^,]+,([^)]+)\)/.exec(t.getAttribute('transform')!)![1]);

test('the end-of-line labels of a curve chart never overlap: their y positions differ by at least the font height', () => {
  for (const metric of ['validError', 'trainNll']) {
    const chart = curveChart(CELLS, metric, metric, 'pretrain.kind')!;
    const doc = svgOf(chart.svg);
    const labels = [...doc.querySelectorAll('g[aria-label="text"] text')];
    assert.equal(labels.length, CELLS.length, 'one label per line');
    const font = Number(labels[0]!.closest('g')!.getAttribute('font-size') ?? 10);
    const ys = labels.map(textY).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! - ys[i - 1]! >= font, `${metric}: labels at y=${ys[i - 1]} and y=${ys[i]} overlap (font ${font}px)`);
  }
});

test('a curve chart whose values span a factor of 10 uses a log axis that says so, and the converged curves spread over a fifth of the plot height or more', () => {
  const chart = curveChart(CELLS, 'validError', 'validation error (%)', 'pretrain.kind')!;
  const doc = svgOf(chart.svg);
  assert.match(doc.querySelector('g[aria-label="y-axis label"]')!.textContent!, /log scale/);
  const ticks = [...doc.querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => t.textContent);
  assert.deepEqual(ticks, ['10', '15', '20', '30', '50', '70'], 'every tick of the log axis is labelled');
  const ends = [...doc.querySelectorAll('.m-curve path')].map((p) => Number(/,([\d.]+)$/.exec(p.getAttribute('d')!)![1]));
  const plotHeight = Number(doc.querySelector('svg')!.getAttribute('height')) - 60;
  const converged = ends.sort((a, b) => a - b).slice(1); // all but the line stuck at chance (top)
  const spread = Math.max(...converged) - Math.min(...converged);
  assert.ok(spread >= 0.2 * plotHeight, `the five converged curves end within ${spread.toFixed(0)} px of ${plotHeight}`);
});

test('valueAxis is log when positive data span LOG_AXIS_RATIO or more, else linear over the data (not from zero)', () => {
  assert.equal(valueAxis([8.7, 12, 90], 'e').type, 'log');
  assert.equal(valueAxis([8.7, 12, 90], 'e').label, 'e, log scale');
  const lin = valueAxis([8.7, 12, 15], 'e');
  assert.equal(lin.type, 'linear');
  assert.ok(lin.domain[0] > 8 && lin.domain[1] < 16, `zoomed to the data: ${lin.domain}`);
  assert.equal(valueAxis([0, 0.5, 90], 'e').type, 'linear', 'zero has no log');
  assert.deepEqual(logTicks([8.3, 94]), [10, 15, 20, 30, 50, 70]);
  assert.deepEqual(logTicks([0.11, 2.5]), [0.15, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2]);
  assert.deepEqual(logTicks([0.004, 2.5]), [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2], 'sparser over more decades');
});

test('spreadLabels keeps the labels in order, at least the gap apart, moved no further than needed and inside the plot when they fit', () => {
  assert.deepEqual(spreadLabels([100, 101, 102], 12, 0, 300), [100, 112, 124]);
  assert.deepEqual(spreadLabels([299, 300], 12, 0, 300), [288, 300]);
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 300, noNaN: true }), { maxLength: 20 }), (ys) => {
      const pos = spreadLabels(ys, 12, 0, 300);
      const order = ys.map((y, i) => i).sort((a, b) => ys[a]! - ys[b]! || a - b);
      for (let k = 1; k < order.length; k++) assert.ok(pos[order[k]!]! - pos[order[k - 1]!]! >= 12 - 1e-9);
      if (12 * (ys.length - 1) <= 300) assert.ok(pos.every((p) => p >= -1e-9 && p <= 300 + 1e-9));
      // Labels that were already apart do not move.
      if (order.every((i, k) => k === 0 || ys[i]! - ys[order[k - 1]!]! >= 12)) assert.deepEqual(pos, ys);
    }),
  );
});

test('box plots and histograms of errors that span a factor of 10 use a log axis: one cell stuck at chance does not squeeze the others', () => {
  const box = svgOf(boxplotChart(CELLS, 'pretrain.kind').svg);
  assert.match(box.querySelector('g[aria-label="y-axis label"]')!.textContent!, /log scale/);
  const hist = histogramChart(CELLS, 'pretrain.kind');
  const doc = svgOf(hist.svg);
  assert.match(doc.querySelector('g[aria-label="x-axis label"]')!.textContent!, /log scale/);
  const counts = [...doc.querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => t.textContent);
  assert.deepEqual(counts, ['0', '1', '2', '3'], 'whole seed counts, each once');
  // The converged cells (8.7-15.8%) fall in several bins, not all in the first one of a linear axis.
  const ranges = new Set([...doc.querySelectorAll('.m-bin rect title')].map((t) => /\[[^)]+\)/.exec(t.textContent!)![0]));
  assert.ok(ranges.size >= 4, `the six cells fall in ${ranges.size} distinct bins: ${[...ranges].join(' ')}`);
});
