/**
 * The report's "Weight change during fine-tuning" section (Erhan et al. 2010, Section 6.2, the
 * reading of Fig. 3 made a number): per cell and hidden layer, the fraction of weights whose sign
 * changed and `||W_after - W_before|| / ||W_before||`, mean and standard deviation over seeds
 * (from each record's `result.analysis.weightChange`), as a table and a dot chart (one dot per
 * seed and layer). The paper: pre-trained weights barely move, and the first layer least.
 */
import * as Plot from '@observablehq/plot';
import type { CellSummary } from '../experiments/select.ts';
import type { LayerWeightChange } from '../analysis/weight-change.ts';
import { mean, std } from '../stats/descriptive.ts';
import { splitCell, type Chart } from './charts.ts';
import { html, type Html } from './html.ts';
import { plotToSvg } from './plot-svg.ts';

/** One seed's change of one layer in one cell. */
interface Point {
  cell: string;
  group: string;
  x: string;
  seed: number;
  layer: number;
  signChange: number;
  relativeChange: number;
  absoluteChange: number;
}

/** The `analysis.weightChange` of a record, or null when it has none (or not in the expected shape). */
function changesOf(result: unknown): LayerWeightChange[] | null {
  const wc = (result as { analysis?: { weightChange?: unknown } } | null)?.analysis?.weightChange;
  if (!Array.isArray(wc)) return null;
  return wc.every((l) => typeof l?.layer === 'number' && typeof l?.signChange === 'number' && typeof l?.relativeChange === 'number') ? (wc as LayerWeightChange[]) : null;
}

/** Every (cell, seed, layer) point of the cells' chosen records. */
export function weightChangePoints(cells: readonly CellSummary[], factor: string | null): Point[] {
  return cells.flatMap((c) => {
    const { group, x } = splitCell(c.cell, factor);
    return c.records.flatMap((r) => (changesOf(r.result) ?? []).map((l) => ({ cell: c.label, group, x, seed: r.seed, layer: l.layer, signChange: l.signChange, relativeChange: l.relativeChange, absoluteChange: l.absoluteChange ?? NaN })));
  });
}

const COLORS = ['#d1495b', '#00798c', '#edae49', '#66a182', '#2e4057', '#8d96a3'];

/** Relative weight change by layer, one panel per other-factor level, one colour per arm, a dot per seed. */
export function weightChangeChart(points: readonly Point[]): Chart {
  const groups = [...new Set(points.map((p) => p.group))];
  const panels = [...new Set(points.map((p) => p.x))];
  const layers = [...new Set(points.map((p) => p.layer))].sort((a, b) => a - b);
  const svg = plotToSvg({
    width: 860,
    height: 340,
    marginLeft: 64,
    style: { fontSize: '12px' },
    fx: { label: null, domain: panels },
    x: { label: 'hidden layer', domain: [Math.min(...layers) - 0.5, Math.max(...layers) + 0.5], ticks: layers, tickFormat: 'd' },
    // the label along the axis, clear of the facet labels above the panels
    y: { label: '||W_after - W_before|| / ||W_before||', labelAnchor: 'center', labelArrow: 'none', grid: true, nice: true, zero: true },
    color: { domain: groups, range: groups.map((_, i) => COLORS[i % COLORS.length]!), legend: true },
    marks: [
      Plot.ruleY([0]),
      Plot.dot(points, {
        // the arms side by side around their layer's tick
        fx: 'x', x: (d: Point) => d.layer + (groups.indexOf(d.group) - (groups.length - 1) / 2) * 0.15, y: 'relativeChange', stroke: 'group', fill: 'group', fillOpacity: 0.5, r: 3.5,
        className: 'm-weight-change',
        title: (d: Point) => `${d.cell}, layer ${d.layer}, seed ${d.seed}: relative change ${d.relativeChange.toFixed(3)}, signs changed ${(100 * d.signChange).toFixed(2)}%`,
      }),
    ],
  });
  return {
    id: 'chart-weight-change',
    title: 'How far fine-tuning moves each layer',
    caption: 'Relative change of each hidden layer\'s weights from the start of fine-tuning (pre-trained, or the random initialisation without pre-training) to the kept network, one dot per seed (cf. Erhan et al. 2010, Section 6.2: fine-tuning barely moves pre-trained weights, the first layer least).',
    svg,
    markSelector: '.m-weight-change circle',
    marks: points.length,
  };
}

const fmt = (xs: number[], scale: number, digits: number): string =>
  xs.length === 0 ? '-' : `${(scale * mean(xs)).toFixed(digits)} ± ${(scale * std(xs)).toFixed(digits)}`;

/** The table: one row per cell and layer; and, per cell, whether layer 1 moved least. */
export function weightChangeTable(points: readonly Point[]): Html {
  const cells = [...new Set(points.map((p) => p.cell))];
  const rows = cells.flatMap((cell) => {
    const ps = points.filter((p) => p.cell === cell);
    const layers = [...new Set(ps.map((p) => p.layer))].sort((a, b) => a - b);
    const means = layers.map((l) => mean(ps.filter((p) => p.layer === l).map((p) => p.relativeChange)));
    const least = means.indexOf(Math.min(...means));
    return layers.map((l, i) => {
      const at = ps.filter((p) => p.layer === l);
      return html`<tr data-cell="${cell}" data-layer="${l}"><td>${i === 0 ? cell : ''}</td><td class="num">${l}</td><td class="num">${fmt(at.map((p) => p.signChange), 100, 2)}</td><td class="num">${fmt(at.map((p) => p.relativeChange), 1, 3)}${i === least && layers.length > 1 ? ' (least)' : ''}</td><td class="num">${fmt(at.map((p) => p.absoluteChange), 1, 2)}</td><td class="num">${at.length}</td></tr>`;
    });
  });
  return html`<table id="weight-change-table" data-rows="${points.length ? rows.length : 0}"><thead><tr><th>cell</th><th class="num">layer</th><th class="num">signs changed % (mean ± std)</th><th class="num">relative change (mean ± std)</th><th class="num">||W_after - W_before|| (mean ± std)</th><th class="num">seeds</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The paper's reading per arm: in how many of its cells layer 1 moved least, and how many signs changed at most. */
export function weightChangeReading(points: readonly Point[]): string {
  const parts: string[] = [];
  for (const group of [...new Set(points.map((p) => p.group))]) {
    const mine = points.filter((p) => p.group === group);
    let least = 0, multi = 0, maxSign = 0;
    for (const cell of [...new Set(mine.map((p) => p.cell))]) {
      const ps = mine.filter((p) => p.cell === cell);
      const layers = [...new Set(ps.map((p) => p.layer))].sort((a, b) => a - b);
      const means = layers.map((l) => mean(ps.filter((p) => p.layer === l).map((p) => p.relativeChange)));
      maxSign = Math.max(maxSign, ...layers.map((l) => mean(ps.filter((p) => p.layer === l).map((p) => p.signChange))));
      if (layers.length < 2) continue;
      multi++;
      if (means.indexOf(Math.min(...means)) === 0) least++;
    }
    parts.push(`${group}: layer 1 moved least in ${least} of ${multi} cells, at most ${(100 * maxSign).toFixed(1)}% of a layer's signs changed`);
  }
  return `${parts.join('; ')} (relative change and signs changed, means over seeds).`;
}

/** The section's parts: the chart (null without data) and the body with the table. */
export function weightChangeSection(cells: readonly CellSummary[], factor: string | null): { chart: Chart | null; body: Html } {
  const points = weightChangePoints(cells, factor);
  if (points.length === 0) return { chart: null, body: html`<p class="note">No trial recorded its weight change (switch it on with <code>analysis.weightChange</code>).</p>` };
  return {
    chart: weightChangeChart(points),
    body: html`<p class="reading" id="weight-change-reading">${weightChangeReading(points)}</p>${weightChangeTable(points)}<p class="note">Per hidden layer, from the start of fine-tuning to the kept network: the percentage of weights whose sign changed and <code>||W_after - W_before|| / ||W_before||</code>, mean ± standard deviation over seeds, and the absolute change <code>||W_after - W_before||</code> (without pre-training the relative change divides by the small norm of the random initialisation, uniform in ±1/sqrt(fan-in), so compare the arms on both). "(least)" marks the layer that moved least relatively in each cell.</p>`,
  };
}
