/**
 * The report's charts (Erhan et al. 2010, Fig. 1-2 and per-epoch curves), each rendered to inline
 * SVG with a stable id, the CSS selector of its data marks and their expected count, so a browser
 * test can check that every chart drew all of its data.
 */
import * as Plot from '@observablehq/plot';
import { settingLabel, type Setting } from '../experiments/expand.ts';
import type { CellSummary } from '../experiments/select.ts';
import { mean } from '../stats/descriptive.ts';
import { spreadLabels } from './label-layout.ts';
import { plotToSvg } from './plot-svg.ts';
import { LOG_AXIS_RATIO, valueAxis, valueAxisMarks, valueScaleOptions } from './value-axis.ts';

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
/** Tableau 10: distinct hues for up to ten lines. */
const CURVE_COLORS = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'];

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
  const axis = valueAxis(rows.map((r) => r.error), 'test error (%)');
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
    y: axis.type === 'log' ? valueScaleOptions(axis) : { label: axis.label, grid: true, nice: true },
    color: colorScale(groups),
    marks: [
      ...valueAxisMarks(axis, 'y'),
      Plot.boxY(rows, { fx: 'group', x: 'x', y: 'error', fill: 'group', fillOpacity: 0.2, stroke: 'group', r: 0 }),
      Plot.dot(rows, { fx: 'group', x: 'x', y: 'error', stroke: 'group', fill: 'white', fillOpacity: 0.6, r: 3, strokeWidth: 1.2, className: 'm-trial', title: (d: (typeof rows)[number]) => `${d.group} ${d.x} seed ${d.seed}: ${d.error.toFixed(2)}%` }),
    ],
  });
  return {
    id: 'chart-test-error-boxplot',
    title: 'Test error over seeds',
    caption: `Box plots of test classification error of the selected hyperparameters, one dot per seed (cf. Erhan et al. 2010, Fig. 1). Boxes: quartiles; whiskers: 1.5 IQR.${axis.type === 'log' ? ` Log scale: the errors span a factor of ${LOG_AXIS_RATIO} or more.` : ''}`,
    svg,
    markSelector: '.m-trial circle',
    marks: rows.length,
  };
}

/**
 * Fig. 2: histograms of test error over seeds, one panel per other-factor level, the arms side by
 * side inside each bin (not overlaid, so no colour blends into another). Errors that span orders
 * of magnitude are binned on a log axis (see `valueAxis`), so one cell stuck at chance does not put
 * every other cell into one bin.
 */
export function histogramChart(cells: readonly CellSummary[], factor: string | null): Chart {
  const all = cells.flatMap((c) => c.test.values.map((v) => 100 * v));
  const axis = valueAxis(all, 'test error (%)');
  const log = axis.type === 'log';
  const t = (v: number): number => (log ? Math.log10(v) : v);
  const inv = (u: number): number => (log ? 10 ** u : u);
  const lo = t(Math.min(...all)), hi = t(Math.max(...all));
  const nMax = Math.max(1, ...cells.map((c) => c.test.n));
  const nBins = Math.min(30, Math.max(10, Math.ceil(Math.sqrt(nMax)) + 6));
  const width = hi > lo ? (hi - lo) / nBins : log ? 0.01 : 0.1;
  const groups = uniq(cells.map((c) => splitCell(c.cell, factor).group));
  const bins: { group: string; x: string; x1: number; x2: number; count: number; from: number; to: number }[] = [];
  for (const c of cells) {
    const { group, x } = splitCell(c.cell, factor);
    const g = groups.indexOf(group);
    const counts = new Array<number>(nBins).fill(0);
    for (const v of c.test.values) counts[Math.min(nBins - 1, Math.floor((t(100 * v) - lo) / width))]!++;
    counts.forEach((count, i) => {
      if (count === 0) return;
      const a = lo + i * width;
      // This arm's slice of the bin.
      const s = width / groups.length;
      bins.push({ group, x, x1: inv(a + g * s), x2: inv(a + (g + 1) * s), count, from: inv(a), to: inv(a + width) });
    });
  }
  const panels = uniq(cells.map((c) => splitCell(c.cell, factor).x));
  // Whole seeds only: 0, step, 2 step, ... up to the tallest bar.
  const top = Math.max(1, ...bins.map((b) => b.count));
  const step = Math.ceil(top / 6);
  const countTicks = Array.from({ length: Math.floor(top / step) + 1 }, (_, i) => i * step);
  const xDomain: [number, number] = [Math.min(inv(lo), axis.domain[0]), Math.max(inv(lo + nBins * width), axis.domain[1])];
  const svg = plotToSvg({
    width: 860,
    height: 110 + 120 * Math.ceil(panels.length / 3),
    marginLeft: 44,
    style: { fontSize: '12px' },
    fx: { label: null, domain: panels, axis: 'top' },
    x: log ? valueScaleOptions({ ...axis, domain: xDomain }) : { label: axis.label, domain: xDomain, nice: false },
    y: { label: 'seeds', grid: true, ticks: countTicks, tickFormat: 'd' },
    color: colorScale(groups),
    marks: [
      ...valueAxisMarks(axis, 'x', xDomain),
      Plot.rectY(bins, { fx: 'x', x1: 'x1', x2: 'x2', y1: 0, y2: 'count', fill: 'group', fillOpacity: 0.75, insetLeft: 0.5, insetRight: 0.5, className: 'm-bin', title: (b: (typeof bins)[number]) => `${b.group} ${b.x}: ${b.count} seed(s) in [${b.from.toFixed(2)}, ${b.to.toFixed(2)})%` }),
      Plot.ruleY([0]),
    ],
  });
  return {
    id: 'chart-test-error-histogram',
    title: 'Distribution of test error',
    caption: `Histograms of test error over seeds, with and without pre-training side by side in each bin (cf. Erhan et al. 2010, Fig. 2).${log ? ` Log scale, log-width bins: the errors span a factor of ${LOG_AXIS_RATIO} or more.` : ''}`,
    svg,
    markSelector: '.m-bin rect',
    marks: bins.length,
  };
}

/** Pixel geometry of the curve charts (the end labels are laid out in it). */
const CURVES = { width: 860, height: 360, marginTop: 24, marginRight: 170, marginBottom: 36, marginLeft: 56, labelFont: 11 };

/**
 * Mean over the chosen seeds of one fine-tuning metric per epoch, one line per cell: the colour
 * names the other factors' level (e.g. depth), a dashed line is the comparison's baseline arm (no
 * pre-training). Each line is labelled at its end, labels nudged apart so none overlaps; data that
 * span orders of magnitude get a log axis (see `valueAxis`).
 */
export function curveChart(cells: readonly CellSummary[], metric: string, label: string, factor: string | null): Chart | null {
  const rows: { cell: string; epoch: number; value: number; group: string; x: string }[] = [];
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
    const { group, x } = splitCell(c.cell, factor);
    for (const [epoch, vs] of [...byEpoch.entries()].sort((a, b) => a[0] - b[0])) rows.push({ cell: c.label, epoch, value: metric.endsWith('Error') ? 100 * mean(vs) : mean(vs), group, x });
  }
  if (rows.length === 0) return null;
  const lines = uniq(rows.map((r) => r.cell));
  const levels = uniq(rows.map((r) => r.x));
  const epochs = uniq(rows.map((r) => r.epoch)).sort((a, b) => a - b);
  // Colour by the other factors' level when the arms share it (depth=2 with and without
  // pre-training in one colour), else one colour per line.
  const colorBy = factor && levels.length < lines.length ? 'x' : 'cell';
  const colorDomain = colorBy === 'x' ? levels : lines;
  const axis = valueAxis(rows.map((r) => r.value), label);
  const { width, height, marginTop, marginRight, marginBottom, marginLeft, labelFont } = CURVES;
  const yRange: [number, number] = [height - marginBottom, marginTop];
  const y = Plot.scale({ y: { type: axis.type, domain: axis.domain, range: yRange } });
  const ends = lines.map((cell) => rows.filter((r) => r.cell === cell).at(-1)!);
  const labelY = spreadLabels(ends.map((e) => y.apply(e.value) as number), labelFont + 1, marginTop, height - marginBottom);
  const labels = ends.map((e, i) => ({ ...e, at: y.invert!(labelY[i]!) as number }));
  const dashed = (r: { group: string }): boolean => factor !== null && r.group === 'none';
  const svg = plotToSvg({
    width,
    height,
    marginTop,
    marginRight,
    marginBottom,
    marginLeft,
    style: { fontSize: '12px' },
    x: { label: 'fine-tuning epoch', grid: true, ...(epochs.length <= 15 ? { ticks: epochs, tickFormat: 'd' } : {}) },
    y: { ...valueScaleOptions(axis), range: yRange, grid: axis.type === 'linear' },
    color: { domain: colorDomain, range: colorDomain.map((_, i) => CURVE_COLORS[i % CURVE_COLORS.length]!), legend: false },
    marks: [
      ...valueAxisMarks(axis, 'y'),
      Plot.line(rows.filter((r) => !dashed(r)), { x: 'epoch', y: 'value', z: 'cell', stroke: colorBy, strokeWidth: 1.8, className: 'm-curve' }),
      Plot.line(rows.filter(dashed), { x: 'epoch', y: 'value', z: 'cell', stroke: colorBy, strokeWidth: 1.8, strokeDasharray: '5,3', className: 'm-curve' }),
      Plot.text(labels, { x: 'epoch', y: 'at', text: 'cell', fill: colorBy, textAnchor: 'start', dx: 6, fontSize: labelFont, className: 'm-end-label' }),
    ],
  });
  return {
    id: `chart-curves-${metric}`,
    title: `${label} per epoch`,
    caption: `Mean over the selected seeds of ${label} after each fine-tuning epoch, one line per cell, labelled at its end${factor ? '; dashed: no pre-training' : ''}${colorBy === 'x' ? ', one colour per level of the other factors' : ''}${axis.type === 'log' ? `. Log scale: the values span a factor of ${LOG_AXIS_RATIO} or more, so a linear axis would squeeze the lower curves together` : ''}.`,
    svg,
    markSelector: '.m-curve path',
    marks: lines.length,
  };
}
