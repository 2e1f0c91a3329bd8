/**
 * Test error against a numeric scientific factor (Erhan et al. 2010, Figure 9: layer size; also
 * Section 7.5's penalty strengths): one line per arm (e.g. none / sdae / dbn), one panel per level
 * of the remaining factors (e.g. depth), a dot at each cell's mean test error over seeds and an
 * error bar of height two standard deviations (mean +- 1 std), as the paper draws Figure 9.
 * Levels spanning a decade or more get a log x axis; a level 0 (no penalty) then sits one
 * decade left of the smallest positive level, its tick labelled 0.
 */
import * as Plot from '@observablehq/plot';
import { settingLabel, shortKey } from '../experiments/expand.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { Chart } from './charts.ts';
import { plotToSvg } from './plot-svg.ts';
import { LOG_AXIS_RATIO, valueAxis, valueAxisMarks, valueScaleOptions } from './value-axis.ts';

/** Tableau 10, as the curve charts: the baseline arm first. */
const ARM_COLORS = ['#4e79a7', '#e15759', '#59a14f', '#f28e2c', '#af7aa1', '#76b7b2', '#edc949', '#ff9da7', '#9c755f', '#bab0ab'];

/** Where one cell sits in the figure. */
export interface FactorPoint {
  cell: CellSummary;
  /** The cell's level of the x factor. */
  x: number;
  /** Its level of the arm factor (`all` without one). */
  arm: string;
  /** The label of its other factors' levels (`(all)` when there are none). */
  panel: string;
}

/** Places each cell: x level, arm, panel (the other factors). Cells whose x level is not a number are left out. */
export function factorPoints(cells: readonly CellSummary[], xKey: string, armFactor: string | null): FactorPoint[] {
  const out: FactorPoint[] = [];
  for (const c of cells) {
    const x = c.cell[xKey];
    if (typeof x !== 'number') continue;
    const { [xKey]: _x, ...rest } = c.cell;
    let arm = 'all';
    if (armFactor && armFactor in rest) {
      const { [armFactor]: a, ...others } = rest;
      arm = typeof a === 'string' ? a : JSON.stringify(a);
      out.push({ cell: c, x, arm, panel: settingLabel(others) });
    } else out.push({ cell: c, x, arm, panel: settingLabel(rest) });
  }
  return out;
}

/** The x axis of the chart: where each level is drawn and how its tick reads. */
export interface FactorAxis {
  log: boolean;
  /** Levels in ascending order. */
  levels: number[];
  /** Drawing position of a level (0 moves left of the smallest positive level on a log axis). */
  position: (level: number) => number;
}

/** Log when the positive levels span a decade or more (largest / smallest >= 10): 25-800 units, penalties 0, 1e-4, 1e-3. */
export function factorAxis(levels: readonly number[]): FactorAxis {
  const sorted = [...new Set(levels)].sort((a, b) => a - b);
  const positive = sorted.filter((v) => v > 0);
  const log = positive.length >= 2 && positive.at(-1)! / positive[0]! >= 10 && sorted.every((v) => v >= 0);
  const zeroAt = log ? positive[0]! / 10 : 0;
  return { log, levels: sorted, position: (v) => (log && v === 0 ? zeroAt : v) };
}

/**
 * How many panels share a row: all of them while the longest panel label fits its panel's width
 * (about `charPx` pixels a character at the chart's 12px font), else fewer, the rest wrapped into
 * further rows (a study of several factors besides x, e.g. dataset x arm x labelled fraction).
 */
export function panelColumns(panels: readonly string[], width = 800, charPx = 6.6): number {
  const longest = Math.max(0, ...panels.map((p) => p.length));
  let cols = Math.max(1, panels.length);
  while (cols > 1 && longest * charPx > width / cols) cols--;
  return cols;
}

const formatLevel = (v: number): string => (v !== 0 && (Math.abs(v) < 0.01 || Math.abs(v) >= 1e5) ? v.toExponential(0) : String(Number(v.toPrecision(6))));

/**
 * The chart for one x factor; null when no cell has a numeric level of it and data. The arms are
 * nudged apart along x (a few percent of the axis) so their error bars do not hide each other.
 */
export function errorVsFactorChart(cells: readonly CellSummary[], xKey: string, armFactor: string | null): Chart | null {
  const points = factorPoints(cells, xKey, armFactor).filter((p) => p.cell.test.n > 0);
  if (points.length === 0) return null;
  const axis = factorAxis(points.map((p) => p.x));
  const arms = [...new Set(points.map((p) => p.arm))];
  const panels = [...new Set(points.map((p) => p.panel))];
  const positions = axis.levels.map(axis.position);
  const span = axis.log ? Math.log(positions.at(-1)! / positions[0]!) : positions.at(-1)! - positions[0]!;
  const nudge = (pos: number, arm: string): number => {
    const k = arms.indexOf(arm) - (arms.length - 1) / 2;
    const step = 0.012 * (span || 1);
    return axis.log ? pos * Math.exp(k * step) : pos + k * step;
  };
  const cols = panelColumns(panels);
  const wrap = cols < panels.length;
  const gridRows = Math.ceil(panels.length / cols);
  const at = (panel: string): { col: number; row: number } => ({ col: panels.indexOf(panel) % cols, row: Math.floor(panels.indexOf(panel) / cols) });
  const rows = points.map((p) => {
    const m = 100 * p.cell.test.mean, s = 100 * p.cell.test.std;
    return { arm: p.arm, panel: p.panel, ...at(p.panel), x: nudge(axis.position(p.x), p.arm), level: p.x, mean: m, lo: m - s, hi: m + s, n: p.cell.test.n };
  });
  // Wrapped panels: a grid (fx column, fy row) with each panel's label as a title above it.
  const fx = wrap ? 'col' : 'panel';
  const facets = wrap ? { fy: 'row' as const } : {};
  rows.sort((a, b) => a.level - b.level);
  const yAxis = valueAxis([...rows.map((r) => r.lo), ...rows.map((r) => r.hi)].filter((v) => v > 0), 'test error (%)');
  const xName = shortKey(xKey);
  const pad = axis.log ? Math.exp(0.06 * span) : 0.06 * (span || 1);
  const xDomain: [number, number] = axis.log ? [positions[0]! / pad, positions.at(-1)! * pad] : [positions[0]! - pad, positions.at(-1)! + pad];
  const labelOf = new Map(positions.map((p, i) => [p, formatLevel(axis.levels[i]!)]));
  const svg = plotToSvg({
    width: 860,
    height: wrap ? 60 + 240 * gridRows : 380,
    marginLeft: 56,
    marginBottom: 44,
    ...(wrap ? { marginTop: 36 } : {}),
    style: { fontSize: '12px' },
    fx: wrap ? { label: null, axis: null, padding: 0.12 } : { label: null, domain: panels, axis: panels.length > 1 ? 'top' : null },
    ...(wrap ? { fy: { label: null, axis: null, padding: 0.22 } } : {}),
    // Plot labels only some ticks of a log axis: draw the axis as a mark, every level labelled.
    x: { type: axis.log ? 'log' : 'linear', domain: xDomain, axis: null },
    y: yAxis.type === 'log' ? valueScaleOptions(yAxis) : { label: yAxis.label, grid: true, nice: true },
    color: { domain: arms, range: arms.map((_, i) => ARM_COLORS[i % ARM_COLORS.length]!), legend: arms.length > 1 },
    marks: [
      ...valueAxisMarks(yAxis, 'y'),
      Plot.axisX(positions, { text: (v: number) => labelOf.get(v) ?? formatLevel(v), label: `${xName}${axis.log ? ', log scale' : ''}` }),
      ...(wrap ? [Plot.text(panels.map((panel) => ({ panel, ...at(panel) })), { fx: 'col', fy: 'row', text: 'panel', frameAnchor: 'top', dy: -12, fontWeight: 600 })] : []),
      Plot.ruleX(rows, { fx, ...facets, x: 'x', y1: 'lo', y2: 'hi', stroke: 'arm', strokeWidth: 1.4, className: 'm-errorbar' }),
      Plot.line(rows, { fx, ...facets, x: 'x', y: 'mean', z: 'arm', stroke: 'arm', strokeWidth: 1.6 }),
      Plot.dot(rows, { fx, ...facets, x: 'x', y: 'mean', fill: 'arm', r: 3.5, className: 'm-mean', title: (r: (typeof rows)[number]) => `${r.arm}${r.panel === '(all)' ? '' : ` ${r.panel}`} ${xName}=${formatLevel(r.level)}: ${r.mean.toFixed(2)}% +- ${(r.hi - r.mean).toFixed(2)} (n=${r.n})` }),
    ],
  });
  return {
    id: `chart-error-vs-${xName.replace(/[^a-zA-Z0-9-]/g, '-')}`,
    title: `Test error vs ${xName}`,
    caption: `Mean test error over the evaluation seeds of each cell's selected setting against ${xName}, one line per ${armFactor ? shortKey(armFactor) : 'cell group'} level${panels.length > 1 ? ', one panel per level of the other factors' : ''}. Error bars have a height of two standard deviations over seeds (mean +- 1 std), as in Erhan et al. 2010, Fig. 9; the arms are nudged apart along x.${axis.log ? ` Log x axis: the levels span a decade or more${axis.levels[0] === 0 ? '; 0 is drawn a decade left of the smallest positive level' : ''}.` : ''}${yAxis.type === 'log' ? ` Log y axis: the errors span a factor of ${LOG_AXIS_RATIO} or more.` : ''}`,
    svg,
    markSelector: '.m-mean circle',
    marks: rows.length,
  };
}
