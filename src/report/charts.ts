/**
 * The report's charts (Erhan et al. 2010, Fig. 1-2 and per-epoch curves), each rendered to inline
 * SVG with a stable id, the CSS selector of its data marks and their expected count, so a browser
 * test can check that every chart drew all of its data.
 */
import * as Plot from '@observablehq/plot';
import { settingLabel, type Setting } from '../experiments/expand.ts';
import type { CellSummary } from '../experiments/select.ts';
import { mean } from '../stats/descriptive.ts';
import { plotToSvg } from './plot-svg.ts';

/** One rendered chart. */
export interface Chart {
  /** Stable element id, e.g. `chart-test-error-boxplot`. */
  id: string;
  title: string;
  caption: string;
  svg: string;
  /** Selector (inside the chart) of the elements that represent data, and how many there must be. */
  markSelector: string;
  marks: number;
}

/** Splits a cell into its comparison group (e.g. `sdae`) and the rest (e.g. `depth=2`). */
export function splitCell(cell: Setting, factor: string | null): { group: string; x: string } {
  if (!factor || !(factor in cell)) return { group: 'all', x: settingLabel(cell) };
  const { [factor]: g, ...rest } = cell;
  return { group: typeof g === 'string' ? g : JSON.stringify(g), x: settingLabel(rest) };
}

const COLORS = ['#d1495b', '#00798c', '#edae49', '#66a182', '#2e4057', '#8d96a3'];

function colorScale(groups: string[]): { domain: string[]; range: string[]; legend: boolean } {
  return { domain: groups, range: groups.map((_, i) => COLORS[i % COLORS.length]!), legend: true };
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Fig. 1: box plots of test error over seeds, one panel per group, one box per other-factor level. */
export function boxplotChart(cells: readonly CellSummary[], factor: string | null): Chart {
  const rows = cells.flatMap((c) => {
    const { group, x } = splitCell(c.cell, factor);
    return c.test.values.map((e, i) => ({ group, x, error: 100 * e, seed: c.test.seeds[i]! }));
  });
  const groups = uniq(rows.map((r) => r.group));
  const xs = uniq(cells.map((c) => splitCell(c.cell, factor).x));
  // Long level names (three or more factors) would overlap: slant them and make room below.
  const longest = Math.max(0, ...xs.map((x) => x.length));
  const slant = longest * xs.length * groups.length > 90;
  const svg = plotToSvg({
    width: 860,
    height: slant ? 360 + 5 * longest : 360,
    // A slanted label runs down-left from its tick: the first one needs room on the left too.
    marginLeft: slant ? Math.max(56, Math.round(4.5 * longest)) : 56,
    marginBottom: slant ? 20 + 5.5 * longest : 40,
    style: { fontSize: '12px' },
    fx: { label: factor ?? null, domain: groups },
    x: { label: null, domain: xs, padding: 0.35, ...(slant ? { tickRotate: -35 } : {}) },
    y: { label: 'test error (%)', grid: true, nice: true },
    color: colorScale(groups),
    marks: [
      Plot.boxY(rows, { fx: 'group', x: 'x', y: 'error', fill: 'group', fillOpacity: 0.2, stroke: 'group', r: 0 }),
      Plot.dot(rows, { fx: 'group', x: 'x', y: 'error', stroke: 'group', fill: 'white', fillOpacity: 0.6, r: 3, strokeWidth: 1.2, className: 'm-trial', title: (d: (typeof rows)[number]) => `${d.group} ${d.x} seed ${d.seed}: ${d.error.toFixed(2)}%` }),
    ],
  });
  return {
    id: 'chart-test-error-boxplot',
    title: 'Test error over seeds',
    caption: 'Box plots of test classification error of the selected hyperparameters, one dot per seed (cf. Erhan et al. 2010, Fig. 1). Boxes: quartiles; whiskers: 1.5 IQR.',
    svg,
    markSelector: '.m-trial circle',
    marks: rows.length,
  };
}

/** Fig. 2: histograms of test error over seeds, groups overlaid, one panel per other-factor level. */
export function histogramChart(cells: readonly CellSummary[], factor: string | null): Chart {
  const all = cells.flatMap((c) => c.test.values.map((v) => 100 * v));
  const lo = Math.min(...all), hi = Math.max(...all);
  const nMax = Math.max(1, ...cells.map((c) => c.test.n));
  const nBins = Math.min(30, Math.max(6, Math.ceil(Math.sqrt(nMax)) + 4));
  const width = hi > lo ? (hi - lo) / nBins : 0.1;
  const bins: { group: string; x: string; x1: number; x2: number; count: number }[] = [];
  for (const c of cells) {
    const { group, x } = splitCell(c.cell, factor);
    const counts = new Array<number>(nBins).fill(0);
    for (const v of c.test.values) counts[Math.min(nBins - 1, Math.floor((100 * v - lo) / width))]!++;
    counts.forEach((count, i) => {
      if (count > 0) bins.push({ group, x, x1: lo + i * width, x2: lo + (i + 1) * width, count });
    });
  }
  const groups = uniq(bins.map((b) => b.group));
  const panels = uniq(cells.map((c) => splitCell(c.cell, factor).x));
  const svg = plotToSvg({
    width: 860,
    height: 110 + 120 * Math.ceil(panels.length / 3),
    marginLeft: 44,
    style: { fontSize: '12px' },
    fx: { label: null, domain: panels },
    x: { label: 'test error (%)', nice: false },
    y: { label: 'seeds', grid: true },
    color: colorScale(groups),
    marks: [
      Plot.rectY(bins, { fx: 'x', x1: 'x1', x2: 'x2', y1: 0, y2: 'count', fill: 'group', fillOpacity: 0.55, inset: 0.5, className: 'm-bin', title: (b: (typeof bins)[number]) => `${b.group} ${b.x}: ${b.count} seed(s) in [${b.x1.toFixed(2)}, ${b.x2.toFixed(2)})%` }),
      Plot.ruleY([0]),
    ],
  });
  return {
    id: 'chart-test-error-histogram',
    title: 'Distribution of test error',
    caption: 'Histograms of test error over seeds, with and without pre-training overlaid (cf. Erhan et al. 2010, Fig. 2).',
    svg,
    markSelector: '.m-bin rect',
    marks: bins.length,
  };
}

/** Mean over the chosen seeds of one fine-tuning metric per epoch, one line per cell. */
export function curveChart(cells: readonly CellSummary[], metric: string, label: string, factor: string | null): Chart | null {
  const rows: { cell: string; epoch: number; value: number; group: string }[] = [];
  for (const c of cells) {
    const byEpoch = new Map<number, number[]>();
    for (const r of c.records) {
      for (const m of r.result?.history ?? []) {
        const v = m.values[metric];
        if (m.phase !== 'finetune' || v === undefined || !Number.isFinite(v)) continue;
        let a = byEpoch.get(m.epoch);
        if (!a) byEpoch.set(m.epoch, (a = []));
        a.push(v);
      }
    }
    const group = splitCell(c.cell, factor).group;
    for (const [epoch, vs] of [...byEpoch.entries()].sort((a, b) => a[0] - b[0])) rows.push({ cell: c.label, epoch, value: metric.endsWith('Error') ? 100 * mean(vs) : mean(vs), group });
  }
  if (rows.length === 0) return null;
  const lines = uniq(rows.map((r) => r.cell));
  const svg = plotToSvg({
    width: 860,
    height: 340,
    marginLeft: 56,
    marginRight: 140,
    style: { fontSize: '12px' },
    x: { label: 'fine-tuning epoch', grid: true },
    y: { label, grid: true },
    color: { domain: lines, scheme: 'tableau10', legend: false },
    marks: [
      Plot.line(rows.filter((r) => r.group !== 'none'), { x: 'epoch', y: 'value', z: 'cell', stroke: 'cell', strokeWidth: 1.8, className: 'm-curve' }),
      Plot.line(rows.filter((r) => r.group === 'none'), { x: 'epoch', y: 'value', z: 'cell', stroke: 'cell', strokeWidth: 1.8, strokeDasharray: '5,3', className: 'm-curve' }),
      Plot.text(rows, Plot.selectLast({ x: 'epoch', y: 'value', z: 'cell', text: 'cell', fill: 'cell', textAnchor: 'start', dx: 5, fontSize: 10 })),
    ],
  });
  return {
    id: `chart-curves-${metric}`,
    title: `${label} per epoch`,
    caption: `Mean over the selected seeds of ${label} after each fine-tuning epoch, one line per cell${factor ? ' (dashed: no pre-training)' : ''}.`,
    svg,
    markSelector: '.m-curve path',
    marks: lines.length,
  };
}
