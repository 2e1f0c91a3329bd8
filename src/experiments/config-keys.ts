/**
 * The dotted keys of a TrialConfig (`model.depth`, `pretrain.kind`, `finetune.lr`, ...), their
 * short aliases, and the helpers that read, write and check them. Experiment factors, nuisance
 * grids and `--key=value` flags all name config values this way.
 */
import { trialConfigSchema } from '../train/config.ts';

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
  dataset: 'data.name',
  trainSize: 'data.trainSize',
  validSize: 'data.validSize',
  testSize: 'data.testSize',
};

type AnySchema = { _zod: { def: { innerType?: AnySchema; shape?: Record<string, AnySchema>; type?: string } }; shape?: Record<string, AnySchema> };

function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (let i = 0; i < 10 && cur._zod.def.innerType; i++) cur = cur._zod.def.innerType;
  return cur;
}

function leafPaths(s: AnySchema, prefix: string, out: string[]): void {
  const inner = unwrap(s);
  const shape = inner._zod.def.type === 'object' ? inner._zod.def.shape : undefined;
  if (!shape) {
    out.push(prefix);
    return;
  }
  for (const [k, v] of Object.entries(shape)) leafPaths(v, prefix ? `${prefix}.${k}` : k, out);
}

let cachedPaths: string[] | null = null;

/** Every leaf key of a TrialConfig as a dotted path, e.g. `['seed', 'backend', 'data.name', ...]`. */
export function configPaths(): readonly string[] {
  if (!cachedPaths) {
    const out: string[] = [];
    leafPaths(trialConfigSchema as unknown as AnySchema, '', out);
    cachedPaths = out;
  }
  return cachedPaths;
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

/** Parses a flag value: JSON when it parses (`0.1`, `true`, `[1,2]`, `null`), else the raw string. */
export function parseFlagValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Parses `--key=value` arguments into `{ key: value }` (keys as written, values via parseFlagValue).
 * A bare `--key` means `true`. Throws on arguments that are not of this form, saying how to write them.
 */
export function parseKeyValueFlags(args: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      throw new Error(`unexpected argument '${a}': config values are written --key=value (e.g. --finetune.lr=0.05)`);
    }
    const eq = a.indexOf('=');
    if (eq < 0) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        out[a.slice(2)] = parseFlagValue(next);
        i++;
      } else out[a.slice(2)] = true;
    } else out[a.slice(2, eq)] = parseFlagValue(a.slice(eq + 1));
  }
  return out;
}

/** Deep clone of JSON-like data. */
export function cloneJson<T>(x: T): T {
  return x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T);
}

/** Deep-merges plain objects of `over` into a copy of `base` (arrays and scalars are replaced). */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = cloneJson(base);
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)) {
      out[k] = deepMerge(b as Record<string, unknown>, v as Record<string, unknown>);
    } else out[k] = cloneJson(v);
  }
  return out;
}
