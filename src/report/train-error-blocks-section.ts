/**
 * Fig. 12 of Erhan et al. 2010 (Section 8.1): after online training, the error of the network on
 * its own supervised training examples, in the order it saw them, in equal blocks
 * (`online.trainErrorBlocks`, `analysis.online.trainErrorByBlock`). One panel per level of the other
 * factors (depth), a dot per block and cell (mean over seeds, a bar for the 95% t-interval when there
 * are several). Beside it, per panel, the mean error per block of each arm and of each pre-trained
 * arm minus the arm without pre-training with its 95% interval, and the paper's readings as yes/no:
 * the pre-trained network is better on every block ("better across the board on the training set"),
 * and every arm is better on its most recent examples than on its first (constant-rate SGD weights
 * recent examples most).
 */
import * as Plot from '@observablehq/plot';
import { Rng } from '../rng/rng.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { Chart } from './charts.ts';
import { pp } from './difference-interval.ts';
import { html, type Html } from './html.ts';
import type { MeanDifference } from './nll-trajectories.ts';
import { ARM_CHANNEL, armName, armRecords, ARM_COLORS, below, claimVerdict, onlineSummary, orderArms, pctCi, seedDifference, seedMean, versusBaseline, type ArmRecords, type SeedValue } from './online-results.ts';
import { plotToSvg } from './plot-svg.ts';

/** One block of one cell: mean error over seeds with its interval. */
export interface BlockRow {
  cell: string;
  arm: string;
  panel: string;
  /** 1-based block of the supervised examples in presentation order. */
  block: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** One seed's error on block `block` (1-based) of each record of `c`. */
function blockValues(c: ArmRecords, block: number): SeedValue[] {
  return c.records.flatMap((r) => {
    const v = onlineSummary(r.result)?.trainErrorByBlock?.[block - 1];
    return typeof v === 'number' && Number.isFinite(v) ? [{ seed: r.seed, value: v }] : [];
  });
}

const blockCount = (c: ArmRecords): number => Math.max(0, ...c.records.map((r) => onlineSummary(r.result)?.trainErrorByBlock?.length ?? 0));

/** Mean and interval per block of every cell with `trainErrorByBlock`. */
export function trainErrorRows(cells: readonly ArmRecords[]): BlockRow[] {
  return cells.flatMap((c) =>
    Array.from({ length: blockCount(c) }, (_, i) => {
      const e = seedMean(blockValues(c, i + 1));
      return { cell: c.label, arm: c.arm, panel: c.panel, block: i + 1, mean: e.mean, lo: e.lo, hi: e.hi, n: e.n };
    }).filter((r) => r.n > 0),
  );
}

/** One panel's comparisons: per pre-trained arm, the difference per block, and the verdicts. */
export interface BlockComparison {
  panel: string;
  arm: string;
  baseline: string;
  /** Arm minus baseline, per block (1-based order). */
  gaps: MeanDifference[];
  /** Blocks where the arm is lower (interval below 0 when there is one). */
  lowerBlocks: number;
  /** The arm is lower on every block. */
  acrossTheBoard: boolean;
  sure: boolean;
}

/** Every pre-trained arm against the baseline arm of its panel (bootstrap streams forked from `Rng(0)`). */
export function trainErrorComparisons(cells: readonly ArmRecords[], baseline: unknown): BlockComparison[] {
  const root = new Rng(0).fork('train-error-blocks');
  return versusBaseline(cells, baseline, (c) => blockCount(c) > 0).map(({ panel, base, arm: a }) => {
    const k = Math.min(blockCount(a), blockCount(base));
    const gaps = Array.from({ length: k }, (_, i) => seedDifference(blockValues(a, i + 1), blockValues(base, i + 1), root.fork(panel, a.arm, i)));
    const lower = gaps.filter((g) => below(g).holds).length;
    return { panel, arm: a.arm, baseline: base.arm, gaps, lowerBlocks: lower, acrossTheBoard: k > 0 && lower === k, sure: gaps.every((g) => below(g).sure) };
  });
}

/** The Fig. 12 chart (null without data). */
export function trainErrorChart(rows: readonly BlockRow[], baseline: unknown): Chart | null {
  if (rows.length === 0) return null;
  const pts = rows.map((r) => ({ ...r, y: 100 * r.mean, y1: 100 * r.lo, y2: 100 * r.hi }));
  const arms = orderArms(pts.map((r) => r.arm), baseline);
  const panels = [...new Set(pts.map((r) => r.panel))];
  const bars = pts.filter((r) => Number.isFinite(r.y1));
  const blocks = Math.max(...pts.map((r) => r.block));
  const svg = plotToSvg({
    width: 860,
    height: 360,
    marginLeft: 56,
    style: { fontSize: '12px' },
    fx: { label: null, domain: panels, axis: 'top' },
    x: { label: 'block of the supervised training examples, in presentation order', ...(blocks <= 20 ? { ticks: Array.from({ length: blocks }, (_, i) => i + 1), tickFormat: 'd' } : {}) },
    y: { label: 'error on the training examples (%)', grid: true, zero: true },
    color: { domain: arms, range: arms.map((_, i) => ARM_COLORS[i % ARM_COLORS.length]!), legend: true },
    marks: [
      Plot.ruleX(bars, { fx: 'panel', x: 'block', y1: 'y1', y2: 'y2', stroke: ARM_CHANNEL, strokeOpacity: 0.6 }),
      Plot.line(pts, { fx: 'panel', x: 'block', y: 'y', z: 'cell', stroke: ARM_CHANNEL, strokeWidth: 1.2, strokeOpacity: 0.7 }),
      Plot.dot(pts, { fx: 'panel', x: 'block', y: 'y', fill: ARM_CHANNEL, r: 3.5, className: 'm-train-block', title: (d: (typeof pts)[number]) => `${d.cell}, block ${d.block}: ${d.y.toFixed(2)}%` }),
    ],
  });
  const seeds = Math.max(...pts.map((r) => r.n));
  return {
    id: 'chart-train-error-blocks',
    title: 'Error on the training examples, in presentation order',
    caption: `After online training, the error of each network on the supervised examples it was trained on, in the order it saw them, in ${blocks} equal blocks (block 1: the first examples); ${seeds > 1 ? 'mean over seeds with its 95% t-interval (bars)' : 'one seed'}. Cf. Erhan et al. 2010, Fig. 12 (1 layer, RBM pre-training and none).`,
    svg,
    markSelector: '.m-train-block circle',
    marks: pts.length,
  };
}

function panelTable(panel: string, rows: readonly BlockRow[], comps: readonly BlockComparison[], baseline: unknown): Html {
  const inPanel = rows.filter((r) => r.panel === panel);
  const arms = orderArms(inPanel.map((r) => r.arm), baseline);
  const mine = comps.filter((c) => c.panel === panel);
  const blocks = [...new Set(inPanel.map((r) => r.block))].sort((a, b) => a - b);
  const body = blocks.map((b) => {
    const cell = (arm: string): Html => {
      const r = inPanel.find((x) => x.arm === arm && x.block === b);
      return html`<td class="num">${r ? pctCi(r) : '-'}</td>`;
    };
    const diff = (c: BlockComparison): Html => {
      const g = c.gaps[b - 1];
      if (!g) return html`<td class="num">-</td>`;
      const good = below(g);
      return html`<td class="num diff${good.holds && good.sure ? ' better' : ''}">${pp(g.difference)}${Number.isFinite(g.lo) ? ` [${pp(g.lo)}, ${pp(g.hi)}]` : ''}</td>`;
    };
    return html`<tr><td class="num">${b}</td>${arms.map(cell)}${mine.map(diff)}</tr>`;
  });
  return html`<table class="train-error-blocks" data-panel="${panel}" data-rows="${blocks.length}"><caption>${panel}</caption><thead><tr><th class="num">block</th>${arms.map((a) => html`<th class="num">${a} error %</th>`)}${mine.map((c) => html`<th class="num">${c.arm} - ${c.baseline} (points)</th>`)}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Whether every arm of `rows` errs less on its last block than on its first. */
export function recencyHolds(rows: readonly BlockRow[]): { arm: string; panel: string; first: number; last: number; holds: boolean }[] {
  const keys = [...new Set(rows.map((r) => `${r.panel}\u0000${r.arm}`))];
  return keys.map((k) => {
    const [panel, arm] = k.split('\u0000') as [string, string];
    const own = rows.filter((r) => r.panel === panel && r.arm === arm).sort((a, b) => a.block - b.block);
    const first = own[0]!.mean, last = own.at(-1)!.mean;
    return { arm, panel, first, last, holds: own.length > 1 && last < first };
  });
}

/** The section's chart, tables and claims, or null when no trial has `trainErrorByBlock`. */
export function trainErrorBlocksSection(cells: readonly CellSummary[], factor: string | null, level: unknown): { chart: Chart; body: Html; comparisons: BlockComparison[] } | null {
  const arms = armRecords(cells, factor);
  const baseline = armName(factor, level);
  const rows = trainErrorRows(arms);
  const chart = trainErrorChart(rows, baseline);
  if (!chart) return null;
  const comparisons = factor ? trainErrorComparisons(arms, baseline) : [];
  const claims = html`<ul id="train-error-claims">${comparisons.map(
    (c) => html`<li data-claim="across-the-board" data-panel="${c.panel}" data-arm="${c.arm}" data-holds="${String(c.acrossTheBoard)}">${c.panel}: ${c.arm} errs less than ${c.baseline} on its training examples on every block (${c.lowerBlocks} of ${c.gaps.length} blocks): ${claimVerdict(c.acrossTheBoard, c.sure)}.</li>`,
  )}${recencyHolds(rows).map(
    (r) => html`<li data-claim="recent-better" data-panel="${r.panel}" data-arm="${r.arm}" data-holds="${String(r.holds)}">${r.panel}, ${r.arm}: better on the most recent examples than on the first (${(100 * r.last).toFixed(2)}% on the last block vs ${(100 * r.first).toFixed(2)}% on the first): ${claimVerdict(r.holds)}.</li>`,
  )}</ul>`;
  const panels = [...new Set(rows.map((r) => r.panel))];
  const body = html`<p class="note">Error on the training examples per block, mean over seeds [95% t-interval]; pre-trained minus no pre-training per block with its bootstrap interval, paired by seed, in percentage points.</p>${claims}${panels.map((p) => panelTable(p, rows, comparisons, baseline))}`;
  return { chart, body, comparisons };
}
