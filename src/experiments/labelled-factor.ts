/**
 * Labelled factors: each level is a named partial TrialConfig over any sections, so one arm of a
 * study can be a training recipe.
 *
 * A coupled factor named by a config section (`model: [{ depth: 1, hidden: 2000 }, ...]`,
 * `factor-keys.ts`) moves keys of one section together. A recipe spans sections: "ReLU + He + Adam"
 * is `model.activation`, `model.init` and `finetune.optimizer`, and Adam wants learning rates of its
 * own. A labelled factor is named apart from the config (any name that is not a config key, alias or
 * section, e.g. `arm`) and written as an object, label -> level:
 *
 * ```ts
 * scientific: {
 *   arm: {
 *     sigmoid: { model: { activation: 'sigmoid', init: 'uniform-fanin' } },
 *     'relu+he+adam': { model: { activation: 'relu', init: 'he' }, finetune: { optimizer: 'adam' }, nuisance: { lr: [0.003, 0.001] } },
 *   },
 * }
 * ```
 *
 * - A level is a partial TrialConfig (its sections `data`, `model`, `pretrain`, `finetune`,
 *   `analysis`, `online`) deep-merged into the trial's config at the factor's place in the factor
 *   order, so a trial's config, and so its hash, is the one of the same keys set one by one.
 * - Its optional `nuisance` grids replace the study's grids of the keys they name (or add keys) for
 *   the cells at that level: each arm chooses among its own settings on the selection seeds.
 * - A cell holds the level's label (`arm=relu+he+adam`), so labels, tables and records read as names.
 * - A preset or a flag (`--arm='["sigmoid","all"]'`) may give a list of labels: those levels, in that order.
 * - A key may belong to one factor: a level that sets a key another factor (or a nuisance grid) sets
 *   is refused, as for coupled factors.
 */
import type { Factor } from './define.ts';
import { applyLevel, isPlainObject, levelLeaves } from './factor-keys.ts';
import { cloneJson, deepMerge } from './json-data.ts';

/** The TrialConfig sections a labelled level may set. */
export const LEVEL_SECTIONS = ['data', 'model', 'pretrain', 'finetune', 'analysis', 'online'] as const;

/** One level of a labelled factor, resolved (keys canonical). */
export interface LabelledLevel {
  /** The partial TrialConfig it sets: `{ model: {...}, finetune: {...} }` (sections of LEVEL_SECTIONS only). */
  config: Record<string, unknown>;
  /** Nuisance grids for the cells at this level (canonical keys), replacing the study's grids of the same keys; absent: the study's. */
  nuisance?: Factor[];
}

/** A factor whose levels are labels, each standing for a `LabelledLevel` (`Factor.levels`). */
export type LabelledFactor = Factor & { levels: Record<string, LabelledLevel> };

/** True when `f` is a labelled factor (its values are labels of `f.levels`). */
export function isLabelled(f: Factor): f is LabelledFactor {
  return isPlainObject(f.levels);
}

/** The labelled factor named `key` among `factors`, or undefined. */
export function labelledFactor(factors: readonly Factor[], key: string): LabelledFactor | undefined {
  const f = factors.find((x) => x.key === key);
  return f && isLabelled(f) ? f : undefined;
}

/** Merges the level labelled `label` of `f` into a config input (returns a new object). */
export function applyLabelledLevel(input: Record<string, unknown>, f: LabelledFactor, label: unknown): Record<string, unknown> {
  const level = typeof label === 'string' ? f.levels[label] : undefined;
  if (!level) throw new Error(`labelled factor '${f.key}' has no level ${JSON.stringify(label)}; its levels are ${f.values.map((v) => JSON.stringify(v)).join(', ')}`);
  return deepMerge(input, level.config);
}

/** The dotted config keys a factor's levels set (for a labelled factor: those of its levels' configs). */
export function factorLeaves(f: Factor): Set<string> {
  if (!isLabelled(f)) return new Set(f.values.flatMap((v) => levelLeaves(f.key, v).map(([p]) => p)));
  const out = new Set<string>();
  for (const level of Object.values(f.levels)) for (const [section, v] of Object.entries(level.config)) for (const [p] of levelLeaves(section, v)) out.add(p);
  return out;
}

/**
 * The nuisance grids of one cell: the study's, each replaced by the grid of the same key that a
 * labelled level of the cell brings, and that level's other keys appended (in its order).
 */
export function cellNuisance(scientific: readonly Factor[], nuisance: readonly Factor[], cell: Readonly<Record<string, unknown>>): Factor[] {
  let out = [...nuisance];
  for (const f of scientific) {
    if (!isLabelled(f)) continue;
    const own = typeof cell[f.key] === 'string' ? f.levels[cell[f.key] as string]?.nuisance : undefined;
    for (const g of own ?? []) {
      const i = out.findIndex((h) => h.key === g.key);
      out = i >= 0 ? out.map((h, j) => (j === i ? g : h)) : [...out, g];
    }
  }
  return out;
}

/** The levels of `f` named by `labels`, in that order, as a labelled factor; throws naming an unknown label and the known ones. */
export function pickLevels(f: LabelledFactor, labels: readonly unknown[]): LabelledFactor {
  const bad = labels.filter((l) => typeof l !== 'string' || !(l in f.levels));
  if (bad.length) throw new Error(`${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length > 1 ? 'are not levels' : 'is not a level'} of '${f.key}'; its levels are ${f.values.map((v) => JSON.stringify(v)).join(', ')}`);
  return { key: f.key, values: [...labels], levels: Object.fromEntries(labels.map((l) => [l as string, f.levels[l as string]!])) };
}

/**
 * A config input with one setting of factors written into a copy of `base`, in the setting's key
 * order: a labelled factor's level deep-merged, any other factor's level by `applyLevel`. `factors`
 * are those the setting may name (scientific and nuisance).
 */
export function withSetting(base: Record<string, unknown>, factors: readonly Factor[], setting: Readonly<Record<string, unknown>>): Record<string, unknown> {
  let input = cloneJson(base);
  for (const [k, v] of Object.entries(setting)) {
    const lab = labelledFactor(factors, k);
    if (lab) input = applyLabelledLevel(input, lab, v);
    else applyLevel(input, k, cloneJson(v));
  }
  return input;
}
