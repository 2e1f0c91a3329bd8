/**
 * The report section of the `error-vs-factor` figure: per x factor, the chart (see
 * `error-vs-factor.ts`) and a table of each arm's difference from the comparison's baseline arm at
 * every level, with 95% intervals, and where the arm's mean error crosses below the baseline's
 * (Erhan et al. 2010, Section 7.3, Figure 9: the width above which pre-training helps).
 */
import { shortKey } from '../experiments/expand.ts';
import type { ResolvedExperiment } from '../experiments/define.ts';
import type { CellSummary, Comparison } from '../experiments/select.ts';
import type { Chart } from './charts.ts';
import { crossingPoint, type Crossing } from './crossing.ts';
import { differenceCell } from './difference-interval.ts';
import { errorVsFactorChart, factorAxis, factorPoints } from './error-vs-factor.ts';
import { html, type Html } from './html.ts';

/** The x factors of the figure: `figureOptions['error-vs-factor'].x`, else the first numeric scientific factor with two or more levels (not the arm factor). */
export function errorVsFactorKeys(exp: ResolvedExperiment): string[] {
  const named = exp.figureOptions?.['error-vs-factor']?.x;
  if (named && named.length) return named;
  const f = exp.scientific.find((s) => s.key !== exp.compare?.factor && s.values.length > 1 && s.values.every((v) => typeof v === 'number'));
  return f ? [f.key] : [];
}

/** One row of the difference table: an arm in a panel, its comparisons by x level, and its crossing. */
export interface CrossingRow {
  panel: string;
  arm: string;
  byLevel: Map<number, Comparison>;
  crossing: Crossing;
}

/** The comparisons of `comparisons` along `xKey`, grouped by (panel, arm), with each group's crossing. */
export function crossingRows(comparisons: readonly Comparison[], xKey: string, armFactor: string): CrossingRow[] {
  const rows = new Map<string, CrossingRow>();
  const levels: number[] = [];
  for (const cmp of comparisons) {
    const [p] = factorPoints([cmp.cell], xKey, armFactor);
    if (!p) continue;
    levels.push(p.x);
    const key = JSON.stringify([p.panel, p.arm]);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { panel: p.panel, arm: p.arm, byLevel: new Map(), crossing: { kind: 'not-below', x: null } }));
    row.byLevel.set(p.x, cmp);
  }
  // A 0 level (no penalty) has no log: interpolate linearly on such grids.
  const log = factorAxis(levels).log && !levels.includes(0);
  for (const row of rows.values()) {
    const xs = [...row.byLevel.keys()];
    row.crossing = crossingPoint(xs, xs.map((x) => row.byLevel.get(x)!.difference), log);
  }
  return [...rows.values()];
}

const fmtLevel = (v: number): string => String(Number(v.toPrecision(3)));

/** The crossing in words: `~160 (between 100 and 200)`. */
export function describeCrossing(c: Crossing, levels: readonly number[]): string {
  if (c.kind === 'crosses') return `~${fmtLevel(c.x)} (between ${fmtLevel(c.from)} and ${fmtLevel(c.to)})`;
  if (c.kind === 'below-everywhere') return `below at every level (from ${fmtLevel(Math.min(...levels))})`;
  return 'none: not below at the largest level';
}

/** Charts (to register with the report) and, for each, the difference table shown under it. */
export function errorVsFactorSections(exp: ResolvedExperiment, cells: readonly CellSummary[], comparisons: readonly Comparison[]): { chart: Chart; notes: Html }[] {
  const out: { chart: Chart; notes: Html }[] = [];
  const arm = exp.compare?.factor ?? null;
  for (const xKey of errorVsFactorKeys(exp)) {
    const chart = errorVsFactorChart(cells, xKey, arm);
    if (!chart) continue;
    if (!arm || !exp.compare) {
      out.push({ chart, notes: html`` });
      continue;
    }
    const rows = crossingRows(comparisons, xKey, arm);
    const levels = [...new Set(rows.flatMap((r) => [...r.byLevel.keys()]))].sort((a, b) => a - b);
    const xName = shortKey(xKey), armName = shortKey(arm), base = String(exp.compare.baseline);
    const body = rows.map(
      (r) => html`<tr><td>${r.panel === '(all)' ? '' : r.panel}</td><td>${r.arm}</td>${levels.map((l) => differenceCell(r.byLevel.get(l)))}<td class="crossing" data-kind="${r.crossing.kind}">${describeCrossing(r.crossing, levels)}</td></tr>`,
    );
    const notes = html`<table class="factor-differences" data-rows="${rows.length}"><thead><tr><th></th><th>${armName}</th>${levels.map((l) => html`<th class="num">${xName}=${fmtLevel(l)}</th>`)}<th>crosses below ${armName}=${base} at</th></tr></thead><tbody>${body}</tbody></table>
<p class="note">Each entry: mean test error of the arm minus that of ${armName}=${base} at the same ${xName} and other factors, in percentage points, with its 95% bootstrap interval over the evaluation seeds (paired by seed when the arms share seeds); green: the interval lies below 0 (the arm is better), red: above 0. The last column is the ${xName} from which the arm's mean error stays below the baseline's up to the largest level, interpolated linearly${factorAxis(levels).log && !levels.includes(0) ? ` in log ${xName}` : ''} between the two levels where the difference changes sign.</p>`;
    out.push({ chart, notes });
  }
  return out;
}
