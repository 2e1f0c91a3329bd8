/**
 * What the online figures (Erhan et al. 2010, Section 8, Figs. 11-13) read from a trial record of an
 * online trial (contract C2 of issue 13): the supervised blocks of its history (`streamPosition`,
 * `examplesSeen`, `onlineError`), `analysis.online` (`trainErrorByBlock`, the `testOutputs` side
 * file), and the statistics their tables share: a mean over seeds with its 95% t-interval, and an arm
 * minus the baseline arm over seeds with its bootstrap interval (paired by seed, as the study's
 * other comparisons; no interval with fewer than two seeds per arm).
 */
import type { Rng } from '../rng/rng.ts';
import { mean } from '../stats/descriptive.ts';
import { meanConfidenceInterval, type MeanCi } from '../stats/mean-ci.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { TrialRecord } from '../experiments/store.ts';
import type { OnlineSummary, TrialResult } from '../train/trial-result.ts';
import { splitCell } from './charts.ts';
import { html, type Html } from './html.ts';
import { meanDifference, type MeanDifference } from './nll-trajectories.ts';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The trial's `analysis.online`, or null when it is not an online trial (or the record predates it). */
export function onlineSummary(result: TrialResult | null | undefined): OnlineSummary | null {
  const o = result?.analysis?.online;
  return o && typeof o === 'object' && isNum(o.examples) ? o : null;
}

/** One supervised block of an online trial: where it ends and the online error there. */
export interface OnlinePoint {
  /** Stream position at the block's end, pre-training examples included (Fig. 11's x). */
  position: number;
  /** Supervised examples so far. */
  examplesSeen: number;
  /** Moving average of the error measured before each update over the last `online.window` examples. */
  onlineError: number;
}

/** The supervised blocks of a trial's history, in order (empty for a trial without online values). */
export function onlineCurve(result: TrialResult | null | undefined): OnlinePoint[] {
  const out: OnlinePoint[] = [];
  for (const m of result?.history ?? []) {
    const v = m.values;
    if (m.phase !== 'finetune' || !isNum(v['onlineError']) || !isNum(v['examplesSeen'])) continue;
    out.push({ position: isNum(v['streamPosition']) ? v['streamPosition'] : v['examplesSeen'], examplesSeen: v['examplesSeen'], onlineError: v['onlineError'] });
  }
  return out;
}

/** One value of one seed. */
export interface SeedValue {
  seed: number;
  value: number;
}

/** Mean over seeds with the 95% t-interval (NaN bounds with fewer than two seeds). */
export function seedMean(xs: readonly SeedValue[]): MeanCi {
  return meanConfidenceInterval(xs.map((x) => x.value));
}

/** Arm `a` minus arm `b` over seeds (`meanDifference`: paired on shared seeds), or the difference of the means without an interval when an arm has fewer than two seeds. */
export function seedDifference(a: readonly SeedValue[], b: readonly SeedValue[], rng: Rng): MeanDifference {
  if (a.length >= 2 && b.length >= 2) return meanDifference(a, b, rng);
  const d = a.length && b.length ? mean(a.map((x) => x.value)) - mean(b.map((x) => x.value)) : NaN;
  return { difference: d, lo: NaN, hi: NaN, p: NaN, n: Math.min(a.length, b.length), paired: false };
}

/** The direction a difference shows: below 0 with its interval (`sure`), or only in its point estimate (no interval). */
export function below(d: MeanDifference): { holds: boolean; sure: boolean } {
  return Number.isFinite(d.hi) ? { holds: d.hi < 0, sure: true } : { holds: d.difference < 0, sure: false };
}

/** A cell's records split by arm (the comparison factor's level) and panel (the other factors). */
export interface ArmRecords {
  panel: string;
  arm: string;
  label: string;
  records: TrialRecord[];
}

/**
 * The name of the arm whose comparison-factor level is `level`: a string level as it is (`none`,
 * `dbn`), any other with the factor's name (`pretrain.layers=2`, Fig. 14's k), so that a legend or
 * a claim never reads a bare `2`. The baseline's arm is `armName(factor, baseline)`.
 */
export function armName(factor: string | null, level: unknown): string {
  if (typeof level === 'string') return level;
  return factor ? `${factor}=${JSON.stringify(level)}` : JSON.stringify(level);
}

/** The finished records of every cell, with its arm (`armName`) and panel; cells in their order. */
export function armRecords(cells: readonly CellSummary[], factor: string | null): ArmRecords[] {
  return cells.map((c) => {
    const { group, x } = splitCell(c.cell, factor);
    const arm = factor && factor in c.cell ? armName(factor, c.cell[factor]) : group;
    return { panel: x, arm, label: c.label, records: c.records.filter((r) => r.status === 'done' && r.result) };
  });
}

/** The arms in display order: the baseline first, then the others as they come. */
export function orderArms(arms: readonly string[], baseline: unknown): string[] {
  const uniq = [...new Set(arms)];
  const base = String(baseline);
  return uniq.includes(base) ? [base, ...uniq.filter((a) => a !== base)] : uniq;
}

/**
 * The arm as a colour channel through the colour scale. Named as a field, an arm called `none`
 * (no pre-training) would be read by Plot as the CSS colour "none" and drawn invisible.
 */
export const ARM_CHANNEL = { value: 'arm', scale: 'color' } as const;

/** Arm colours: the baseline (no pre-training) dark grey, then blue, orange, green, ... */
export const ARM_COLORS = ['#59636e', '#4e79a7', '#f28e2c', '#59a14f', '#af7aa1', '#e15759'];

/** `12.34 [11.90, 12.78]`: a mean with its interval, as percentages (no interval: the mean alone). */
export function pctCi(e: { mean: number; lo: number; hi: number }): string {
  const p = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(2) : '-');
  return Number.isFinite(e.lo) ? `${p(e.mean)} [${p(e.lo)}, ${p(e.hi)}]` : p(e.mean);
}

/** Each pre-trained arm of each panel beside the panel's baseline arm (cells `keep` accepts; panels without the baseline left out). */
export function versusBaseline(cells: readonly ArmRecords[], baseline: unknown, keep: (c: ArmRecords) => boolean): { panel: string; base: ArmRecords; arm: ArmRecords }[] {
  const out: { panel: string; base: ArmRecords; arm: ArmRecords }[] = [];
  for (const panel of [...new Set(cells.map((c) => c.panel))]) {
    const inPanel = cells.filter((c) => c.panel === panel && keep(c));
    const base = inPanel.find((c) => c.arm === String(baseline));
    if (!base) continue;
    for (const arm of orderArms(inPanel.map((c) => c.arm), baseline).slice(1)) out.push({ panel, base, arm: inPanel.find((c) => c.arm === arm)! });
  }
  return out;
}

/** A claim's verdict: holds / does not hold, and whether it rests on point estimates alone. */
export function claimVerdict(ok: boolean, sure = true): Html {
  return html`<b class="${ok ? 'claim-yes' : 'claim-no'}">${ok ? 'holds' : 'does not hold'}</b>${sure ? '' : ' (one seed: point estimates, no interval)'}`;
}
