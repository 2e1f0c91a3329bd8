/**
 * The paper's own numbers beside the study's (an experiment's `reported`, e.g. Erhan et al. 2010,
 * Table 1): per reported cell, the paper's mean +- std over its seeds, ours with a 95% t-interval of
 * the mean over the evaluation seeds, and the difference in units of the paper's standard
 * deviation. The bar: each cell within two of the paper's standard deviations of its mean, and,
 * per `groupBy` level (Table 1's columns), the cells in the paper's order of means.
 */
import type { Reported } from '../experiments/define.ts';
import { settingLabel, type Setting } from '../experiments/expand.ts';
import type { CellSummary } from '../experiments/select.ts';
import { Rng } from '../rng/rng.ts';
import { meanConfidenceInterval, type MeanCi } from '../stats/mean-ci.ts';
import type { SeededValue } from '../stats/seeded-comparison.ts';
import { fmtP } from './format.ts';
import { meanDifference, type MeanDifference } from './nll-trajectories.ts';
import { html, type Html } from './html.ts';

/** One reported cell beside the study's. Errors in percent. */
export interface ReportedRow {
  /** The reported cell's levels, as written (keys canonical). */
  cell: Setting;
  label: string;
  /** The paper's name of the row (`Uniform`), when given. */
  name?: string;
  paper: { mean: number; std: number };
  /** The study's matching cell (the first when several match), null when no cell matches or none has data. */
  matched: { label: string; ci: MeanCi; std: number; seeds: number[]; values: number[] } | null;
  /** How many of the study's cells match with trials of their own (more than 1: the entry names too few factors). */
  matches: number;
  /** (ours - paper) / paper std; NaN without a match. */
  sds: number;
  /** |sds| <= 2; null without a match. */
  within: boolean | null;
}

/** One step of the paper's order: our `higher` minus our `lower` (the paper's lower-error cell), in points, paired by seed. */
export interface OrderStep extends MeanDifference {
  lower: string;
  higher: string;
}

/** The order of one group's cells by mean, the paper's and ours (labels without the group's factor). */
export interface OrderCheck {
  group: string;
  paper: string[];
  ours: string[];
  /** Null when some cell of the group has no data. */
  same: boolean | null;
  /** Each step of the paper's order measured here (empty when some cell has no data). */
  steps: OrderStep[];
}

/** A matched cell's test errors in percent, by seed. */
const seeded = (r: ReportedRow): SeededValue[] => r.matched!.values.map((value, i) => ({ seed: r.matched!.seeds[i]!, value }));

const matches = (entry: Setting, cell: Setting): boolean => Object.entries(entry).every(([k, v]) => JSON.stringify(cell[k]) === JSON.stringify(v));
const trialsKey = (c: CellSummary): string => c.records.map((r) => r.hash).sort().join(',');

/** The rows and order checks of `reported` against the study's `cells`. */
export function paperComparison(reported: Reported, cells: readonly CellSummary[]): { rows: ReportedRow[]; orders: OrderCheck[] } {
  const rows = reported.cells.map((e): ReportedRow => {
    const found = cells.filter((c) => matches(e.cell, c.cell) && c.test.n > 0);
    const distinct = new Set(found.map(trialsKey)).size;
    const c = found[0];
    const paper = { mean: e.mean, std: e.std };
    const named = { cell: e.cell, label: settingLabel(e.cell), ...(e.name ? { name: e.name } : {}), paper };
    if (!c) return { ...named, matched: null, matches: 0, sds: NaN, within: null };
    const pct = c.test.values.map((v) => 100 * v);
    const ci = meanConfidenceInterval(pct);
    const sds = (ci.mean - e.mean) / e.std;
    return { ...named, matched: { label: c.label, ci, std: 100 * c.test.std, seeds: c.test.seeds, values: pct }, matches: distinct, sds, within: Math.abs(sds) <= 2 };
  });
  const orders: OrderCheck[] = [];
  const root = new Rng(0).fork('paper-comparison');
  const g = reported.groupBy;
  if (g !== undefined) {
    const levels = [...new Set(rows.map((r) => JSON.stringify(r.cell[g])))];
    for (const level of levels) {
      const inGroup = rows.filter((r) => JSON.stringify(r.cell[g]) === level);
      const name = (r: ReportedRow): string => r.name ?? settingLabel(Object.fromEntries(Object.entries(r.cell).filter(([k]) => k !== g)));
      const byPaper = [...inGroup].sort((a, b) => a.paper.mean - b.paper.mean);
      const paper = byPaper.map(name);
      const complete = inGroup.every((r) => r.matched);
      const ours = complete ? [...inGroup].sort((a, b) => a.matched!.ci.mean - b.matched!.ci.mean).map(name) : [];
      const group = settingLabel({ [g]: JSON.parse(level) as unknown });
      const steps = complete
        ? byPaper.slice(1).map((higher, i): OrderStep => {
            const lower = byPaper[i]!;
            return { lower: name(lower), higher: name(higher), ...meanDifference(seeded(higher), seeded(lower), root.fork(group, name(lower), name(higher))) };
          })
        : [];
      orders.push({ group, paper, ours, same: complete ? paper.join() === ours.join() : null, steps });
    }
  }
  return { rows, orders };
}

const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '-');
const signedPoints = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(2)}` : '-');
const signed = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(1)}` : '-');

/**
 * The section (null when the experiment reports no paper numbers). `preset`: the study's preset;
 * one other than `full` (the paper's setting) is named, so a small-scale miss is read as such.
 */
export function paperComparisonSection(reported: Reported | undefined, cells: readonly CellSummary[], preset: string | null = null): Html | null {
  if (!reported) return null;
  const { rows, orders } = paperComparison(reported, cells);
  const body = rows.map(
    (r) => html`<tr data-cell="${r.label}" data-within="${String(r.within)}"><td>${r.name ? html`${r.name} <span class="note">(${r.label})</span>` : r.label}${r.matches > 1 ? html` <span class="warn">(matches ${r.matches} cells with different trials; the first is shown)</span>` : ''}</td><td class="num">${f2(r.paper.mean)} &plusmn; ${f2(r.paper.std)}</td><td class="num">${r.matched ? html`${f2(r.matched.ci.mean)} &plusmn; ${f2(r.matched.std)}` : 'not run'}</td><td class="num">${r.matched ? `[${f2(r.matched.ci.lo)}, ${f2(r.matched.ci.hi)}]` : ''}</td><td class="num">${r.matched ? r.matched.ci.n : ''}</td><td class="num">${signed(r.sds)}</td><td>${r.within === null ? '' : r.within ? html`<b class="claim-yes">yes</b>` : html`<b class="claim-no">no</b>`}</td></tr>`,
  );
  const stepText = (s: OrderStep): Html =>
    html`<li data-step="${s.lower} < ${s.higher}" data-holds="${String(s.lo > 0)}">${s.higher} minus ${s.lower}: ${signedPoints(s.difference)} points [${signedPoints(s.lo)}, ${signedPoints(s.hi)}] (${s.paired ? `paired by seed, ${s.n} seeds, paired t` : `unpaired, Welch`} p ${fmtP(s.p)})${s.lo > 0 ? html`: <b class="claim-yes">above, as in the paper</b>` : s.hi < 0 ? html`: <b class="claim-no">below: the reverse of the paper</b>` : ': not distinguishable here'}</li>`;
  const orderItems = orders.map(
    (o) => html`<li data-group="${o.group}" data-same="${String(o.same)}">${o.group}: the paper's order (lowest first) ${o.paper.join(' < ')}; ours ${o.same === null ? 'incomplete (a cell has no data yet)' : o.ours.join(' < ')}: ${o.same === null ? '' : o.same ? html`<b class="claim-yes">same</b>` : html`<b class="claim-no">differs</b>`}${o.steps.length ? html`<ul>${o.steps.map(stepText)}</ul>` : ''}</li>`,
  );
  const all = rows.every((r) => r.within === true) && orders.every((o) => o.same === true);
  const complete = rows.every((r) => r.within !== null) && orders.every((o) => o.same !== null);
  const verdict = complete
    ? html`<p data-verdict="${String(all)}">Every cell within two of the paper's standard deviations${orders.length ? ' and the paper\'s order in every group' : ''}: ${all ? html`<b class="claim-yes">yes</b>` : html`<b class="claim-no">no</b>`}.</p>`
    : html`<p class="warn">Some reported cells have no results yet.</p>`;
  const scale = preset !== null && preset !== 'full' ? html`<p class="note" data-preset="${preset}">These numbers come from the <code>${preset}</code> preset, not the paper's setting (the <code>full</code> preset): where they miss the paper, that says how far this scale is from it, not whether the paper reproduces.</p>` : '';
  return html`<section id="paper-comparison"><h2>Beside the paper (${reported.source})</h2>${scale}
<table class="paper-comparison"><thead><tr><th>cell</th><th class="num">paper: test error % (mean &plusmn; std)</th><th class="num">here: mean &plusmn; std</th><th class="num">here: 95% CI of the mean</th><th class="num">seeds</th><th class="num">here - paper (paper std)</th><th>within 2 std</th></tr></thead><tbody>${body}</tbody></table>
${orders.length ? html`<ul class="paper-order">${orderItems}</ul>` : ''}${verdict}
<p class="note">The paper's numbers as it prints them (mean &plusmn; standard deviation over its seeds); ours over this study's evaluation seeds (see Protocol), with a Student-t interval for the mean. A cell is within the bar when its mean lies within two of the paper's standard deviations of the paper's mean. The order compares means; under it, each step of the paper's order is measured here: the higher cell's error minus the lower's, in percentage points, with a 95% bootstrap interval (expanded percentile, 10,000 resamples of the seeds, seeded) and the paired t-test, not adjusted for multiplicity. A step the paper does not find significant (Table 1: uniform vs histogram) may come out either way here without contradicting it.</p></section>`;
}
