/**
 * Expands a resolved experiment into trials: scientific cells x nuisance settings x seeds,
 * in a fixed order, each with its resolved TrialConfig and hash (tuning playbook: study / trial).
 */
import { resolveTrialConfig, type TrialConfig } from '../train/config.ts';
import { KEY_ALIASES, setPath } from '../train/config-keys.ts';
import { cloneJson } from './json-data.ts';
import type { Factor, ResolvedExperiment } from './define.ts';
import { canonicalJson, canonicalTrialConfig, trialHash } from './hash.ts';

/** Values of some factors, keyed by canonical dotted path, in factor order. */
export type Setting = Record<string, unknown>;

/** One trial of an experiment. Several trials may share a hash (equivalent configs); it runs once. */
export interface PlannedTrial {
  /** Position in the expansion (cells, then nuisance settings, then seeds). */
  index: number;
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

/** Short human label of a setting, e.g. `depth=2 pretrain=sdae`. */
export function settingLabel(s: Setting): string {
  const parts = Object.entries(s).map(([k, v]) => `${shortKey(k)}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.join(' ') || '(all)';
}

/** The resolved TrialConfig of one (cell, nuisance, seed). Throws ConfigError naming bad keys. */
export function trialConfig(exp: ResolvedExperiment, cell: Setting, nuisance: Setting, seed: number): TrialConfig {
  const input = cloneJson(exp.base);
  for (const [k, v] of Object.entries({ ...cell, ...nuisance })) setPath(input, k, cloneJson(v));
  input.seed = seed;
  return canonicalTrialConfig(resolveTrialConfig(input));
}

/** Every trial of the experiment in a deterministic order (independent of workers and time). */
export function expandExperiment(exp: ResolvedExperiment): PlannedTrial[] {
  const trials: PlannedTrial[] = [];
  for (const cell of product(exp.scientific)) {
    for (const nuisance of product(exp.nuisance)) {
      for (const seed of exp.seeds) {
        const config = trialConfig(exp, cell, nuisance, seed);
        trials.push({ index: trials.length, cell, nuisance, seed, config, hash: trialHash(config) });
      }
    }
  }
  return trials;
}

/** The distinct trials to run (first occurrence of each hash), in expansion order. */
export function uniqueTrials(trials: readonly PlannedTrial[]): PlannedTrial[] {
  const seen = new Set<string>();
  return trials.filter((t) => (seen.has(t.hash) ? false : (seen.add(t.hash), true)));
}
