/**
 * The `train-test-gap` figure of the rethinking study: the overfitting of each arm, as the final
 * training error (open dot) and test error (filled dot) joined by a bar (the gap), one panel per
 * fraction of the labels (columns) and other factors (rows), means over seeds. He, Girshick &
 * Dollar 2019 as the seed retells them: "ImageNet pre-training ... does not necessarily help reduce
 * overfitting unless we enter a very small data regime"; with less data "the fine-tune approach
 * starts overfitting after some iterations".
 *
 * The claims, with 95% intervals (paired bootstrap over seeds) and a `Verdict` each:
 * - no-less-overfitting: at every fraction of 10% or more, the pre-trained arm's gap (test minus
 *   train error at the end) is not smaller than that of scratch at the same schedule: the
 *   difference's interval lies above minus `GAP_TOLERANCE` of the scratch gap (`atMost` of the
 *   reversed difference); it does not hold when the interval lies below 0;
 * - small-data exception: below 10% of the labels, pre-training does reduce the gap (interval below 0).
 * As in the rethinking claims, a row settled by its interval excluding 0 also needs a Holm-adjusted
 * p below 0.05 over the section's rows (`holmSettle`).
 * The tables also give each arm's late rise: its final test error minus the lowest along its curve
 * (mean over seeds), the "starts overfitting after some iterations" of the retelling.
 * Where the training error is 0 (the arm fits its labels), the gap is the test error itself.
 */
import * as Plot from '@observablehq/plot';
import { Rng } from '../rng/rng.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { Chart } from './charts.ts';
import { pp } from './difference-interval.ts';
import { fmtP } from './format.ts';
import { html, type Html } from './html.ts';
import type { MeanDifference } from './nll-trajectories.ts';
import { ARM_COLORS, pctCi, seedDifference, seedMean, type SeedValue } from './online-results.ts';
import { plotToSvg } from './plot-svg.ts';
import { armRoles, atMost, CATCH_UP_DOWN_TO, below0, fractionLabel, holdsAttr, HOLM_LEVEL, holmSettle, overallVerdict, scheduleArms, updatesCurve, verdictHtml, type ScheduleArm, type Verdict } from './schedule-arms.ts';

/** "Not smaller": the pre-trained gap is at most this share of the scratch gap below it (with 95% confidence). */
export const GAP_TOLERANCE = 0.2;

/** An arm's final errors and gap per seed. */
export interface ArmGap {
  arm: ScheduleArm;
  train: SeedValue[];
  test: SeedValue[];
  /** Test minus train error at the end, per seed. */
  gap: SeedValue[];
  /** Final test error minus the lowest test error along the seed's curve. */
  rise: SeedValue[];
}

/** The final errors, gaps and late rises of an arm's trials. */
export function armGap(a: ScheduleArm): ArmGap {
  const pick = (f: (r: ScheduleArm['records'][number]) => number): SeedValue[] => a.records.map((r) => ({ seed: r.seed, value: f(r) })).filter((x) => Number.isFinite(x.value));
  return {
    arm: a,
    train: pick((r) => r.result!.final.train.error),
    test: pick((r) => r.result!.final.test.error),
    gap: pick((r) => r.result!.final.test.error - r.result!.final.train.error),
    rise: pick((r) => {
      const c = updatesCurve(r.result);
      return c.length ? r.result!.final.test.error - Math.min(...c.map((p) => p.testError)) : NaN;
    }),
  };
}

/** One row of the gap claims: a fraction, the pre-trained and scratch gaps and their difference. */
export interface GapRow {
  rest: string;
  fraction: number;
  pretrained: ArmGap;
  scratch: ArmGap;
  /** Pre-trained gap minus scratch gap. */
  difference: MeanDifference;
  verdict: Verdict;
  /** True when the verdict rests on the interval excluding 0 (then it also needs Holm p < 0.05, `holmSettle`). */
  viaZero: boolean;
  /** The difference's paired t p, Holm-adjusted over every row of the section. */
  pHolm: number;
  sure: boolean;
}

/** A gap claim over its rows. */
export interface GapClaim {
  claim: 'no-less-overfitting' | 'small-data-exception';
  rest: string;
  rows: GapRow[];
  verdict: Verdict;
  sure: boolean;
}

/** The claims (module comment), per other-factor group; claims without rows are left out. */
export function gapClaims(arms: readonly ScheduleArm[]): GapClaim[] {
  const root = new Rng(0).fork('train-test-gap');
  const roles = armRoles(arms);
  const out: GapClaim[] = [];
  for (const rest of [...new Set(roles.map((g) => g.rest))]) {
    const rows = roles.filter((g) => g.rest === rest && g.pretrained && g.scratch1x).map((g): GapRow => {
      const p = armGap(g.pretrained!), s = armGap(g.scratch1x!);
      const d = seedDifference(p.gap, s.gap, root.fork(rest, g.fraction));
      const large = g.fraction >= CATCH_UP_DOWN_TO - 1e-12;
      const tolerance = GAP_TOLERANCE * Math.abs(seedMean(s.gap).mean);
      // Not smaller: -d at most the tolerance (d at least -tolerance). The exception: d below 0.
      const verdict = large ? atMost({ ...d, difference: -d.difference, lo: -d.hi, hi: -d.lo }, tolerance) : below0(d);
      const viaZero = large ? verdict === 'does-not-hold' : verdict !== 'not-settled';
      return { rest, fraction: g.fraction, pretrained: p, scratch: s, difference: d, verdict, viaZero, pHolm: NaN, sure: Number.isFinite(d.lo) };
    });
    for (const [name, rs] of [['no-less-overfitting', rows.filter((r) => r.fraction >= CATCH_UP_DOWN_TO - 1e-12)], ['small-data-exception', rows.filter((r) => r.fraction < CATCH_UP_DOWN_TO - 1e-12)]] as const) {
      if (rs.length) out.push({ claim: name, rest, rows: rs, verdict: 'not-settled', sure: rs.every((r) => r.sure) });
    }
  }
  holmSettle(out.flatMap((c) => c.rows));
  for (const c of out) c.verdict = overallVerdict(c.rows.map((r) => r.verdict));
  return out;
}

const CLAIM_TEXT: Record<GapClaim['claim'], string> = {
  'no-less-overfitting': `from ${fractionLabel(CATCH_UP_DOWN_TO)} of the labels up, pre-training does not by itself reduce overfitting (its train-test gap is not smaller than scratch's at the same schedule, within ${100 * GAP_TOLERANCE}% of it)`,
  'small-data-exception': `below ${fractionLabel(CATCH_UP_DOWN_TO)} of the labels (the "very small data regime"), pre-training reduces the gap`,
};

const diffText = (d: MeanDifference): string => `${pp(d.difference)}${Number.isFinite(d.lo) ? ` [${pp(d.lo)}, ${pp(d.hi)}]` : ''}`;

function gapTable(c: GapClaim): Html {
  const cells = (g: ArmGap): Html => html`<td class="num">${pctCi(seedMean(g.train))}</td><td class="num">${pctCi(seedMean(g.test))}</td><td class="num">${pctCi(seedMean(g.gap))}</td><td class="num">${pctCi(seedMean(g.rise))}</td>`;
  const rows = c.rows.flatMap((r) => [
    html`<tr data-verdict="${holdsAttr(r.verdict)}"><td class="num" rowspan="2">${fractionLabel(r.fraction)}</td><td>${r.pretrained.arm.arm}</td>${cells(r.pretrained)}<td class="num diff" rowspan="2">${diffText(r.difference)}</td><td class="num" rowspan="2">${fmtP(r.difference.p)} / ${fmtP(r.pHolm)}</td><td rowspan="2">${verdictHtml(r.verdict, r.sure)}</td></tr>`,
    html`<tr><td>${r.scratch.arm.arm}</td>${cells(r.scratch)}</tr>`,
  ]);
  return html`<table class="train-test-gap" data-claim="${c.claim}" data-panel="${c.rest}" data-rows="${c.rows.length}"><caption>${c.rest === '(all)' ? '' : `${c.rest}: `}${CLAIM_TEXT[c.claim]}</caption><thead><tr><th class="num">labels</th><th>arm</th><th class="num">train error %</th><th class="num">test error %</th><th class="num">gap (points)</th><th class="num">late rise (points)</th><th class="num">pre-trained gap - scratch gap</th><th class="num">p / Holm p</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function claimList(claims: readonly GapClaim[]): Html {
  return html`<ul id="gap-claims">${claims.map(
    (c) =>
      html`<li data-claim="${c.claim}" data-panel="${c.rest}" data-holds="${holdsAttr(c.verdict)}">${c.rest === '(all)' ? '' : `${c.rest}: `}${CLAIM_TEXT[c.claim]} (pre-trained gap minus scratch gap in points, 95% interval: ${c.rows.map((r) => `${fractionLabel(r.fraction)}: ${diffText(r.difference)}`).join('; ')}): ${verdictHtml(c.verdict, c.sure)}.</li>`,
  )}</ul>`;
}

/** The dumbbell chart of final train and test error per arm and panel (null when no arm has data). */
export function trainTestGapChart(arms: readonly ScheduleArm[]): Chart | null {
  const rows = arms.map(armGap).filter((g) => g.test.length > 0).map((g) => ({
    label: g.arm.label, arm: g.arm.arm, rest: g.arm.rest, col: fractionLabel(g.arm.fraction), fraction: g.arm.fraction,
    train: 100 * seedMean(g.train).mean, test: 100 * seedMean(g.test).mean, n: g.test.length,
  }));
  if (rows.length === 0) return null;
  const order = [...new Set(rows.map((r) => r.arm))].sort((a, b) => Number(b.startsWith('pre')) - Number(a.startsWith('pre')) || parseFloat(a.split(' ')[1]!) - parseFloat(b.split(' ')[1]!));
  const cols = [...new Set(rows.map((r) => r.fraction))].sort((a, b) => b - a).map(fractionLabel);
  const restRows = [...new Set(rows.map((r) => r.rest))];
  const svg = plotToSvg({
    width: 880,
    height: 74 + 180 * restRows.length,
    marginTop: 30, marginRight: 100, marginBottom: 44, marginLeft: 56,
    style: { fontSize: '12px' },
    fx: { label: 'labels used', domain: cols },
    fy: { label: null, domain: restRows, axis: restRows.length > 1 ? 'right' : null },
    x: { label: null, domain: order, axis: null, padding: 0.3 },
    y: { label: 'error (%): train (open) and test (filled)', grid: true, nice: true, zero: true },
    color: { domain: order, range: order.map((_, i) => ARM_COLORS[i % ARM_COLORS.length]!), legend: true },
    marks: [
      Plot.ruleX(rows, { fx: 'col', fy: 'rest', x: 'arm', y1: 'train', y2: 'test', stroke: 'arm', strokeWidth: 3, strokeOpacity: 0.5 }),
      Plot.dot(rows, { fx: 'col', fy: 'rest', x: 'arm', y: 'train', stroke: 'arm', fill: 'white', r: 3.5 }),
      Plot.dot(rows, { fx: 'col', fy: 'rest', x: 'arm', y: 'test', fill: 'arm', r: 4, className: 'm-gap', title: (r: (typeof rows)[number]) => `${r.label}: train ${r.train.toFixed(2)}%, test ${r.test.toFixed(2)}%, gap ${(r.test - r.train).toFixed(2)} points (n=${r.n})` }),
    ],
  });
  return {
    id: 'chart-train-test-gap',
    title: 'Overfitting: final train vs test error',
    caption: `Final training error (open dot) and test error (filled dot) of each arm, joined by a bar: the train-test gap, means over the evaluation seeds; columns: fraction of the training labels used; ${restRows.length > 1 ? `rows: ${restRows.join(', ')}` : restRows[0]}. Arms left to right: ${order.join(', ')}.`,
    svg,
    markSelector: '.m-gap circle',
    marks: rows.length,
  };
}

/** The section: chart, claims and tables; null when no cell has finished trials. */
export function trainTestGapSection(cells: readonly CellSummary[], factor: string | null, baseline: unknown): { chart: Chart; body: Html; claims: GapClaim[] } | null {
  const arms = scheduleArms(cells, factor, baseline);
  const chart = trainTestGapChart(arms);
  if (!chart) return null;
  const claims = gapClaims(arms);
  const body = claims.length
    ? html`<p class="note">Gap: final test error minus final training error (on the labels the arm trained on), in percentage points, mean [95% t-interval] over the evaluation seeds; late rise: final test error minus the lowest test error along the arm's curve. The difference of gaps (pre-trained minus scratch at the same schedule) has a 95% bootstrap interval paired by seed. Where an arm's training error is 0, its gap is its test error. A row settled by its interval excluding 0 counts only when the paired t-test's p, Holm-adjusted over every row of this section, is below ${HOLM_LEVEL}; "not smaller" holds when the interval stays above minus ${100 * GAP_TOLERANCE}% of the scratch gap and reaches 0.</p>${claimList(claims)}${claims.map(gapTable)}`
    : html`<p class="note">No pre-trained and from-scratch arms at the same schedule to compare.</p>`;
  return { chart, body, claims };
}
