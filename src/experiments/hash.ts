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
 * defaults, so that equivalent trials share one hash (and run once). Today: without
 * pre-training (`pretrain.kind = 'none'`) every other `pretrain.*` key is irrelevant.
 */
export function canonicalTrialConfig(config: TrialConfig): TrialConfig {
  if (config.pretrain.kind !== 'none') return config;
  const pretrain = trialConfigSchema.parse({}).pretrain;
  return { ...config, pretrain };
}

/** The trial's hash: 64 hex digits, a pure function of its (canonical) resolved config. */
export function trialHash(config: TrialConfig): string {
  return hashJson(canonicalTrialConfig(config));
}
