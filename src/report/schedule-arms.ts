/**
 * What the figures of *Rethinking ImageNet Pre-training*'s study (`experiments/rethinking.ts`) read
 * from its cells: each cell as an arm (pre-trained or from scratch, and its schedule multiplier),
 * the fraction of the labels it trained on, and the other factors (e.g. the normalisation); each
 * trial's test and train error after every evaluated epoch against the updates done (`updates` in
 * the fine-tuning history); and the three-way verdict its claims share (`Verdict`): an interval
 * that settles the claim either way, or one too wide to.
 *
 * Roles in a group of cells that differ only in the arm (same fraction and other factors): the
 * *pre-trained* arm is the comparison's baseline (else the pre-trained arm of the shortest schedule);
 * *scratch 1x* the arm without pre-training at the pre-trained arm's multiplier (the same number of
 * updates); *scratch longest* the arm without pre-training at the largest multiplier.
 */
import { settingLabel, type Setting } from '../experiments/expand.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { TrialRecord } from '../experiments/store.ts';
import type { TrialResult } from '../train/trial-result.ts';
import { holmAdjust } from '../stats/holm.ts';
import { html, type Html } from './html.ts';
import type { MeanDifference } from './nll-trajectories.ts';

/** The factor of the labelled fraction (`data.labeled`). */
export const FRACTION_KEY = 'data.labeled';

/** The fraction of the labels from which the retelling says scratch catches up ("down to 10k images", a tenth of COCO); below it is its "very small data regime". */
export const CATCH_UP_DOWN_TO = 0.1;

/** One cell of the study, read as an arm. */
export interface ScheduleArm {
  /** The cell's label (every factor). */
  label: string;
  /** The arm in words: `pre-trained 1x`, `scratch 4x`. */
  arm: string;
  /** The fraction of the training labels used (1 when the cell does not set it). */
  fraction: number;
  /** The other factors without the arm and the fraction, e.g. `norm=group` (`(all)` when none). */
  rest: string;
  /** Their levels, e.g. `{ 'model.norm': 'group' }`. */
  others: Setting;
  pretrained: boolean;
  multiplier: number;
  /** True for the comparison's baseline cell. */
  baseline: boolean;
  /** Finished trials, in seed order. */
  records: TrialRecord[];
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The arm's words from its first record's config: `pre-trained 1x`, `scratch 4x`. */
export function armName(pretrained: boolean, multiplier: number): string {
  return `${pretrained ? 'pre-trained' : 'scratch'} ${multiplier}x`;
}

/**
 * Every cell with finished trials as a `ScheduleArm`; `factor`/`baseline` are the study's
 * comparison (the arm factor and its baseline level). Cells without a finished trial are left out.
 */
export function scheduleArms(cells: readonly CellSummary[], factor: string | null, baseline: unknown): ScheduleArm[] {
  const out: ScheduleArm[] = [];
  const base = JSON.stringify(baseline);
  for (const c of cells) {
    const records = c.records.filter((r) => r.status === 'done' && r.result);
    const cfg = records[0]?.config;
    if (!cfg) continue;
    const others = Object.fromEntries(Object.entries(c.cell).filter(([k]) => k !== factor && k !== FRACTION_KEY));
    const f = c.cell[FRACTION_KEY] ?? cfg.data.labeled ?? 1;
    const pretrained = cfg.pretrain.kind !== 'none' && cfg.pretrain.layers !== 0;
    const multiplier = cfg.finetune.multiplier;
    out.push({
      label: c.label,
      arm: armName(pretrained, multiplier),
      fraction: typeof f === 'number' ? f : 1,
      rest: settingLabel(others),
      others,
      pretrained,
      multiplier,
      baseline: factor !== null && factor in c.cell && JSON.stringify(c.cell[factor]) === base,
      records,
    });
  }
  return out;
}

/** The arms of one group (fraction and other factors) in their roles; any may be missing. */
export interface ArmRoles {
  rest: string;
  others: Setting;
  fraction: number;
  pretrained?: ScheduleArm;
  scratch1x?: ScheduleArm;
  scratchLongest?: ScheduleArm;
}

/** The groups of `arms` (by other factors, then fraction, largest first) and each one's roles (module comment). */
export function armRoles(arms: readonly ScheduleArm[]): ArmRoles[] {
  const keys = [...new Set(arms.map((a) => JSON.stringify([a.rest, a.fraction])))];
  const groups = keys.map((k) => JSON.parse(k) as [string, number]);
  const restOrder = [...new Set(arms.map((a) => a.rest))];
  groups.sort((a, b) => restOrder.indexOf(a[0]) - restOrder.indexOf(b[0]) || b[1] - a[1]);
  return groups.map(([rest, fraction]) => {
    const g = arms.filter((a) => a.rest === rest && a.fraction === fraction);
    const pre = g.filter((a) => a.pretrained).sort((a, b) => Number(b.baseline) - Number(a.baseline) || a.multiplier - b.multiplier)[0];
    const scratch = g.filter((a) => !a.pretrained).sort((a, b) => a.multiplier - b.multiplier);
    const s1 = pre ? scratch.find((a) => a.multiplier === pre.multiplier) : scratch[0];
    const longest = scratch.at(-1);
    return { rest, others: g[0]!.others, fraction, ...(pre ? { pretrained: pre } : {}), ...(s1 ? { scratch1x: s1 } : {}), ...(longest ? { scratchLongest: longest } : {}) };
  });
}

/** One evaluated epoch of fine-tuning: updates done by its end, test and train error there. */
export interface UpdatesPoint {
  updates: number;
  testError: number;
  trainError: number;
}

/** The fine-tuning entries of a trial's history that record their updates, in order (empty for records made before `updates` was recorded). */
export function updatesCurve(result: TrialResult | null | undefined): UpdatesPoint[] {
  const out: UpdatesPoint[] = [];
  for (const m of result?.history ?? []) {
    const v = m.values;
    if (m.phase !== 'finetune' || !isNum(v['updates']) || !isNum(v['testError'])) continue;
    out.push({ updates: v['updates'], testError: v['testError'], trainError: isNum(v['trainError']) ? v['trainError'] : NaN });
  }
  return out;
}

/** The first evaluated point at or after `at` updates (undefined when the trial never got there). */
export function pointAt(result: TrialResult | null | undefined, at: number): UpdatesPoint | undefined {
  return updatesCurve(result).find((p) => p.updates >= at - 1e-9);
}

/** The length of an arm's run in updates: its longest curve's last point. */
export function armUpdates(a: ScheduleArm): number {
  return Math.max(0, ...a.records.map((r) => updatesCurve(r.result).at(-1)?.updates ?? 0));
}

/**
 * A claim's three outcomes: `holds` and `does-not-hold` when the 95% interval settles it, else
 * `not-settled` (the interval admits both). With one seed there is no interval and the point
 * estimate decides (`sure` false).
 */
export type Verdict = 'holds' | 'does-not-hold' | 'not-settled';

/** The level at which a Holm-adjusted p-value counts. */
export const HOLM_LEVEL = 0.05;

/** A claim's row as `holmSettle` sees it. */
export interface TestedRow {
  difference: MeanDifference;
  verdict: Verdict;
  /** True when the verdict rests on the interval excluding 0 (not on a tolerance the interval stays within). */
  viaZero: boolean;
  /** The paired t-test's p adjusted by Holm over the rows settled together (NaN without an interval). */
  pHolm: number;
}

/**
 * Holm's step-down adjustment over every row of a section (the p of each row's paired t-test): a
 * verdict that rests on the interval excluding 0 stands only when its Holm-adjusted p is below
 * `HOLM_LEVEL`, else the row is `not-settled` (the convention of the transfer-modes report). Rows
 * without an interval (one seed) keep their point-estimate verdicts. Mutates the rows.
 */
export function holmSettle(rows: readonly TestedRow[]): void {
  const adjusted = holmAdjust(rows.map((r) => (Number.isFinite(r.difference.lo) ? r.difference.p : NaN)));
  rows.forEach((r, i) => {
    r.pHolm = adjusted[i]!;
    if (r.viaZero && Number.isFinite(r.difference.lo) && !(r.pHolm < HOLM_LEVEL)) r.verdict = 'not-settled';
  });
}

/** `holds` when every row holds, `does-not-hold` when one does not, else `not-settled` (no row: `not-settled`). */
export function overallVerdict(rows: readonly Verdict[]): Verdict {
  if (rows.length === 0) return 'not-settled';
  if (rows.includes('does-not-hold')) return 'does-not-hold';
  return rows.every((v) => v === 'holds') ? 'holds' : 'not-settled';
}

/**
 * The verdict on "`d` is at most `tolerance`" (e.g. scratch minus pre-trained error, tolerance a
 * share of the pre-trained error: "catches up"): holds when the interval lies at or below it and
 * reaches 0 (`lo <= 0`, `hi <= tolerance`), does not hold when it lies above 0 (`lo > 0`: behind).
 * Without an interval, the point estimate against the tolerance.
 */
export function atMost(d: MeanDifference, tolerance: number): Verdict {
  if (!Number.isFinite(d.lo)) return Number.isFinite(d.difference) ? (d.difference <= tolerance ? 'holds' : 'does-not-hold') : 'not-settled';
  if (d.lo > 0) return 'does-not-hold';
  return d.hi <= tolerance ? 'holds' : 'not-settled';
}

/** The verdict on "`d` is below 0": holds when the interval lies below 0, does not hold when it lies above 0; without an interval, the point estimate's sign. */
export function below0(d: MeanDifference): Verdict {
  if (!Number.isFinite(d.lo)) return Number.isFinite(d.difference) ? (d.difference < 0 ? 'holds' : 'does-not-hold') : 'not-settled';
  return d.hi < 0 ? 'holds' : d.lo > 0 ? 'does-not-hold' : 'not-settled';
}

/** The verdict on "`d` is above 0" (`below0` of `-d`). */
export function above0(d: MeanDifference): Verdict {
  return below0({ ...d, difference: -d.difference, lo: -d.hi, hi: -d.lo });
}

/** The verdict as the report shows it: bold `holds` / `does not hold` / `not settled`, with a note when it rests on one seed. */
export function verdictHtml(v: Verdict, sure = true): Html {
  const text = v === 'holds' ? 'holds' : v === 'does-not-hold' ? 'does not hold' : 'not settled';
  const cls = v === 'holds' ? 'claim-yes' : v === 'does-not-hold' ? 'claim-no' : 'claim-open';
  return html`<b class="${cls}">${text}</b>${sure ? '' : ' (one seed: point estimates, no interval)'}`;
}

/** The `data-holds` attribute of a claim: `true`, `false` or `unsettled`. */
export function holdsAttr(v: Verdict): string {
  return v === 'holds' ? 'true' : v === 'does-not-hold' ? 'false' : 'unsettled';
}

/** `labeled=0.1` as a percentage: `10%`. */
export function fractionLabel(f: number): string {
  return `${+(100 * f).toPrecision(3)}%`;
}
