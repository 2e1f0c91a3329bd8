/**
 * Model selection as in the paper (Section 5.3): for each scientific cell, the nuisance setting
 * with the lowest mean validation error over the selection seeds is chosen; the cell is then
 * reported by the test error of that setting over the evaluation seeds (under the `same-seeds`
 * protocol both are the same seeds). Also the pre-trained-vs-not comparisons of the report.
 */
import { cohensD, mean, std } from '../stats/index.ts';
import type { WelchResult } from '../stats/welch.ts';
import { Rng } from '../rng/rng.ts';
import { cohensDz } from '../stats/cohens-d.ts';
import type { PairedTResult } from '../stats/paired-t.ts';
import { wilcoxonSignedRank, type WilcoxonResult } from '../stats/wilcoxon.ts';
import { BOOTSTRAP_RESAMPLES, type BootstrapCi, type BootstrapOptions } from '../stats/bootstrap.ts';
import { compareSeeded, type SeededValue } from '../stats/seeded-comparison.ts';
import { holmAdjust } from '../stats/holm.ts';
import { settingKey, settingLabel, type Setting, type TrialPhase } from './expand.ts';
import type { TrialRecord } from './store.ts';

/** The part of a planned trial selection needs. */
export interface SelectableTrial {
  cell: Setting;
  nuisance: Setting;
  seed: number;
  hash: string;
  /** Absent (stores written before the protocol): `evaluation`. */
  phase?: TrialPhase;
}

/** Score of one nuisance setting in one cell. */
export interface NuisanceScore {
  nuisance: Setting;
  /** Mean validation error over the (selection) seeds that finished; a diverged trial counts as error 1. */
  meanValidError: number;
  n: number;
  nDiverged: number;
  nMissing: number;
}

/** One scientific cell after selection. */
export interface CellSummary {
  cell: Setting;
  label: string;
  /** The chosen nuisance setting (empty when there is no nuisance grid). */
  chosen: Setting;
  /** Every setting's validation score over the seeds that chose (`selectionSeeds`). */
  candidates: NuisanceScore[];
  /**
   * How the setting was chosen: on selection seeds apart from the reported ones (`fresh-seeds`),
   * on the reported seeds themselves (`same-seeds`), or not at all (`none`: one setting only).
   */
  selection: 'fresh-seeds' | 'same-seeds' | 'none';
  /** The seeds whose validation errors chose the setting (sorted). */
  selectionSeeds: number[];
  /** The seeds whose trials are reported (planned, sorted; empty while selection is unfinished). */
  evaluationSeeds: number[];
  /** Test error of the chosen setting over its (non-diverged) evaluation seeds. */
  test: { mean: number; std: number; n: number; values: number[]; seeds: number[] };
  valid: { mean: number; std: number };
  nDiverged: number;
  nMissing: number;
  /** Records of the chosen setting's evaluation trials, in seed order (diverged ones included). */
  records: TrialRecord[];
}

function validError(r: TrialRecord): number {
  return r.status === 'done' && r.result ? r.result.final.valid.error : 1;
}

/** The trials of one cell, by nuisance setting (in first-appearance order). */
type SettingGroups = Map<string, { nuisance: Setting; trials: SelectableTrial[] }>;

function groupBySetting(trials: readonly SelectableTrial[]): SettingGroups {
  const out: SettingGroups = new Map();
  for (const t of trials) {
    const nk = settingKey(t.nuisance);
    let s = out.get(nk);
    if (!s) out.set(nk, (s = { nuisance: t.nuisance, trials: [] }));
    s.trials.push(t);
  }
  return out;
}

/** The records of `ts` found in `records`, in seed order, and how many are missing. */
function recordsOf(ts: readonly SelectableTrial[], records: ReadonlyMap<string, TrialRecord>): { recs: TrialRecord[]; nMissing: number } {
  const recs = ts.map((t) => records.get(t.hash)).filter((r): r is TrialRecord => r !== undefined);
  recs.sort((a, b) => a.seed - b.seed);
  return { recs, nMissing: ts.length - recs.length };
}

const sortedSeeds = (ts: readonly SelectableTrial[]): number[] => [...new Set(ts.map((t) => t.seed))].sort((a, b) => a - b);

/**
 * Groups trials by cell (in first-appearance order) and chooses, per cell, the nuisance setting of
 * lowest mean validation error (ties: the earlier setting in grid order). When a cell has
 * `selection` trials the choice is made on them alone and the cell reports the `evaluation` trials
 * of the chosen setting (none yet while selection runs); otherwise (`same-seeds`, or a single
 * setting) the same trials choose and report. Cells with no finished reported trial are returned
 * with n = 0 and NaN statistics.
 */
export function selectModels(trials: readonly SelectableTrial[], records: ReadonlyMap<string, TrialRecord>): CellSummary[] {
  const cells = new Map<string, { cell: Setting; selection: SelectableTrial[]; evaluation: SelectableTrial[] }>();
  for (const t of trials) {
    const ck = settingKey(t.cell);
    let c = cells.get(ck);
    if (!c) cells.set(ck, (c = { cell: t.cell, selection: [], evaluation: [] }));
    (t.phase === 'selection' ? c.selection : c.evaluation).push(t);
  }
  const out: CellSummary[] = [];
  for (const { cell, selection, evaluation } of cells.values()) {
    const fresh = selection.length > 0;
    const choosing = fresh ? selection : evaluation;
    const candidates: NuisanceScore[] = [];
    for (const { nuisance, trials: ts } of groupBySetting(choosing).values()) {
      const { recs, nMissing } = recordsOf(ts, records);
      candidates.push({ nuisance, meanValidError: mean(recs.map(validError)), n: recs.length, nDiverged: recs.filter((r) => r.status !== 'done').length, nMissing });
    }
    let best = candidates[0]!;
    for (const c of candidates) {
      if (c.n > 0 && (best.n === 0 || c.meanValidError < best.meanValidError)) best = c;
    }
    const chosenKey = settingKey(best.nuisance);
    const reported = evaluation.filter((t) => settingKey(t.nuisance) === chosenKey);
    const { recs, nMissing } = recordsOf(reported, records);
    const ok = recs.filter((r) => r.status === 'done' && r.result);
    const values = ok.map((r) => r.result!.final.test.error);
    const valids = ok.map((r) => r.result!.final.valid.error);
    out.push({
      cell,
      label: settingLabel(cell),
      chosen: best.nuisance,
      candidates,
      selection: fresh ? 'fresh-seeds' : candidates.length > 1 ? 'same-seeds' : 'none',
      selectionSeeds: sortedSeeds(choosing),
      evaluationSeeds: sortedSeeds(reported),
      test: { mean: mean(values), std: std(values), n: values.length, values, seeds: ok.map((r) => r.seed) },
      valid: { mean: mean(valids), std: std(valids) },
      nDiverged: recs.filter((r) => r.status !== 'done').length,
      nMissing,
      records: recs,
    });
  }
  return out;
}

/** The paired analysis of a comparison whose cells share evaluation seeds. */
export interface PairedAnalysis {
  /** The seeds both cells finished, ascending; pair i is the two cells' test errors on `seeds[i]`. */
  seeds: number[];
  /** Paired t-test of the cell's test errors minus the baseline's (two-sided). */
  t: PairedTResult;
  /** Wilcoxon signed-rank test of the same pairs (two-sided, scipy's defaults). */
  wilcoxon: WilcoxonResult;
  /** Cohen's d_z: mean paired difference over the standard deviation of the differences. */
  dz: number;
}

/**
 * A two-sided comparison of one cell with its baseline cell (same other factors). When the two
 * cells finished at least two common evaluation seeds the comparison is `paired` on those seeds
 * (their intersection; seeds only one cell finished are left out); otherwise it is `unpaired` (Welch).
 */
export interface Comparison {
  cell: CellSummary;
  baseline: CellSummary;
  design: 'paired' | 'unpaired';
  /**
   * Test error of the cell minus the baseline's (negative: the cell is better): the mean paired
   * difference over the common seeds when paired, else the difference of the cells' mean test errors.
   */
  difference: number;
  /** Percentile bootstrap 95% interval of `difference` (seeds resampled; both arms at once when paired). */
  ci: BootstrapCi;
  /** The paired tests, or null when the cells do not pair up. */
  paired: PairedAnalysis | null;
  /** Welch's t-test on all finished seeds of each cell (computed in both designs). */
  welch: WelchResult;
  /** Cohen's d of the cell's test errors minus the baseline's (all finished seeds). */
  cohensD: number;
  /** The comparison's p-value: the paired t-test's when paired, else Welch's. */
  p: number;
  /** `p` adjusted by Holm's step-down procedure over all comparisons of the study (NaN when p is). */
  pHolm: number;
}

/** Options of `compareCells`. */
export interface CompareOptions {
  /** Seed of the bootstrap streams (default 0); each comparison forks `bootstrap/<cell key>` from it. */
  seed?: number;
  /** Bootstrap resamples (default BOOTSTRAP_RESAMPLES, 10,000). */
  resamples?: number;
}

/** A cell's finished test errors with their seeds. */
function seeded(c: CellSummary): SeededValue[] {
  return c.test.seeds.map((seed, i) => ({ seed, value: c.test.values[i]! }));
}

/**
 * For every cell whose `factor` is not `baseline`, compares it with the cell equal in every other
 * factor but with `factor = baseline` (e.g. SDAE vs none at the same depth): paired t, Wilcoxon,
 * d_z and a paired bootstrap interval when the cells share at least two finished seeds, else Welch
 * and an unpaired bootstrap interval; then Holm's adjustment over all the comparisons returned.
 * The bootstrap stream of a comparison depends only on `opts.seed` and the cell, so the report is
 * reproducible and one comparison's interval does not move when another is added.
 */
export function compareCells(cells: readonly CellSummary[], factor: string, baseline: unknown, opts: CompareOptions = {}): Comparison[] {
  const out: Comparison[] = [];
  const b = JSON.stringify(baseline);
  const root = new Rng(opts.seed ?? 0).fork('bootstrap');
  const boot = (c: CellSummary): BootstrapOptions => ({ rng: root.fork(settingKey(c.cell)), resamples: opts.resamples ?? BOOTSTRAP_RESAMPLES });
  for (const c of cells) {
    if (!(factor in c.cell) || JSON.stringify(c.cell[factor]) === b) continue;
    const key = settingKey({ ...c.cell, [factor]: baseline });
    const base = cells.find((d) => settingKey(d.cell) === key);
    if (!base) continue;
    const k = compareSeeded(seeded(c), seeded(base), boot(c));
    out.push({
      cell: c,
      baseline: base,
      design: k.design,
      difference: k.difference,
      ci: k.ci,
      paired: k.pairedT ? { seeds: k.seeds, t: k.pairedT, wilcoxon: wilcoxonSignedRank(k.a, k.b), dz: cohensDz(k.a, k.b) } : null,
      welch: k.welch,
      cohensD: cohensD(c.test.values, base.test.values),
      p: k.p,
      pHolm: NaN,
    });
  }
  const adjusted = holmAdjust(out.map((k) => k.p));
  out.forEach((k, i) => (k.pHolm = adjusted[i]!));
  return out;
}
