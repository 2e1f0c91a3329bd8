/**
 * Fig. 11 of Erhan et al. 2010 (Section 8.1, Experiment 6): online classification error against
 * examples seen, on InfiniteMNIST, one line per cell (mean over seeds, a band for the 95%
 * t-interval when there are several), log-scaled y as in the paper. The x axis counts every
 * stream example, pre-training's included, so a pre-trained arm's line starts where its
 * supervised phase does (the 0.25 mark of the paper's 2.5M + 7.5M schedule).
 *
 * Beside it, per panel (the other factors, e.g. `depth=1 hidden=2000`) and pre-trained arm, the gap
 * the paper reads off the figure: online error of the arm minus the baseline arm (no pre-training)
 * at the 25/50/75% marks of the stream and at its end, with 95% intervals over seeds; and its two
 * claims as yes/no: the pre-trained arm ends lower, and its advantage has not shrunk between the
 * middle and the end ("the pre-training advantage does not vanish as the number of training
 * examples increases, on the contrary"); and, across cells, that without pre-training the deeper
 * network ends worse and that at depth 3 SDAE ends better than DBN.
 */
import * as Plot from '@observablehq/plot';
import { Rng } from '../rng/rng.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { Chart } from './charts.ts';
import { pp } from './difference-interval.ts';
import { html, type Html } from './html.ts';
import { spreadLabels } from './label-layout.ts';
import { ARM_CHANNEL, armName, armRecords, ARM_COLORS, below, claimVerdict, onlineCurve, onlineSummary, orderArms, pctCi, seedDifference, seedMean, versusBaseline, type ArmRecords, type SeedValue } from './online-results.ts';
import type { MeanDifference } from './nll-trajectories.ts';
import { plotToSvg } from './plot-svg.ts';
import { valueAxisMarks, valueScaleOptions, type ValueAxis } from './value-axis.ts';

/** The fractions of the stream at which the table compares the arms (the end is 1). */
export const ONLINE_MARKS = [0.25, 0.5, 0.75, 1] as const;

/** One point of a cell's mean curve. */
export interface OnlineCurveRow {
  cell: string;
  arm: string;
  panel: string;
  /** Stream position (examples seen, pre-training included). */
  position: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** A record's online error at the first block ending at or after `at` (undefined when none does). */
function errorAt(r: ArmRecords['records'][number], at: number): number | undefined {
  return onlineCurve(r.result).find((p) => p.position >= at - 1e-9)?.onlineError;
}

/** The stream length of a record: `analysis.online.examples`, else the last block's position. */
function streamLength(r: ArmRecords['records'][number]): number {
  return onlineSummary(r.result)?.examples ?? onlineCurve(r.result).at(-1)?.position ?? NaN;
}

/** Mean curve (and interval) over seeds of each cell, at the block ends its seeds share. */
export function onlineCurveRows(cells: readonly ArmRecords[]): OnlineCurveRow[] {
  const rows: OnlineCurveRow[] = [];
  for (const c of cells) {
    const byPos = new Map<number, number[]>();
    for (const r of c.records) for (const p of onlineCurve(r.result)) byPos.set(p.position, [...(byPos.get(p.position) ?? []), p.onlineError]);
    for (const [position, vs] of [...byPos].sort((a, b) => a[0] - b[0])) {
      const e = seedMean(vs.map((value, i) => ({ seed: i, value })));
      rows.push({ cell: c.label, arm: c.arm, panel: c.panel, position, mean: e.mean, lo: e.lo, hi: e.hi, n: e.n });
    }
  }
  return rows;
}

/** One row of a gap table: a mark of the stream, both arms and their difference. */
export interface GapRow {
  mark: number;
  examples: number;
  baseline: { mean: number; lo: number; hi: number; n: number };
  arm: { mean: number; lo: number; hi: number; n: number };
  /** Arm minus baseline. */
  gap: MeanDifference;
}

/** The gaps of one pre-trained arm against the baseline arm in one panel. */
export interface OnlineGaps {
  panel: string;
  arm: string;
  baseline: string;
  rows: GapRow[];
  /** The arm ends with a lower online error (interval below 0 when there is one). */
  lowerAtEnd: boolean;
  /** The gap at the end is at least as large (as negative) as at the 50% mark. */
  notVanishing: boolean;
  /** Whether the verdicts rest on intervals (two or more seeds per arm) or point estimates only. */
  sure: boolean;
}

/** The gap tables of every panel and pre-trained arm (bootstrap streams forked from `Rng(0)` by panel, arm and mark). */
export function onlineGaps(cells: readonly ArmRecords[], baseline: unknown): OnlineGaps[] {
  const root = new Rng(0).fork('online-gap');
  return versusBaseline(cells, baseline, (c) => c.records.length > 0).map(({ panel, base, arm: a }) => {
    const total = Math.max(...[...a.records, ...base.records].map(streamLength));
    const values = (c: ArmRecords, at: number): SeedValue[] => c.records.flatMap((r) => {
      const value = errorAt(r, at);
      return value === undefined ? [] : [{ seed: r.seed, value }];
    });
    const rows = ONLINE_MARKS.map((mark): GapRow => {
      const at = mark * total;
      const va = values(a, at), vb = values(base, at);
      return { mark, examples: at, baseline: seedMean(vb), arm: seedMean(va), gap: seedDifference(va, vb, root.fork(panel, a.arm, mark)) };
    });
    const end = rows.at(-1)!.gap, mid = rows.find((r) => r.mark === 0.5)!.gap;
    const b = below(end);
    return { panel, arm: a.arm, baseline: base.arm, rows, lowerAtEnd: b.holds, notVanishing: b.holds && end.difference <= mid.difference, sure: b.sure };
  });
}

const millions = (x: number): string => (x >= 1e6 ? `${+(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${+(x / 1e3).toFixed(1)}k` : String(x));
const diffText = (d: MeanDifference): string => `${pp(d.difference)}${Number.isFinite(d.lo) ? ` [${pp(d.lo)}, ${pp(d.hi)}]` : ''}`;

/** `panel: ` before a claim or caption, nothing when the study has one panel (`(all)`). */
const inPanel = (panel: string): string => (panel === '(all)' ? '' : `${panel}: `);

function gapTable(g: OnlineGaps): Html {
  const rows = g.rows.map(
    (r) => html`<tr><td class="num">${r.mark === 1 ? 'end' : `${100 * r.mark}%`}</td><td class="num">${millions(r.examples)}</td><td class="num">${pctCi(r.baseline)}</td><td class="num">${pctCi(r.arm)}</td><td class="num diff${below(r.gap).holds && below(r.gap).sure ? ' better' : ''}">${diffText(r.gap)}</td><td class="num">${r.gap.n}</td></tr>`,
  );
  return html`<table class="online-gap" data-panel="${g.panel}" data-arm="${g.arm}" data-rows="${g.rows.length}"><caption>${inPanel(g.panel)}${g.arm} vs ${g.baseline}</caption><thead><tr><th class="num">mark</th><th class="num">examples seen</th><th class="num">${g.baseline} online error %</th><th class="num">${g.arm} online error %</th><th class="num">${g.arm} - ${g.baseline} (points)</th><th class="num">seeds</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function claims(gaps: readonly OnlineGaps[], ends: readonly EndComparison[]): Html {
  const items = gaps.map((g) => {
    const end = g.rows.at(-1)!, mid = g.rows.find((r) => r.mark === 0.5)!;
    return html`<li data-claim="lower-at-end" data-panel="${g.panel}" data-arm="${g.arm}" data-holds="${String(g.lowerAtEnd)}">${inPanel(g.panel)}${g.arm} ends with a lower online error than ${g.baseline} (${diffText(end.gap)} points): ${claimVerdict(g.lowerAtEnd, g.sure)}.</li><li data-claim="not-vanishing" data-panel="${g.panel}" data-arm="${g.arm}" data-holds="${String(g.notVanishing)}">${inPanel(g.panel)}${g.arm}'s advantage does not vanish with more examples (gap at the end ${pp(end.gap.difference)} vs ${pp(mid.gap.difference)} at 50%): ${claimVerdict(g.notVanishing, g.sure)}.</li>`;
  });
  return html`<ul id="online-claims">${items}${endClaims(ends)}</ul>`;
}

/** One of Fig. 11's comparisons across cells: `a` minus `b` at the end of the stream. */
export interface EndComparison {
  claim: 'deeper-worse' | 'sdae-better-deep';
  a: string;
  b: string;
  difference: MeanDifference;
  holds: boolean;
  sure: boolean;
}

/**
 * The paper's other two readings of Fig. 11, on the online error at the end of the stream: without
 * pre-training the deepest network ends worse than the shallowest ("optimization of deep networks
 * is harder than shallow ones"), and at the deepest level SDAE ends better than DBN.
 */
export function endComparisons(cells: readonly ArmRecords[], baseline: unknown): EndComparison[] {
  const root = new Rng(0).fork('online-end');
  const depth = (c: ArmRecords): number => c.records[0]?.config.model.depth ?? NaN;
  const end = (c: ArmRecords): SeedValue[] => c.records.flatMap((r) => {
    const last = onlineCurve(r.result).at(-1);
    return last ? [{ seed: r.seed, value: last.onlineError }] : [];
  });
  const withData = cells.filter((c) => c.records.length > 0 && Number.isFinite(depth(c)));
  const out: EndComparison[] = [];
  const compare = (claim: EndComparison['claim'], a: ArmRecords, b: ArmRecords, lower: boolean): void => {
    const d = seedDifference(end(a), end(b), root.fork(claim));
    const sure = Number.isFinite(d.lo);
    out.push({ claim, a: a.label, b: b.label, difference: d, holds: sure ? (lower ? d.hi < 0 : d.lo > 0) : lower ? d.difference < 0 : d.difference > 0, sure });
  };
  const base = withData.filter((c) => c.arm === String(baseline)).sort((x, y) => depth(x) - depth(y));
  if (base.length >= 2 && depth(base.at(-1)!) > depth(base[0]!)) compare('deeper-worse', base.at(-1)!, base[0]!, false);
  const deepest = Math.max(...withData.map(depth));
  const sdae = withData.find((c) => c.arm === 'sdae' && depth(c) === deepest), dbn = withData.find((c) => c.arm === 'dbn' && depth(c) === deepest);
  if (sdae && dbn && deepest > 1) compare('sdae-better-deep', sdae, dbn, true);
  return out;
}

function endClaims(ends: readonly EndComparison[]): Html {
  const say = { 'deeper-worse': 'without pre-training, the deeper network ends worse', 'sdae-better-deep': 'at the deepest level, SDAE ends better than DBN' };
  return html`${ends.map((e) => html`<li data-claim="${e.claim}" data-holds="${String(e.holds)}">${say[e.claim]} (${e.a} minus ${e.b}: ${diffText(e.difference)} points): ${claimVerdict(e.holds, e.sure)}.</li>`)}`;
}

/** Chart geometry (end labels are laid out in pixels). */
const G = { width: 860, height: 400, marginTop: 20, marginRight: 250, marginBottom: 40, marginLeft: 56, labelFont: 11 };

/** The Fig. 11 chart from the mean curves (null when there is none). */
export function onlineErrorChart(rows: readonly OnlineCurveRow[], baseline: unknown): Chart | null {
  const pts = rows.filter((r) => r.mean > 0).map((r) => ({ ...r, x: r.position, y: 100 * r.mean, y1: 100 * r.lo, y2: 100 * r.hi }));
  if (pts.length === 0) return null;
  const cells = [...new Set(pts.map((r) => r.cell))];
  const arms = orderArms(pts.map((r) => r.arm), baseline);
  const panels = [...new Set(pts.map((r) => r.panel))];
  const band = pts.filter((r) => Number.isFinite(r.y1) && r.y1 > 0 && Number.isFinite(r.y2));
  const ys = [...pts.map((r) => r.y), ...band.flatMap((r) => [r.y1, r.y2])];
  const lo = Math.min(...ys), hi = Math.max(...ys), pad = Math.pow(Math.max(hi / lo, 1.5), 0.04);
  const axis: ValueAxis = { type: 'log', domain: [lo / pad, hi * pad], label: 'online error (%), log scale' };
  const { width, height, marginTop, marginRight, marginBottom, marginLeft, labelFont } = G;
  const yRange: [number, number] = [height - marginBottom, marginTop];
  const y = Plot.scale({ y: { type: 'log', domain: axis.domain, range: yRange } });
  const ends = cells.map((c) => pts.filter((r) => r.cell === c).at(-1)!);
  const at = spreadLabels(ends.map((e) => y.apply(e.y) as number), labelFont + 1, marginTop, height - marginBottom);
  const labels = ends.map((e, i) => ({ ...e, at: y.invert!(at[i]!) as number }));
  const dash = ['none', '6,3', '2,3', '8,2,2,2'];
  const svg = plotToSvg({
    width, height, marginTop, marginRight, marginBottom, marginLeft,
    style: { fontSize: '12px' },
    x: { label: 'examples seen (pre-training included)', grid: true, tickFormat: '~s' },
    y: { ...valueScaleOptions(axis), range: yRange },
    color: { domain: arms, range: arms.map((_, i) => ARM_COLORS[i % ARM_COLORS.length]!), legend: true },
    marks: [
      ...valueAxisMarks(axis, 'y'),
      Plot.areaY(band, { x: 'x', y1: 'y1', y2: 'y2', z: 'cell', fill: ARM_CHANNEL, fillOpacity: 0.15 }),
      ...panels.map((p, i) => Plot.line(pts.filter((r) => r.panel === p), { x: 'x', y: 'y', z: 'cell', stroke: ARM_CHANNEL, strokeWidth: 1.8, strokeDasharray: dash[i % dash.length]!, className: 'm-online' })),
      Plot.text(labels, { x: 'x', y: 'at', text: 'cell', fill: ARM_CHANNEL, textAnchor: 'start', dx: 6, fontSize: labelFont }),
    ],
  });
  const seeds = Math.max(...pts.map((r) => r.n));
  return {
    id: 'chart-online-error',
    title: 'Online error vs examples seen',
    caption: `Online classification error (each example classified before the update on it), moving average over the last online.window examples, one line per cell${seeds > 1 ? ', mean over seeds with its 95% t-interval (band)' : ''}; colour: pre-training${panels.length > 1 ? `, line style: ${panels.map((p, i) => `${p} ${['solid', 'dashed', 'dotted', 'dash-dot'][i % 4]}`).join(', ')}` : panels[0] === '(all)' ? '' : `, ${panels[0]}`}. Cf. Erhan et al. 2010, Figs. 11 and 14 right (InfiniteMNIST). Log scale.`,
    svg,
    markSelector: '.m-online path',
    marks: cells.length,
  };
}

/** The section's chart, gap tables and claims, or null when no cell has online results. */
export function onlineErrorSection(cells: readonly CellSummary[], factor: string | null, level: unknown): { chart: Chart; body: Html; gaps: OnlineGaps[]; ends: EndComparison[] } | null {
  const arms = armRecords(cells, factor);
  const baseline = armName(factor, level);
  const chart = onlineErrorChart(onlineCurveRows(arms), baseline);
  if (!chart) return null;
  const gaps = factor ? onlineGaps(arms, baseline) : [];
  const ends = factor ? endComparisons(arms, baseline) : [];
  const body = gaps.length || ends.length
    ? html`<p class="note">Online error of each pre-trained arm minus the arm without pre-training at the 25/50/75% marks of the stream and at its end (the first block ending at or after the mark), mean over seeds [95% interval: t for an arm, bootstrap for the difference, paired by seed], in percentage points.</p>${claims(gaps, ends)}${gaps.map(gapTable)}`
    : html`<p class="note">No arm without pre-training to compare with.</p>`;
  return { chart, body, gaps, ends };
}
