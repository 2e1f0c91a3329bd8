/**
 * The report's "Protocol" section (and the same few lines in `run`'s summary and `run --json`):
 * which seeds chose each cell's nuisance setting and on what, which seeds are reported, and whether
 * the data seed is fixed or varies with the seed, hence what the spread over seeds measures
 * (Erhan et al. 2010, Section 5.3: settings chosen on validation error, test error reported over
 * fresh initialisation seeds).
 */
import type { ResolvedExperiment } from '../experiments/define.ts';
import { nuisanceOf, product, shortKey, variedNuisanceKeys } from '../experiments/expand.ts';
import { isLabelled } from '../experiments/labelled-factor.ts';
import { getPath } from '../train/config-keys.ts';
import type { CellSummary } from '../experiments/select.ts';
import { html, type Html } from './html.ts';

/** What the protocol of a study was, as the report and `run` state it. */
export interface ProtocolSummary {
  /** How settings were chosen: on fresh selection seeds, on the reported seeds, or not at all (one setting). */
  selection: 'fresh-seeds' | 'same-seeds' | 'none';
  /** Seeds whose validation errors chose the settings (empty for `none`). */
  selectionSeeds: number[];
  /** Seeds whose test errors are reported. */
  evaluationSeeds: number[];
  /** The data seed: fixed (a number), the trial seed (`per-seed`), or `unused` (full splits, no stochastic binarisation). */
  dataSeed: number | 'per-seed' | 'unused';
  /** What the spread over seeds measures. */
  spread: 'initialisation' | 'initialisation + data';
  /** The same as sentences (for the page, `run`'s summary and `--json`). */
  lines: string[];
}

/** `1-6`, `100001-100002`, or `1, 4, 9` for seeds that are not a run. */
export function seedRange(seeds: readonly number[]): string {
  if (seeds.length === 0) return '(none)';
  const s = [...seeds].sort((a, b) => a - b);
  const run = s.every((x, i) => i === 0 || x === s[i - 1]! + 1);
  return run && s.length > 2 ? `${s[0]}-${s.at(-1)}` : s.join(', ');
}

/** The levels a data key takes over the study: a factor's levels, else the shared config's value (or its default). */
function levels(exp: ResolvedExperiment, key: 'trainSize' | 'binarize' | 'labeled', fallback: unknown): unknown[] {
  const f = [...exp.scientific, ...exp.nuisance].find((x) => x.key === `data.${key}`);
  if (f) return f.values;
  const data = exp.base.data as Record<string, unknown> | undefined;
  const own = exp.scientific.filter(isLabelled).flatMap((g) => Object.values(g.levels).map((l) => getPath(l.config, `data.${key}`)));
  return [data?.[key] ?? fallback, ...own.filter((v) => v !== undefined)];
}

/** True when some trial draws its data at random: a `trainSize` subset, the labelled subset of `labeled` < 1, or stochastic binarisation. */
function dataIsRandom(exp: ResolvedExperiment): boolean {
  return (
    levels(exp, 'trainSize', null).some((v) => v !== null) ||
    levels(exp, 'labeled', null).some((v) => typeof v === 'number' && v < 1) ||
    levels(exp, 'binarize', 'none').includes('stochastic')
  );
}

/** The cells' selection mode: the one every cell shares (fresh-seeds wins over none when they are mixed). */
function selectionOf(exp: ResolvedExperiment, cells: readonly CellSummary[]): ProtocolSummary['selection'] {
  if (cells.some((c) => c.selection === 'fresh-seeds')) return 'fresh-seeds';
  if (cells.some((c) => c.selection === 'same-seeds')) return 'same-seeds';
  if (cells.length === 0 && variedNuisanceKeys(exp).length > 0) return exp.protocol?.selection ?? 'same-seeds';
  return 'none';
}

/**
 * Summarises the protocol of a study from its resolved experiment and cells. Stores written
 * before the protocol existed have no `exp.protocol`: same seeds, data drawn with the trial seed.
 */
export function protocolSummary(exp: ResolvedExperiment, cells: readonly CellSummary[]): ProtocolSummary {
  const selection = selectionOf(exp, cells);
  const union = (pick: (c: CellSummary) => number[]): number[] => [...new Set(cells.flatMap(pick))].sort((a, b) => a - b);
  const selectionSeeds = selection === 'fresh-seeds' ? union((c) => c.selectionSeeds) : selection === 'same-seeds' ? [...exp.seeds] : [];
  const evaluationSeeds = [...exp.seeds];
  const dataSeed: ProtocolSummary['dataSeed'] = !dataIsRandom(exp) ? 'unused' : (exp.protocol?.dataSeed ?? 'per-seed');
  const spread = dataSeed === 'per-seed' ? 'initialisation + data' : 'initialisation';
  const keys = variedNuisanceKeys(exp).map(shortKey).join(', ');
  // A labelled level may bring grids of its own (`labelled-factor.ts`): the count per cell is then a range.
  const counts = product(exp.scientific).map((cell) => product(nuisanceOf(exp, cell)).length);
  const lo = Math.min(...counts), hi = Math.max(...counts);
  const nSettings = lo === hi ? String(lo) : `${lo} to ${hi}`;
  const lines: string[] = [];
  if (selection === 'fresh-seeds') {
    lines.push(`Selection: each cell's ${keys} (${nSettings} settings) chosen on mean validation error over ${selectionSeeds.length} selection seed(s) ${seedRange(selectionSeeds)}; those trials are not reported.`);
    lines.push(`Reported: test error of the chosen setting over ${evaluationSeeds.length} fresh evaluation seed(s) ${seedRange(evaluationSeeds)}.`);
  } else if (selection === 'same-seeds') {
    lines.push(`Selection: each cell's ${keys} (${nSettings} settings) chosen on mean validation error over the reported seeds ${seedRange(evaluationSeeds)} (same-seeds: the reported errors carry the choice's optimistic bias).`);
    lines.push(`Reported: test error of the chosen setting over the same ${evaluationSeeds.length} seed(s).`);
  } else {
    lines.push(`Selection: none (one setting per cell).`);
    lines.push(`Reported: test error over ${evaluationSeeds.length} seed(s) ${seedRange(evaluationSeeds)}.`);
  }
  if (dataSeed === 'unused') lines.push('Data: the full training set for every seed (no subset drawn), so the spread over seeds is initialisation only (weights and example order).');
  else if (dataSeed === 'per-seed') lines.push('Data: the data seed varies with the seed (per-seed), so the spread over seeds is initialisation + data (the training subset differs per seed).');
  else lines.push(`Data: the data seed is fixed at ${dataSeed} (one training subset for every seed), so the spread over seeds is initialisation only (weights and example order).`);
  return { selection, selectionSeeds, evaluationSeeds, dataSeed, spread, lines };
}

/** The section's HTML. */
export function protocolSection(p: ProtocolSummary): Html {
  return html`<section id="protocol" data-selection="${p.selection}" data-data-seed="${String(p.dataSeed)}"><h2>Protocol</h2><ul>${p.lines.map((l) => html`<li>${l}</li>`)}</ul></section>`;
}
