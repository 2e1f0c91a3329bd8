/**
 * Stable identity of a trial: the sha256 of the canonical JSON of its resolved TrialConfig.
 * Two trials with the same hash compute the same numbers, so a store keyed by hash can skip
 * finished work and never mixes results of different configurations.
 */
import { createHash } from 'node:crypto';
import type { TrialConfig } from '../train/config.ts';
import { trialConfigSchema } from '../train/config.ts';

/**
 * JSON with object keys sorted at every level and no whitespace, so equal values always give
 * equal strings. `undefined` object members are dropped; non-finite numbers are rejected.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`canonicalJson: ${value} is not a finite number and has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: cannot encode a ${typeof value}`);
}

/** Hex sha256 of `canonicalJson(value)`. */
export function hashJson(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/**
 * The config as it is hashed and run: values that cannot affect the result are reset to their
 * defaults, so that equivalent trials share one hash (and run once). Without pre-training
 * (`pretrain.kind = 'none'`, or `pretrain.layers = 0`: no layer pre-trained, which Experiment 8
 * calls k = 0) every `pretrain.*` key is irrelevant, and the trial is the one without pre-training. `data.seed` is reset to
 * null (the trial seed) when it equals the trial seed, or when the data draw uses no randomness
 * (no `trainSize` subset, no stochastic binarisation): full-data trials keep one hash across data seeds.
 */
export function canonicalTrialConfig(config: TrialConfig): TrialConfig {
  let out = config;
  const d = config.data;
  if (d.seed !== null && d.seed !== undefined && (d.seed === config.seed || (d.trainSize === null && d.binarize !== 'stochastic'))) {
    out = { ...out, data: { ...d, seed: null } };
  }
  if (config.pretrain.kind !== 'none' && config.pretrain.layers !== 0) return out;
  const pretrain = trialConfigSchema.parse({}).pretrain;
  return { ...out, pretrain };
}

/**
 * Dotted TrialConfig paths added after trials were first stored. While a config holds the key's
 * default (what every older config implicitly had), the key is left out of the hash, so trials
 * stored before the key existed keep their hashes and a store resumes across the change. A new
 * key or config section whose default changes no number goes here (e.g. `data.seed`, `analysis`;
 * `online`, absent unless set, which selects the online setting of Section 8).
 */
export const KEYS_HASHED_ONLY_WHEN_SET: readonly string[] = [
  'data.seed',
  'data.labeled',
  'analysis',
  'finetune.convergeWindow',
  'finetune.convergeTol',
  'online',
  'model.layers',
  'model.norm',
  'model.groups',
  'model.dropout',
  // the optimisers, schedules, clipping and augmentation of issue 14 (defaults: today's SGD and numbers)
  'finetune.optimizer',
  'finetune.beta1',
  'finetune.beta2',
  'finetune.eps',
  'finetune.weightDecay',
  'finetune.schedule',
  'finetune.steps',
  'finetune.stepFactor',
  'finetune.warmup',
  'finetune.updates',
  'finetune.multiplier',
  'finetune.clipNorm',
  'finetune.augment',
  // the transfer modes of issue 15 (default null: every layer trains, as before)
  'finetune.trainTop',
  // issue 15 (defaults: the numbers and evaluations as before)
  'finetune.stepsFromEnd',
  'finetune.evalEvery',
];

function valueAt(obj: unknown, path: readonly string[]): unknown {
  let v: unknown = obj;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** The JSON a trial is hashed from: the canonical config without the later keys that hold their defaults. */
export function hashedConfig(config: TrialConfig): unknown {
  const canonical = canonicalTrialConfig(config);
  const defaults = trialConfigSchema.parse({});
  let out: Record<string, unknown> | null = null;
  for (const key of KEYS_HASHED_ONLY_WHEN_SET) {
    const path = key.split('.');
    const v = valueAt(canonical, path), d = valueAt(defaults, path); // d undefined: an optional section with no default (online)
    if (v !== undefined && (d === undefined || canonicalJson(v) !== canonicalJson(d))) continue;
    out ??= JSON.parse(JSON.stringify(canonical)) as Record<string, unknown>;
    const parent = valueAt(out, path.slice(0, -1));
    if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[path[path.length - 1]!];
  }
  return out ?? canonical;
}

/** The trial's hash: 64 hex digits, a pure function of its (canonical) resolved config (see `hashedConfig`). */
export function trialHash(config: TrialConfig): string {
  return hashJson(hashedConfig(config));
}
