/**
 * The dotted keys of a TrialConfig (`model.depth`, `pretrain.kind`, `finetune.lr`, ...), their
 * types, allowed values and short aliases, and the helpers that read, write and check them.
 * Experiment factors, nuisance grids and `--key=value` flags all name config values this way.
 * The keys are read from the schema's JSON Schema export (zod's public `z.toJSONSchema`), so they
 * follow the schema with no second list to keep in step.
 */
import { z } from 'zod';
import type { JsonSchema } from './json-schema.ts';
import { trialConfigSchema } from './config.ts';

/**
 * Short aliases accepted wherever a dotted TrialConfig key is (experiment files, presets, flags).
 * Each maps to exactly one dotted path; records and reports always show the dotted path.
 */
export const KEY_ALIASES: Readonly<Record<string, string>> = {
  depth: 'model.depth',
  hidden: 'model.hidden',
  units: 'model.hidden',
  activation: 'model.activation',
  init: 'model.init',
  layers: 'model.layers',
  norm: 'model.norm',
  dropout: 'model.dropout',
  pretrain: 'pretrain.kind',
  pretrainLr: 'pretrain.lr',
  pretrainEpochs: 'pretrain.epochs',
  pretrainBatchSize: 'pretrain.batchSize',
  corruption: 'pretrain.corruption',
  tied: 'pretrain.tied',
  lr: 'finetune.lr',
  epochs: 'finetune.epochs',
  batchSize: 'finetune.batchSize',
  momentum: 'finetune.momentum',
  l1: 'finetune.l1',
  l2: 'finetune.l2',
  patience: 'finetune.patience',
  optimizer: 'finetune.optimizer',
  schedule: 'finetune.schedule',
  trainTop: 'finetune.trainTop',
  dataset: 'data.name',
  trainSize: 'data.trainSize',
  validSize: 'data.validSize',
  testSize: 'data.testSize',
  dataSeed: 'data.seed',
  labeled: 'data.labeled',
};

/** One leaf key of a TrialConfig, as `--key=value` flags and `train --help` describe it. */
export interface ConfigKey {
  /** Dotted path, e.g. `pretrain.kind`. */
  path: string;
  /** JSON Schema type(s), e.g. `number`, `integer | null`, `integer | integer[]`. */
  type: string;
  /** The allowed values when the key is an enum, e.g. `['none', 'sdae', 'dbn']`. */
  values?: readonly unknown[];
  /** The value a trial gets when nothing sets the key. */
  default: unknown;
}


/** A readable type of a JSON Schema node: `integer`, `integer | null`, `number[]`, ... */
function typeName(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeName).join(' | ');
  if (s.type === 'array') return `${s.items ? typeName(s.items) : 'unknown'}[]`;
  return s.type ?? 'unknown';
}

function leafKeys(s: JsonSchema, prefix: string, out: ConfigKey[]): void {
  if (s.type === 'object' && s.properties) {
    for (const [k, v] of Object.entries(s.properties)) leafKeys(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.push({ path: prefix, type: typeName(s), ...(s.enum ? { values: s.enum } : {}), default: s.default });
}

let cachedKeys: readonly ConfigKey[] | null = null;

/** Every leaf key of a TrialConfig with its type, allowed values and default, in schema order. */
export function configKeys(): readonly ConfigKey[] {
  if (!cachedKeys) {
    const out: ConfigKey[] = [];
    leafKeys(z.toJSONSchema(trialConfigSchema, { io: 'input' }) as JsonSchema, '', out);
    cachedKeys = out;
  }
  return cachedKeys;
}

/** Every leaf key of a TrialConfig as a dotted path, e.g. `['seed', 'backend', 'data.name', ...]`. */
export function configPaths(): readonly string[] {
  return configKeys().map((k) => k.path);
}

/** Error for an unknown key; its message names the key and suggests the closest valid one. */
export class UnknownKeyError extends Error {
  override name = 'UnknownKeyError';
  constructor(readonly key: string, readonly where: string, readonly suggestion: string | null) {
    super(
      `unknown key '${key}'${where ? ` in ${where}` : ''}` +
        (suggestion ? `; did you mean '${suggestion}'?` : '') +
        ` Keys are dotted TrialConfig paths (e.g. model.depth, pretrain.kind, finetune.lr) or aliases (${Object.keys(KEY_ALIASES).slice(0, 6).join(', ')}, ...); \`pretrain-lab train --help\` lists them all.`,
    );
  }
}

/** Levenshtein edit distance between two strings. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The valid key (path or alias) closest to `key`, or null when nothing is reasonably close. */
export function suggestKey(key: string, extra: readonly string[] = []): string | null {
  const candidates = [...configPaths(), ...Object.keys(KEY_ALIASES), ...extra];
  const leaf = key.split('.').pop()!.toLowerCase();
  const sameLeaf = configPaths().filter((p) => p.split('.').pop()!.toLowerCase() === leaf);
  if (sameLeaf.length > 0) return sameLeaf[0]!;
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== null && bestD <= Math.max(3, Math.floor(key.length / 2)) ? best : null;
}

/**
 * Resolves an alias or dotted path to the canonical dotted path, or throws UnknownKeyError
 * naming `where` (e.g. `scientific` or `--flags`) and the closest valid key.
 */
export function canonicalKey(key: string, where = ''): string {
  const k = KEY_ALIASES[key] ?? key;
  if (configPaths().includes(k)) return k;
  throw new UnknownKeyError(key, where, suggestKey(key));
}

/** Reads a dotted path from a nested object (undefined when absent). */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Writes `value` at a dotted path of `obj`, creating intermediate objects (mutates `obj`). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}
