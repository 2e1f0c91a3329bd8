/**
 * The `error-vs-updates` figure of the rethinking study (He, Girshick & Dollar 2019, Figs. 1, 5
 * and 6 as the seed retells them): target test error against training iterations (updates of
 * fine-tuning or of training from scratch), one curve per arm (mean over seeds, a band for the 95%
 * t-interval), one panel per fraction of the labels (columns) and other factors (rows, e.g. the
 * normalisation). The pre-trained arm's head start shows at the left; whether the longer
 * schedules from scratch catch up, at the right.
 *
 * Beside it, the retelling's claims as numbers with 95% intervals (paired bootstrap over seeds,
 * `seedDifference`) and a verdict each (`Verdict`: an interval too wide to settle a claim says so):
 * - catch-up: "training from scratch ... no worse than its pre-training counterparts ... down to
 *   10k images" (10% of the data): at every fraction >= 10%, the longest schedule from scratch ends
 *   at most `CATCH_UP_TOLERANCE` of the pre-trained arm's error above it (`atMost`);
 * - not at 1%: at every fraction below 10%, the longest schedule from scratch ends above the
 *   pre-trained arm (interval above 0);
 * - faster: "pre-training speeds up convergence": at the first evaluation at or after a quarter of
 *   the pre-trained arm's schedule, its error is below that of scratch at the same schedule;
 * - batch norm suffers: with both normalisations among the factors (`model.norm`), from scratch at
 *   the longest schedule batch norm ends above group norm (the small batch it is known to suffer at).
 * A row settled by its interval excluding 0 also needs the paired t-test's p, Holm-adjusted over
 * every row of the section, below 0.05 (`holmSettle`); one that holds by staying within a tolerance
 * (catch-up) needs no test.
 */
import * as Plot from '@observablehq/plot';
import { Rng } from '../rng/rng.ts';
import { settingLabel } from '../experiments/expand.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { Chart } from './charts.ts';
import { pp } from './difference-interval.ts';
import { fmtP } from './format.ts';
import { html, type Html } from './html.ts';
import type { MeanDifference } from './nll-trajectories.ts';
import { ARM_COLORS, pctCi, seedDifference, seedMean, type SeedValue } from './online-results.ts';
import { plotToSvg } from './plot-svg.ts';
import { above0, armRoles, CATCH_UP_DOWN_TO, armUpdates, atMost, below0, fractionLabel, holdsAttr, HOLM_LEVEL, holmSettle, overallVerdict, pointAt, scheduleArms, updatesCurve, verdictHtml, type ArmRoles, type ScheduleArm, type Verdict } from './schedule-arms.ts';
import { valueAxisMarks, valueScaleOptions, type ValueAxis } from './value-axis.ts';

/** "Catches up": scratch ends at most this share of the pre-trained arm's error above it (with 95% confidence). */
export const CATCH_UP_TOLERANCE = 0.2;

/** Where on the pre-trained arm's schedule "early" is read (a quarter of it). */
export const EARLY_MARK = 0.25;

/** One point of an arm's mean curve. */
export interface UpdatesRow {
  label: string;
  arm: string;
  rest: string;
  fraction: number;
  updates: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** Mean test error over seeds (and its 95% t-interval) of every arm at each number of updates its trials were evaluated at. */
export function updatesRows(arms: readonly ScheduleArm[]): UpdatesRow[] {
  const rows: UpdatesRow[] = [];
  for (const a of arms) {
    const byUpdates = new Map<number, number[]>();
    for (const r of a.records) for (const p of updatesCurve(r.result)) byUpdates.set(p.updates, [...(byUpdates.get(p.updates) ?? []), p.testError]);
    for (const [updates, vs] of [...byUpdates].sort((x, y) => x[0] - y[0])) {
      const e = seedMean(vs.map((value, i) => ({ seed: i, value })));
      rows.push({ label: a.label, arm: a.arm, rest: a.rest, fraction: a.fraction, updates, mean: e.mean, lo: e.lo, hi: e.hi, n: e.n });
    }
  }
  return rows;
}

/** One row of a claim's table: a group (fraction, other factors), the two arms compared and their difference. */
export interface ClaimRow {
  rest: string;
  fraction: number;
  /** What is compared, e.g. `scratch 4x - pre-trained 1x`. */
  a: { arm: string; mean: number; lo: number; hi: number; n: number };
  b: { arm: string; mean: number; lo: number; hi: number; n: number };
  /** Where the values were read: `end`, or `at 375 updates`. */
  at: string;
  difference: MeanDifference;
  verdict: Verdict;
  /** True when the verdict rests on the interval excluding 0 (then it also needs Holm p < 0.05, `holmSettle`). */
  viaZero: boolean;
  /** The difference's paired t p, Holm-adjusted over every row of the section. */
  pHolm: number;
  /** False when an arm has one seed only (no interval). */
  sure: boolean;
}

/** A claim over some rows, with its overall verdict (`overallVerdict`). */
export interface RethinkingClaim {
  claim: 'catch-up' | 'not-at-small' | 'faster' | 'bn-suffers';
  rest: string;
  rows: ClaimRow[];
  verdict: Verdict;
  sure: boolean;
}

const finalTest = (a: ScheduleArm): SeedValue[] => a.records.map((r) => ({ seed: r.seed, value: r.result!.final.test.error }));

function armStats(arm: string, xs: readonly SeedValue[]): ClaimRow['a'] {
  return { arm, ...seedMean(xs) };
}

/**
 * One claim row: `a` minus `b` over seeds, judged by `judge`; `tolerance` says the judge is `atMost`
 * (its `holds` rests on a tolerance, not on excluding 0).
 */
function claimRow(g: { rest: string; fraction: number }, a: [string, SeedValue[]], b: [string, SeedValue[]], at: string, rng: Rng, judge: (d: MeanDifference, bMean: number) => Verdict, tolerance = false): ClaimRow {
  const difference = seedDifference(a[1], b[1], rng);
  const bs = armStats(b[0], b[1]);
  const verdict = judge(difference, bs.mean);
  const viaZero = tolerance ? verdict === 'does-not-hold' : verdict !== 'not-settled';
  return { rest: g.rest, fraction: g.fraction, a: armStats(a[0], a[1]), b: bs, at, difference, verdict, viaZero, pHolm: NaN, sure: Number.isFinite(difference.lo) };
}

/** The values of `a`'s trials at the first evaluation at or after `at` updates. */
function valuesAt(a: ScheduleArm, at: number): SeedValue[] {
  return a.records.flatMap((r) => {
    const p = pointAt(r.result, at);
    return p ? [{ seed: r.seed, value: p.testError }] : [];
  });
}

function claim(name: RethinkingClaim['claim'], rest: string, rows: ClaimRow[]): RethinkingClaim {
  return { claim: name, rest, rows, verdict: overallVerdict(rows.map((r) => r.verdict)), sure: rows.every((r) => r.sure) };
}

/**
 * The claims (module comment), per other-factor group (`rest`, e.g. `norm=group`). A claim whose
 * rows are all missing (no fraction below 10%, one normalisation only) is left out.
 */
export function rethinkingClaims(arms: readonly ScheduleArm[]): RethinkingClaim[] {
  const root = new Rng(0).fork('rethinking');
  const roles = armRoles(arms);
  const out: RethinkingClaim[] = [];
  for (const rest of [...new Set(roles.map((g) => g.rest))]) {
    const groups = roles.filter((g) => g.rest === rest);
    const endRow = (g: ArmRoles, name: string, judge: (d: MeanDifference, b: number) => Verdict, tolerance = false): ClaimRow | null =>
      g.scratchLongest && g.pretrained ? claimRow(g, [g.scratchLongest.arm, finalTest(g.scratchLongest)], [g.pretrained.arm, finalTest(g.pretrained)], 'end', root.fork(name, rest, g.fraction), judge, tolerance) : null;
    const large = groups.filter((g) => g.fraction >= CATCH_UP_DOWN_TO - 1e-12), small = groups.filter((g) => g.fraction < CATCH_UP_DOWN_TO - 1e-12);
    const catchUp = large.map((g) => endRow(g, 'catch-up', (d, b) => atMost(d, CATCH_UP_TOLERANCE * b), true)).filter((r): r is ClaimRow => r !== null);
    if (catchUp.length) out.push(claim('catch-up', rest, catchUp));
    const notSmall = small.map((g) => endRow(g, 'not-at-small', (d) => above0(d))).filter((r): r is ClaimRow => r !== null);
    if (notSmall.length) out.push(claim('not-at-small', rest, notSmall));
    const faster = groups.flatMap((g) => {
      if (!g.pretrained || !g.scratch1x) return [];
      const at = EARLY_MARK * armUpdates(g.pretrained);
      const when = g.pretrained.records.map((r) => pointAt(r.result, at)?.updates).find((u) => u !== undefined);
      if (when === undefined) return [];
      return [claimRow(g, [g.pretrained.arm, valuesAt(g.pretrained, at)], [g.scratch1x.arm, valuesAt(g.scratch1x, at)], `at ${when} updates`, root.fork('faster', rest, g.fraction), (d) => below0(d))];
    });
    if (faster.length) out.push(claim('faster', rest, faster));
  }
  out.push(...normClaims(roles, root.fork('bn-suffers')));
  holmSettle(out.flatMap((c) => c.rows));
  return out.map((c) => claim(c.claim, c.rest, c.rows));
}

/** The factor of the normalisation (`model.norm`). */
const NORM_KEY = 'model.norm';

/** Batch norm against group norm, from scratch at the longest schedule, per fraction and the remaining factors (when `model.norm` is a factor with both). */
function normClaims(roles: readonly ArmRoles[], rng: Rng): RethinkingClaim[] {
  const strip = (g: ArmRoles): string => settingLabel(Object.fromEntries(Object.entries(g.others).filter(([k]) => k !== NORM_KEY)));
  const rows: Map<string, ClaimRow[]> = new Map();
  for (const bn of roles.filter((g) => g.others[NORM_KEY] === 'batch' && g.scratchLongest)) {
    const gn = roles.find((g) => g.others[NORM_KEY] === 'group' && strip(g) === strip(bn) && g.fraction === bn.fraction && g.scratchLongest?.multiplier === bn.scratchLongest!.multiplier);
    if (!gn) continue;
    const key = strip(bn);
    const a = bn.scratchLongest!, b = gn.scratchLongest!;
    const row = claimRow({ rest: key, fraction: bn.fraction }, [`batch norm, ${a.arm}`, finalTest(a)], [`group norm, ${b.arm}`, finalTest(b)], 'end', rng.fork(key, bn.fraction), (d) => above0(d));
    rows.set(key, [...(rows.get(key) ?? []), row]);
  }
  return [...rows].map(([rest, rs]) => claim('bn-suffers', rest, rs));
}

const CLAIM_TEXT: Record<RethinkingClaim['claim'], string> = {
  'catch-up': `from scratch, the longest schedule catches up with pre-training down to ${fractionLabel(CATCH_UP_DOWN_TO)} of the labels (ends at most ${100 * CATCH_UP_TOLERANCE}% of the pre-trained error above it)`,
  'not-at-small': `but not below ${fractionLabel(CATCH_UP_DOWN_TO)} of the labels (the longest schedule from scratch ends above pre-training)`,
  faster: `pre-training speeds up convergence (lower error than scratch at the same schedule after a quarter of it)`,
  'bn-suffers': 'batch norm at this small batch ends worse than group norm (from scratch, longest schedule)',
};

const diffText = (d: MeanDifference): string => `${pp(d.difference)}${Number.isFinite(d.lo) ? ` [${pp(d.lo)}, ${pp(d.hi)}]` : ''}`;

function claimTable(c: RethinkingClaim): Html {
  const first = c.rows[0]!;
  const rows = c.rows.map(
    (r) => html`<tr data-verdict="${holdsAttr(r.verdict)}"><td class="num">${fractionLabel(r.fraction)}</td><td>${r.at}</td><td class="num">${pctCi(r.a)}</td><td class="num">${pctCi(r.b)}</td><td class="num diff${r.difference.hi < 0 ? ' better' : r.difference.lo > 0 ? ' worse' : ''}">${diffText(r.difference)}</td><td class="num">${r.difference.n}</td><td class="num">${fmtP(r.difference.p)} / ${fmtP(r.pHolm)}</td><td>${verdictHtml(r.verdict, r.sure)}</td></tr>`,
  );
  return html`<table class="rethinking-claim" data-claim="${c.claim}" data-panel="${c.rest}" data-rows="${c.rows.length}"><caption>${c.rest === '(all)' ? '' : `${c.rest}: `}${CLAIM_TEXT[c.claim]}</caption><thead><tr><th class="num">labels</th><th>read</th><th class="num">${first.a.arm} error %</th><th class="num">${first.b.arm} error %</th><th class="num">difference (points)</th><th class="num">seeds</th><th class="num">p / Holm p</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function claimList(claims: readonly RethinkingClaim[]): Html {
  const items = claims.map((c) => {
    const detail = c.rows.map((r) => `${fractionLabel(r.fraction)}: ${diffText(r.difference)}`).join('; ');
    return html`<li data-claim="${c.claim}" data-panel="${c.rest}" data-holds="${holdsAttr(c.verdict)}">${c.rest === '(all)' ? '' : `${c.rest}: `}${CLAIM_TEXT[c.claim]} (difference in points, 95% interval: ${detail}): ${verdictHtml(c.verdict, c.sure)}.</li>`;
  });
  return html`<ul id="rethinking-claims">${items}</ul>`;
}

/** Chart geometry. */
const G = { width: 880, facetHeight: 190, marginTop: 30, marginRight: 100, marginBottom: 44, marginLeft: 56 };

/** The chart from the mean curves (null when there is none). */
export function errorVsUpdatesChart(rows: readonly UpdatesRow[], arms: readonly ScheduleArm[]): Chart | null {
  const pts = rows.filter((r) => r.mean > 0).map((r) => ({ ...r, col: fractionLabel(r.fraction), y: 100 * r.mean, y1: 100 * r.lo, y2: 100 * r.hi }));
  if (pts.length === 0) return null;
  const order = [...new Set(arms.map((a) => a.arm))].sort((a, b) => Number(b.startsWith('pre')) - Number(a.startsWith('pre')) || parseFloat(a.split(' ')[1]!) - parseFloat(b.split(' ')[1]!));
  const cols = [...new Set(pts.map((r) => r.fraction))].sort((a, b) => b - a).map(fractionLabel);
  const restRows = [...new Set(pts.map((r) => r.rest))];
  const band = pts.filter((r) => Number.isFinite(r.y1) && r.y1 > 0 && Number.isFinite(r.y2));
  const ys = [...pts.map((r) => r.y), ...band.flatMap((r) => [r.y1, r.y2])];
  const lo = Math.min(...ys), hi = Math.max(...ys), pad = Math.pow(Math.max(hi / lo, 1.5), 0.04);
  const axis: ValueAxis = { type: 'log', domain: [lo / pad, hi * pad], label: 'test error (%), log scale' };
  const marks1x = [...new Set(arms.filter((a) => a.pretrained).map(armUpdates))].filter((u) => u > 0);
  const cells = new Set(pts.map((r) => r.label));
  const svg = plotToSvg({
    width: G.width,
    height: G.marginTop + G.marginBottom + G.facetHeight * restRows.length,
    marginTop: G.marginTop, marginRight: G.marginRight, marginBottom: G.marginBottom, marginLeft: G.marginLeft,
    style: { fontSize: '12px' },
    fx: { label: 'labels used', domain: cols },
    fy: { label: null, domain: restRows, axis: restRows.length > 1 ? 'right' : null },
    x: { label: 'updates (training iterations)', grid: true, tickFormat: '~s', ticks: 4 },
    y: valueScaleOptions(axis),
    color: { domain: order, range: order.map((_, i) => ARM_COLORS[i % ARM_COLORS.length]!), legend: true },
    marks: [
      ...valueAxisMarks(axis, 'y'),
      ...marks1x.flatMap((u) => [Plot.ruleX([EARLY_MARK * u, u], { stroke: '#b8bec9', strokeDasharray: '3,3' })]),
      Plot.areaY(band, { fx: 'col', fy: 'rest', x: 'updates', y1: 'y1', y2: 'y2', z: 'label', fill: 'arm', fillOpacity: 0.15 }),
      Plot.line(pts, { fx: 'col', fy: 'rest', x: 'updates', y: 'y', z: 'label', stroke: 'arm', strokeWidth: 1.8, className: 'm-updates' }),
      Plot.dot(pts, { fx: 'col', fy: 'rest', x: 'updates', y: 'y', fill: 'arm', r: 1.8, title: (r: (typeof pts)[number]) => `${r.label} at ${r.updates} updates: ${r.y.toFixed(2)}% (n=${r.n})` }),
    ],
  });
  const seeds = Math.max(...pts.map((r) => r.n));
  return {
    id: 'chart-error-vs-updates',
    title: 'Test error vs training iterations',
    caption: `Target test error after each evaluated epoch against the updates done, one line per arm${seeds > 1 ? ' (mean over seeds, band: 95% t-interval)' : ''}; columns: fraction of the training labels used; ${restRows.length > 1 ? `rows: ${restRows.join(', ')}` : restRows[0]}. Dashed lines: a quarter of the pre-trained arm's schedule (where "early" is read) and its end. Cf. He, Girshick & Dollar 2019, Figs. 1 and 5-6 (as retold in the seed). Log scale.`,
    svg,
    markSelector: '.m-updates path',
    marks: cells.size,
  };
}

/** The section: chart, claims and their tables; null when no cell recorded its updates (a study of another kind). */
export function errorVsUpdatesSection(cells: readonly CellSummary[], factor: string | null, baseline: unknown): { chart: Chart; body: Html; claims: RethinkingClaim[] } | null {
  const arms = scheduleArms(cells, factor, baseline);
  const chart = errorVsUpdatesChart(updatesRows(arms), arms);
  if (!chart) return null;
  const claims = rethinkingClaims(arms);
  const body = claims.length
    ? html`<p class="note">Each claim compares two arms over the evaluation seeds: their test errors (mean [95% t-interval]) and the difference, first minus second, in percentage points with its 95% bootstrap interval (paired by seed; expanded percentile). A claim <b>holds</b> when the interval settles it, <b>does not hold</b> when the interval settles the opposite, and is <b>not settled</b> when the interval admits both; an interval that settles a row by excluding 0 counts only when the paired t-test's p, Holm-adjusted over every row of this section, is below ${HOLM_LEVEL} (a row that holds by staying within a tolerance needs no test). A claim over several fractions holds when every row does and fails when one fails.</p>${claimList(claims)}${claims.map(claimTable)}`
    : html`<p class="note">No pre-trained and from-scratch arms to compare.</p>`;
  return { chart, body, claims };
}
