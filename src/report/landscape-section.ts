/**
 * The report's "Loss landscape around the solution" section (Erhan et al. 2010, Section 6.3, Fig. 7):
 * the training error (and NLL) along each stochastic-gradient direction around one trained network
 * per cell, one panel per depth x arm like the paper's figure, and the curvature table: per cell,
 * the fitted quadratic coefficient near alpha = 0 averaged over directions, then its mean and 95%
 * confidence interval over seeds, and pre-training vs none at each depth (Welch's t-test).
 * Reads `result.analysis.landscape` of each record and the side file `landscape.safetensors`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as Plot from '@observablehq/plot';
import { LANDSCAPE_FILE, readLandscape, type LandscapeCurves, type LandscapeSummary } from '../analysis/trial-landscape.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { TrialRecord } from '../experiments/store.ts';
import { mean, meanConfidenceInterval, pairedTTest, welchTTest, type MeanCi } from '../stats/index.ts';
import { splitCell, type Chart } from './charts.ts';
import { html, type Html } from './html.ts';
import { plotToSvg } from './plot-svg.ts';

/** Tableau 10, one hue per direction. */
const DIRECTION_COLORS = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'];

/** A finished record's landscape summary, or null. */
export function landscapeOf(r: TrialRecord): LandscapeSummary | null {
  const l = r.status === 'done' ? r.result?.analysis?.['landscape'] : undefined;
  return l && typeof l === 'object' ? (l as LandscapeSummary) : null;
}

function sideFile(storeDir: string, r: TrialRecord): string | null {
  const p = path.join(storeDir, 'checkpoints', r.hash, LANDSCAPE_FILE);
  return fs.existsSync(p) ? p : null;
}

/** The lowest seed with a landscape side file in every cell (else, per cell, its lowest). */
function commonSeed(storeDir: string, cells: readonly CellSummary[]): number | null {
  const seeds = cells.map((c) => new Set(c.records.filter((r) => landscapeOf(r) && sideFile(storeDir, r)).map((r) => r.seed)));
  return [...(seeds[0] ?? [])].filter((s) => seeds.every((set) => set.has(s))).sort((a, b) => a - b)[0] ?? null;
}

interface Panel {
  arm: string;
  x: string;
  seed: number;
  curves: LandscapeCurves;
}

/** Fig. 7: one panel per level of the other factors (columns) x arm (rows), one line per direction. */
export function landscapeChart(panels: readonly Panel[], metric: 'error' | 'nll'): Chart {
  const rows = panels.flatMap((p) =>
    p.curves[metric].flatMap((ys, d) => p.curves.alphas.map((alpha, i) => ({ arm: p.arm, x: p.x, dir: `v${d + 1}`, alpha, value: metric === 'error' ? 100 * ys[i]! : ys[i]! }))),
  );
  const arms = [...new Set(panels.map((p) => p.arm))];
  const xs = [...new Set(panels.map((p) => p.x))];
  const dirs = [...new Set(rows.map((r) => r.dir))];
  const label = metric === 'error' ? 'training error (%)' : 'training NLL';
  const svg = plotToSvg({
    width: 860,
    height: 90 + 190 * arms.length,
    marginLeft: 56,
    marginRight: 56,
    style: { fontSize: '12px' },
    fx: { label: null, domain: xs, axis: 'top' },
    fy: { label: null, domain: arms },
    x: { label: 'alpha (step along the unit direction)', grid: true },
    y: { label, grid: true, nice: true },
    color: { domain: dirs, range: dirs.map((_, i) => DIRECTION_COLORS[i % DIRECTION_COLORS.length]!), legend: true },
    marks: [Plot.line(rows, { fx: 'x', fy: 'arm', x: 'alpha', y: 'value', z: 'dir', stroke: 'dir', strokeWidth: 1.4, className: 'm-landscape' }), Plot.ruleX([0], { stroke: '#999', strokeDasharray: '2,3' })],
  });
  const seeds = [...new Set(panels.map((p) => p.seed))];
  return {
    id: `chart-landscape-${metric}`,
    title: metric === 'error' ? 'Training error around the solution' : 'Training NLL around the solution',
    caption: `${label} at theta + alpha v on the whole training set, for each unit direction v (a minibatch gradient at the trained network theta), one panel per cell, ${seeds.length === 1 ? `seed ${seeds[0]}` : 'lowest seed of each cell'} (cf. Erhan et al. 2010, Fig. 7: top without pre-training, bottom with).`,
    svg,
    markSelector: '.m-landscape path',
    marks: panels.reduce((n, p) => n + p.curves[metric].length, 0),
  };
}

/** Per-trial curvature: the mean over its directions of the fitted quadratic coefficient. */
function trialCurvature(l: LandscapeSummary, metric: 'nll' | 'error'): number {
  return mean(l.curvature[metric]);
}

/**
 * How much the training NLL still fell at the end of the fixed budget: the relative drop from the
 * mean over the second-to-last tenth of the fine-tuning epochs to the mean over the last tenth
 * (means, because SGD's end point is noisy). Near 0: converged; positive: still falling.
 */
function lateNllDrop(r: TrialRecord): number {
  const h = (r.result?.history ?? []).filter((m) => m.phase === 'finetune' && Number.isFinite(m.values['trainNll'])).map((m) => m.values['trainNll']!);
  const k = Math.max(1, Math.floor(h.length / 10));
  if (h.length < 2 * k || h.length < 2) return NaN;
  const last = mean(h.slice(-k)), before = mean(h.slice(-2 * k, -k));
  return (before - last) / before;
}

const fmtCi = (c: MeanCi, digits = 3): string => (Number.isFinite(c.lo) ? `${c.mean.toFixed(digits)} [${c.lo.toFixed(digits)}, ${c.hi.toFixed(digits)}]` : Number.isFinite(c.mean) ? c.mean.toFixed(digits) : '-');
const pct = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(2) : '-');

/** The numbers of one cell's row. */
export interface LandscapeRow {
  cell: CellSummary;
  arm: string;
  x: string;
  n: number;
  nll: MeanCi;
  error: MeanCi;
  perTrialNll: number[];
  /** The seeds of `perTrialNll`, in the same order. */
  seeds: number[];
  /** Fraction of all directions (over seeds) whose NLL curvature is positive. */
  positive: number;
  /** Mean |alpha| of the NLL curve's minimum. */
  argmin: number;
  trainErrorAtZero: number;
  lateDrop: number;
}

/** The curvature rows, one per cell with landscapes. */
export function landscapeRows(cells: readonly CellSummary[], factor: string | null): LandscapeRow[] {
  const rows: LandscapeRow[] = [];
  for (const cell of cells) {
    const recs = cell.records.filter((r) => landscapeOf(r));
    if (recs.length === 0) continue;
    const ls = recs.map((r) => landscapeOf(r)!);
    const { group, x } = splitCell(cell.cell, factor);
    const perTrialNll = ls.map((l) => trialCurvature(l, 'nll'));
    const all = ls.flatMap((l) => l.curvature.nll);
    rows.push({
      cell,
      arm: group,
      x,
      n: ls.length,
      nll: meanConfidenceInterval(perTrialNll),
      error: meanConfidenceInterval(ls.map((l) => trialCurvature(l, 'error'))),
      perTrialNll,
      seeds: recs.map((r) => r.seed),
      positive: all.filter((c) => c > 0).length / all.length,
      argmin: mean(ls.flatMap((l) => l.nllArgmin.map(Math.abs))),
      trainErrorAtZero: mean(ls.map((l) => l.atZero.error)),
      lateDrop: mean(recs.map(lateNllDrop)),
    });
  }
  return rows;
}

/**
 * Pre-training vs none on the per-seed NLL curvatures: the paired t-test when both arms ran the same
 * seeds (as the summary table pairs them), else Welch's.
 */
function curvatureTest(a: LandscapeRow, b: LandscapeRow): { p: number; test: 'paired t' | 'Welch' } {
  const shared = a.seeds.length === b.seeds.length && a.seeds.every((s) => b.seeds.includes(s));
  if (!shared) return { p: welchTTest(a.perTrialNll, b.perTrialNll).p, test: 'Welch' };
  const bBySeed = new Map(b.seeds.map((s, i) => [s, b.perTrialNll[i]!]));
  return { p: pairedTTest(a.perTrialNll, a.seeds.map((s) => bBySeed.get(s)!)).p, test: 'paired t' };
}

function curvatureTable(rows: readonly LandscapeRow[], factor: string | null, window: number | null): Html {
  const body = rows.map(
    (r) =>
      html`<tr data-cell="${r.cell.label}"><td>${r.cell.label}</td><td class="num">${r.n}</td><td class="num">${pct(r.trainErrorAtZero)}</td><td class="num">${fmtCi(r.nll)}</td><td class="num">${fmtCi(r.error)}</td><td class="num">${(100 * r.positive).toFixed(0)}%</td><td class="num">${r.argmin.toFixed(2)}</td><td class="num">${pct(r.lateDrop)}</td></tr>`,
  );
  const arms = [...new Set(rows.map((r) => r.arm))];
  const base = factor ? arms.find((a) => a === 'none') ?? null : null;
  const cmp = base
    ? rows
        .filter((r) => r.arm !== base)
        .map((r) => {
          const b = rows.find((s) => s.arm === base && s.x === r.x);
          if (!b) return null;
          const w = curvatureTest(r, b);
          const ratio = (a: number, c: number): string => (Number.isFinite(a / c) ? (a / c).toFixed(2) : '-');
          return html`<tr data-compare="${r.x}"><td>${r.x}: ${r.arm} vs ${base}</td><td class="num">${ratio(r.nll.mean, b.nll.mean)}</td><td class="num">${Number.isFinite(w.p) ? (w.p < 1e-4 ? '<1e-4' : w.p.toFixed(4)) : '-'} (${w.test})</td><td class="num">${ratio(r.error.mean, b.error.mean)}</td></tr>`;
        })
        .filter((h): h is Html => h !== null)
    : [];
  return html`<table id="landscape-table" data-rows="${rows.length}"><thead><tr><th>cell</th><th class="num">seeds</th><th class="num">train error % at 0</th><th class="num">curvature of NLL (mean [95% CI])</th><th class="num">curvature of error</th><th class="num">directions curving up</th><th class="num">mean |argmin alpha|</th><th class="num">train NLL drop % at the end</th></tr></thead><tbody>${body}</tbody></table>
<p class="note">Curvature: the coefficient c2 of the parabola c0 + c1 alpha + c2 alpha^2 fitted by least squares to a curve on |alpha| &le; ${window ?? '?'}, averaged over the trial's directions; mean and 95% Student-t confidence interval over seeds. Smaller is flatter. "Directions curving up": share of all directions with c2 &gt; 0 on the NLL (a minimum along v rather than a saddle or a plateau). The last column: the relative drop of the mean training NLL from the second-to-last to the last tenth of the fine-tuning epochs (near 0: converged within the budget; positive: still falling). A cell whose training error at 0 is at chance sits on a plateau, where the error is flat and only the output layer bends the NLL.</p>${
    cmp.length
      ? html`<table id="landscape-compare"><thead><tr><th>comparison</th><th class="num">ratio of NLL curvature</th><th class="num">p (NLL)</th><th class="num">ratio of error curvature</th></tr></thead><tbody>${cmp}</tbody></table><p class="note">Ratio below 1: flatter with pre-training (the paper's reading of Fig. 7). p: two-sided test on the per-seed NLL curvatures, paired by seed when both arms ran the same seeds, else Welch's.</p>`
      : ''
  }`;
}

/**
 * The section's charts (added to the report's charts, so the browser test checks them) and its
 * table. `factor` is the comparison's factor (`pretrain.kind`): its levels are the panel rows.
 */
export function landscapeSection(storeDir: string, cells: readonly CellSummary[], factor: string | null): { charts: Chart[]; table: Html } | null {
  const withLand = cells.filter((c) => c.records.some((r) => landscapeOf(r)));
  if (withLand.length === 0) return null;
  const seed = commonSeed(storeDir, withLand);
  const panels: Panel[] = [];
  for (const cell of withLand) {
    const rec = cell.records.find((r) => landscapeOf(r) && sideFile(storeDir, r) && (seed === null || r.seed === seed));
    if (!rec) continue;
    try {
      const { group, x } = splitCell(cell.cell, factor);
      panels.push({ arm: group, x, seed: rec.seed, curves: readLandscape(sideFile(storeDir, rec)!) });
    } catch {
      // an unreadable side file only loses its panel
    }
  }
  const charts = panels.length ? [landscapeChart(panels, 'error'), landscapeChart(panels, 'nll')] : [];
  const rows = landscapeRows(withLand, factor);
  const window = withLand.flatMap((c) => c.records.map(landscapeOf)).find((l) => l)?.fitHalfWidth ?? null;
  return { charts, table: html`<section id="landscape"><h2>Curvature around the solution</h2>${curvatureTable(rows, factor, window)}</section>` };
}
