/**
 * Expands a resolved experiment into trials: scientific cells x nuisance settings x seeds,
 * in a fixed order, each with its resolved TrialConfig and hash (tuning playbook: study / trial).
 * Under the `fresh-seeds` protocol with more than one nuisance setting the expansion has two
 * phases (Erhan et al. 2010, Section 5.3): selection trials (cells x settings x selection seeds),
 * then, once a cell's setting is chosen, evaluation trials (cell x chosen setting x seeds).
 */
import { resolveTrialConfig, trialConfigSchema, type TrialConfig } from '../train/config.ts';
import { getPath, KEY_ALIASES, setPath } from '../train/config-keys.ts';
import { levelLeaves } from './factor-keys.ts';
import { cellNuisance, withSetting } from './labelled-factor.ts';
import type { Factor, ResolvedExperiment } from './define.ts';
import { canonicalJson, canonicalTrialConfig, trialHash } from './hash.ts';

/** Values of some factors, keyed by canonical dotted path, in factor order. */
export type Setting = Record<string, unknown>;

/** `selection`: a trial that only helps choose its cell's nuisance setting; `evaluation`: a trial whose test error is reported. */
export type TrialPhase = 'selection' | 'evaluation';

/** One trial of an experiment. Several trials may share a hash (equivalent configs); it runs once. */
export interface PlannedTrial {
  /** Position in the expansion (phase, then cells, then nuisance settings, then seeds). */
  index: number;
  phase: TrialPhase;
  cell: Setting;
  nuisance: Setting;
  seed: number;
  /** The config that runs (canonical: irrelevant keys reset, see `canonicalTrialConfig`). */
  config: TrialConfig;
  hash: string;
}

/** All combinations of the factors' levels, first factor slowest. No factors gives one empty setting. */
export function product(factors: readonly Factor[]): Setting[] {
  let out: Setting[] = [{}];
  for (const f of factors) {
    const next: Setting[] = [];
    for (const s of out) for (const v of f.values) next.push({ ...s, [f.key]: v });
    out = next;
  }
  return out;
}

/** A stable string key of a setting (for grouping). */
export function settingKey(s: Setting): string {
  return canonicalJson(s);
}

/** The short name of a dotted key: its alias when it has one (`pretrain.kind` -> `pretrain`), else the path. */
export function shortKey(key: string): string {
  return Object.entries(KEY_ALIASES).find(([, p]) => p === key)?.[0] ?? key;
}

/** Short human label of a setting, e.g. `depth=2 pretrain=sdae`; a coupled factor's level shows its keys (`depth=1 hidden=2000`). */
export function settingLabel(s: Setting): string {
  const parts = Object.entries(s).flatMap(([key, level]) => levelLeaves(key, level)).map(([k, v]) => `${shortKey(k)}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.join(' ') || '(all)';
}

/**
 * The resolved TrialConfig of one (cell, nuisance, seed). `data.seed`, unless the base config, the
 * cell or the setting sets it, comes from the protocol: its fixed data seed, or the trial seed
 * ('per-seed'). Throws ConfigError naming bad keys.
 */
export function trialConfig(exp: ResolvedExperiment, cell: Setting, nuisance: Setting, seed: number): TrialConfig {
  const input = withSetting(exp.base, [...exp.scientific, ...exp.nuisance], { ...cell, ...nuisance });
  input.seed = seed;
  const dataSeed = exp.protocol?.dataSeed ?? 'per-seed'; // manifests written before the protocol: the trial seed
  if (getPath(input, 'data.seed') === undefined) setPath(input, 'data.seed', dataSeed === 'per-seed' ? seed : dataSeed);
  return canonicalTrialConfig(resolveTrialConfig(input));
}

/**
 * The config with every in-trial analysis off: the `analysis` section at its defaults, and in an
 * online trial the passes that only feed figures (`online.trainErrorBlocks`, Fig. 12, and
 * `online.saveTestOutputs`, Fig. 13), which change no training number.
 */
function withoutAnalyses(config: TrialConfig): TrialConfig {
  const out = { ...config, analysis: trialConfigSchema.parse({}).analysis };
  if (config.online) out.online = { ...config.online, trainErrorBlocks: 0, saveTestOutputs: false };
  return out;
}

/**
 * The nuisance grids of one cell: the study's, with those a labelled level of the cell brings in
 * their place (`cellNuisance`, `labelled-factor.ts`).
 */
export function nuisanceOf(exp: ResolvedExperiment, cell: Setting): Factor[] {
  return cellNuisance(exp.scientific, exp.nuisance, cell);
}

/** The nuisance keys some cell has two or more levels of (the keys selection chooses), in order of first appearance. */
export function variedNuisanceKeys(exp: ResolvedExperiment): string[] {
  const out = new Set<string>();
  for (const cell of product(exp.scientific)) for (const f of nuisanceOf(exp, cell)) if (f.values.length > 1) out.add(f.key);
  return [...out];
}

/**
 * True when nuisance settings are chosen on selection seeds apart from the reported ones: the
 * protocol is `fresh-seeds` and some cell's nuisance grids have more than one setting (then every
 * cell runs its selection trials, one setting or several).
 */
export function hasSelectionPhase(exp: ResolvedExperiment): boolean {
  return exp.protocol?.selection === 'fresh-seeds' && product(exp.scientific).some((cell) => product(nuisanceOf(exp, cell)).length > 1);
}

/**
 * Every trial of the experiment in a deterministic order (independent of workers and time).
 * Without a selection phase (see `hasSelectionPhase`): cells x nuisance settings x seeds, all
 * `evaluation`. With one: the `selection` trials (cells x settings x selection seeds), then for
 * each cell whose chosen setting `chosen` holds (keyed by `settingKey(cell)`) its `evaluation`
 * trials (that setting x seeds); without `chosen`, the selection trials alone.
 */
export function expandExperiment(exp: ResolvedExperiment, chosen: ReadonlyMap<string, Setting> = new Map()): PlannedTrial[] {
  const trials: PlannedTrial[] = [];
  const add = (phase: TrialPhase, cell: Setting, nuisance: Setting, seeds: readonly number[]): void => {
    for (const seed of seeds) {
      // Selection trials are read for their validation error only: the in-trial analyses (which
      // change no training number) are switched off there, so a study pays for them once per
      // reported trial, not once per grid point.
      const config = phase === 'selection' ? withoutAnalyses(trialConfig(exp, cell, nuisance, seed)) : trialConfig(exp, cell, nuisance, seed);
      trials.push({ index: trials.length, phase, cell, nuisance, seed, config, hash: trialHash(config) });
    }
  };
  const cells = product(exp.scientific);
  const settings = (cell: Setting): Setting[] => product(nuisanceOf(exp, cell));
  if (!hasSelectionPhase(exp)) {
    for (const cell of cells) for (const nuisance of settings(cell)) add('evaluation', cell, nuisance, exp.seeds);
    return trials;
  }
  for (const cell of cells) for (const nuisance of settings(cell)) add('selection', cell, nuisance, exp.protocol.selectionSeeds);
  for (const cell of cells) {
    const c = chosen.get(settingKey(cell));
    if (c) add('evaluation', cell, c, exp.seeds);
  }
  return trials;
}

/**
 * How many distinct trials the evaluation phase of `exp` will run, before the selection phase has
 * chosen: each cell's first nuisance setting stands in for its choice (exact unless cells that share
 * trials choose differently). Null when `exp` cannot be expanded (a store of an older version).
 */
export function evaluationTrialCount(exp: ResolvedExperiment): number | null {
  try {
    const chosen = new Map<string, Setting>();
    for (const t of expandExperiment(exp)) if (!chosen.has(settingKey(t.cell))) chosen.set(settingKey(t.cell), t.nuisance);
    return uniqueTrials(expandExperiment(exp, chosen).filter((t) => t.phase === 'evaluation')).length;
  } catch {
    return null;
  }
}

/** The distinct trials to run (first occurrence of each hash), in expansion order. */
export function uniqueTrials(trials: readonly PlannedTrial[]): PlannedTrial[] {
  const seen = new Set<string>();
  return trials.filter((t) => (seen.has(t.hash) ? false : (seen.add(t.hash), true)));
}
