/**
 * Experiment 5 (Erhan et al. 2010, Section 7.5): can a classical L1 / L2 penalty on the weights buy
 * what pre-training buys? Per group of other factors, three networks: the unpenalized one without
 * pre-training, the best-penalized one without pre-training (the penalty cell of lowest validation
 * error, the same choice as `selectModels` makes for nuisance settings) and each pre-trained arm
 * without penalty; differences of mean test error with 95% intervals, and the share of
 * pre-training's gain the penalty recovers.
 */
import { settingLabel, shortKey, type Setting } from '../experiments/expand.ts';
import type { ResolvedExperiment } from '../experiments/define.ts';
import { compareCells, type CellSummary, type Comparison } from '../experiments/select.ts';
import { differenceCell } from './difference-interval.ts';
import { pct } from './format.ts';
import { html, type Html } from './html.ts';

/** The fine-tuning penalties Section 7.5 compares with pre-training. */
export const PENALTY_KEYS = ['finetune.l1', 'finetune.l2'] as const;

/** The validation error that chose the cell's nuisance setting (its score in `candidates`), else the cell's own. */
export function selectionScore(c: CellSummary): number {
  const same = JSON.stringify(c.chosen);
  return c.candidates.find((k) => JSON.stringify(k.nuisance) === same)?.meanValidError ?? c.valid.mean;
}

/** The networks of one group of other factors, and their comparisons. */
export interface PenaltyGroup {
  /** The other factors' levels, e.g. `depth=1` (`(all)` when none). */
  panel: string;
  unpenalized: CellSummary;
  /** The penalty cell without pre-training of lowest selection score (may be the unpenalized one). */
  best: CellSummary;
  /** The chosen penalties, e.g. `{ 'finetune.l2': 1e-4, 'finetune.l1': 0 }`. */
  bestPenalty: Setting;
  pretrained: { arm: string; cell: CellSummary; vsUnpenalized: Comparison; vsBest: Comparison; shareOfGain: number }[];
  /** Best penalty minus unpenalized. */
  bestVsUnpenalized: Comparison;
}

/** A copy of a cell that `compareCells` sees as `{ arm }` alone. */
const asArm = (c: CellSummary, arm: string): CellSummary => ({ ...c, cell: { arm }, label: arm });

/**
 * Groups the cells of an experiment whose scientific factors include a penalty key and the compare
 * factor (e.g. `pretrain.kind` vs `none`); groups lacking the unpenalized cell or any data are left out.
 */
export function penaltyGroups(exp: ResolvedExperiment, cells: readonly CellSummary[]): PenaltyGroup[] {
  const cmp = exp.compare;
  const penalties = exp.scientific.map((f) => f.key).filter((k) => (PENALTY_KEYS as readonly string[]).includes(k));
  if (!cmp || penalties.length === 0) return [];
  const base = JSON.stringify(cmp.baseline);
  const groups = new Map<string, CellSummary[]>();
  for (const c of cells) {
    if (c.test.n === 0) continue;
    const rest = Object.fromEntries(Object.entries(c.cell).filter(([k]) => k !== cmp.factor && !penalties.includes(k)));
    const key = settingLabel(rest);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const out: PenaltyGroup[] = [];
  const unpenalized = (c: CellSummary): boolean => penalties.every((k) => c.cell[k] === 0);
  for (const [panel, cs] of groups) {
    const plain = cs.filter((c) => JSON.stringify(c.cell[cmp.factor]) === base);
    const zero = plain.find(unpenalized);
    if (!zero) continue;
    const best = plain.reduce((a, b) => (selectionScore(b) < selectionScore(a) ? b : a), zero);
    const arms = cs.filter((c) => JSON.stringify(c.cell[cmp.factor]) !== base && unpenalized(c));
    const synthetic = [asArm(zero, '~unpenalized'), asArm(best, '~best-penalty'), ...arms.map((c) => asArm(c, String(c.cell[cmp.factor])))];
    const vsZero = compareCells(synthetic, 'arm', '~unpenalized');
    const vsBest = compareCells(synthetic, 'arm', '~best-penalty');
    out.push({
      panel,
      unpenalized: zero,
      best,
      bestPenalty: Object.fromEntries(penalties.map((k) => [k, best.cell[k]])),
      bestVsUnpenalized: vsZero.find((k) => k.cell.label === '~best-penalty')!,
      pretrained: arms.map((c) => {
        const arm = String(c.cell[cmp.factor]);
        const gain = zero.test.mean - c.test.mean;
        return {
          arm,
          cell: c,
          vsUnpenalized: vsZero.find((k) => k.cell.label === arm)!,
          vsBest: vsBest.find((k) => k.cell.label === arm)!,
          shareOfGain: gain > 0 ? (zero.test.mean - best.test.mean) / gain : NaN,
        };
      }),
    });
  }
  return out;
}

/** Which seeds scored the penalty choice: the selection seeds (fresh), or the reported seeds themselves (biased). */
function freshNote(groups: readonly PenaltyGroup[]): string {
  const modes = new Set(groups.flatMap((g) => [g.unpenalized, g.best].map((c) => c.selection)));
  if (modes.size === 1 && modes.has('fresh-seeds')) return 'on the selection seeds, apart from the evaluation seeds whose test errors the rows report.';
  return "on the evaluation seeds themselves (this run's protocol chose no setting on separate selection seeds), so the best penalty's test error is biased low (winner's curse).";
}

/** The section: one table per group, and what the paper found. */
export function penaltySection(exp: ResolvedExperiment, cells: readonly CellSummary[]): Html {
  const groups = penaltyGroups(exp, cells);
  if (groups.length === 0) return html``;
  const arm = shortKey(exp.compare!.factor);
  const row = (name: string, c: CellSummary, vsZero: Comparison | undefined, vsBest: Comparison | undefined, share: string): Html =>
    html`<tr><td>${name}</td><td class="num">${pct(c.test.mean)} &plusmn; ${pct(c.test.std)}</td><td class="num">${c.test.n}</td><td class="num">${pct(selectionScore(c))}</td>${differenceCell(vsZero)}${differenceCell(vsBest)}<td class="num">${share}</td></tr>`;
  const tables = groups.map((g) => {
    const penalty = settingLabel(g.bestPenalty);
    const rows = [
      row(`no pre-training, no penalty`, g.unpenalized, undefined, undefined, ''),
      row(`no pre-training, best penalty on validation (${penalty})`, g.best, g.bestVsUnpenalized, undefined, ''),
      ...g.pretrained.map((p) => row(`${arm}=${p.arm}, no penalty`, p.cell, p.vsUnpenalized, p.vsBest, Number.isFinite(p.shareOfGain) ? `${(100 * p.shareOfGain).toFixed(0)}%` : '-')),
    ];
    return html`${g.panel === '(all)' ? '' : html`<h3>${g.panel}</h3>`}<table class="penalty-table" data-best-penalty="${penalty}"><thead><tr><th>network</th><th class="num">test error % (mean &plusmn; std)</th><th class="num">n</th><th class="num">selection valid %</th><th class="num">vs no penalty (pp, 95% CI)</th><th class="num">vs best penalty (pp, 95% CI)</th><th class="num">share of pre-training's gain the penalty buys</th></tr></thead><tbody>${rows}</tbody></table>`;
  });
  return html`<section id="penalty-vs-pretraining"><h2>Penalty vs pre-training (Experiment 5)</h2>${tables}
<p class="note">The best penalty is the penalty cell without pre-training of lowest validation error, scored as its nuisance setting was chosen: ${freshNote(groups)} Differences: mean test error of the row minus the column's network, in percentage points, with the 95% bootstrap interval over seeds (paired by seed when both ran the same seeds); green: the interval lies below 0. Share of the gain: (no penalty - best penalty) / (no penalty - pre-trained). The paper (Section 7.5): on MNIST a small penalty can help, but nowhere near as much as pre-training; on InfiniteMNIST the best L1 and L2 penalties are zero. ${exp.base.online ? 'This study trains online on the stream (the second part; `validation` here is the online error over the last online.selectWindow examples).' : 'That second part is the l1-l2-online study (online on InfiniteMNIST); this section covers MNIST only.'}</p></section>`;
}
