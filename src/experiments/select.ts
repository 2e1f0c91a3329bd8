/**
 * Model selection as in the paper (Section 5.3): for each scientific cell, the nuisance setting
 * with the lowest mean validation error over seeds is chosen; the cell is then reported by the test
 * error of that setting over seeds. Also the pre-trained-vs-not comparisons of the report.
 */
import { cohensD, mean, std } from '../stats/index.ts';
import { welchTTest, type WelchResult } from '../stats/welch.ts';
import { settingKey, settingLabel, type Setting } from './expand.ts';
import type { TrialRecord } from './store.ts';

/** The part of a planned trial selection needs. */
export interface SelectableTrial {
  cell: Setting;
  nuisance: Setting;
  seed: number;
  hash: string;
}

/** Score of one nuisance setting in one cell. */
export interface NuisanceScore {
  nuisance: Setting;
  /** Mean validation error over the seeds that finished; a diverged trial counts as error 1. */
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
  candidates: NuisanceScore[];
  /** Test error of the chosen setting over its (non-diverged) seeds. */
  test: { mean: number; std: number; n: number; values: number[]; seeds: number[] };
  valid: { mean: number; std: number };
  nDiverged: number;
  nMissing: number;
  /** Records of the chosen setting, in seed order (diverged ones included). */
  records: TrialRecord[];
}

function validError(r: TrialRecord): number {
  return r.status === 'done' && r.result ? r.result.final.valid.error : 1;
}

/**
 * Groups trials by cell (in first-appearance order) and chooses, per cell, the nuisance setting of
 * lowest mean validation error (ties: the earlier setting in grid order). Cells with no finished
 * trial are returned with n = 0 and NaN statistics.
 */
export function selectModels(trials: readonly SelectableTrial[], records: ReadonlyMap<string, TrialRecord>): CellSummary[] {
  const cells = new Map<string, { cell: Setting; settings: Map<string, { nuisance: Setting; trials: SelectableTrial[] }> }>();
  for (const t of trials) {
    const ck = settingKey(t.cell);
    let c = cells.get(ck);
    if (!c) cells.set(ck, (c = { cell: t.cell, settings: new Map() }));
    const nk = settingKey(t.nuisance);
    let s = c.settings.get(nk);
    if (!s) c.settings.set(nk, (s = { nuisance: t.nuisance, trials: [] }));
    s.trials.push(t);
  }
  const out: CellSummary[] = [];
  for (const { cell, settings } of cells.values()) {
    const candidates: (NuisanceScore & { recs: TrialRecord[] })[] = [];
    for (const { nuisance, trials: ts } of settings.values()) {
      const recs = ts.map((t) => records.get(t.hash)).filter((r): r is TrialRecord => r !== undefined);
      recs.sort((a, b) => a.seed - b.seed);
      candidates.push({
        nuisance,
        meanValidError: mean(recs.map(validError)),
        n: recs.length,
        nDiverged: recs.filter((r) => r.status !== 'done').length,
        nMissing: ts.length - recs.length,
        recs,
      });
    }
    let best = candidates[0]!;
    for (const c of candidates) {
      if (c.n > 0 && (best.n === 0 || c.meanValidError < best.meanValidError)) best = c;
    }
    const ok = best.recs.filter((r) => r.status === 'done' && r.result);
    const values = ok.map((r) => r.result!.final.test.error);
    const valids = ok.map((r) => r.result!.final.valid.error);
    out.push({
      cell,
      label: settingLabel(cell),
      chosen: best.nuisance,
      candidates: candidates.map(({ recs: _r, ...c }) => c),
      test: { mean: mean(values), std: std(values), n: values.length, values, seeds: ok.map((r) => r.seed) },
      valid: { mean: mean(valids), std: std(valids) },
      nDiverged: best.nDiverged,
      nMissing: best.nMissing,
      records: best.recs,
    });
  }
  return out;
}

/** A two-sided comparison of one cell with its baseline cell (same other factors). */
export interface Comparison {
  cell: CellSummary;
  baseline: CellSummary;
  /** mean test error of the cell minus the baseline's (negative: the cell is better). */
  difference: number;
  welch: WelchResult;
  /** Cohen's d of the cell's test errors minus the baseline's. */
  cohensD: number;
}

/**
 * For every cell whose `factor` is not `baseline`, compares it with the cell equal in every other
 * factor but with `factor = baseline` (e.g. SDAE vs none at the same depth).
 */
export function compareCells(cells: readonly CellSummary[], factor: string, baseline: unknown): Comparison[] {
  const out: Comparison[] = [];
  const b = JSON.stringify(baseline);
  for (const c of cells) {
    if (!(factor in c.cell) || JSON.stringify(c.cell[factor]) === b) continue;
    const key = settingKey({ ...c.cell, [factor]: baseline });
    const base = cells.find((d) => settingKey(d.cell) === key);
    if (!base) continue;
    out.push({
      cell: c,
      baseline: base,
      difference: c.test.mean - base.test.mean,
      welch: welchTTest(c.test.values, base.test.values),
      cohensD: cohensD(c.test.values, base.test.values),
    });
  }
  return out;
}
