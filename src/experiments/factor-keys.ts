/**
 * Factor keys: what a scientific or nuisance factor may be named by, and how its level is
 * written into a trial's config.
 *
 * - A leaf key (`model.depth`, or an alias such as `depth`): each level is that one value.
 * - A group key, coupled factors (`model`, `pretrain`, `online.resample`: an object of the
 *   TrialConfig): each level is a partial object deep-merged into it, so keys that must move
 *   together form one factor. Erhan et al. 2010, Fig. 11 (footnote 14): 2000 units at depth 1 but 1000 at depth 3,
 *   `model: [{ depth: 1, hidden: 2000 }, { depth: 3, hidden: 1000 }]`, two cells, not four.
 *   Labels show the level's leaves (`depth=1 hidden=2000`), and a trial's config (so its hash)
 *   is the same as if the keys had been set one by one.
 */
import { canonicalKey, configPaths, getPath, KEY_ALIASES, setPath } from '../train/config-keys.ts';
import { deepMerge } from './json-data.ts';

/** True when `key` names an object of the TrialConfig (a section such as `model`, or `online.resample`). */
export function isGroupKey(key: string): boolean {
  return configPaths().some((p) => p.startsWith(`${key}.`));
}

/**
 * The canonical key of a factor named `name`: the dotted leaf path of an alias or of a path, else a
 * group key as written. An alias wins (`pretrain` is `pretrain.kind`) unless `levels` are given and
 * are all objects: a leaf takes no object level, so `pretrain: [{ kind: 'none' }, { kind:
 * 'supervised', source: {...} }]` is the `pretrain` section as a coupled factor (the source task
 * exists only at its level). Throws UnknownKeyError (naming `where` and the closest key) for
 * anything else.
 */
export function factorKey(name: string, where = '', levels?: readonly unknown[]): string {
  const objects = levels !== undefined && levels.length > 0 && levels.every(isPlainObject);
  return (!(name in KEY_ALIASES) || objects) && isGroupKey(name) ? name : canonicalKey(name, where);
}

/** True for a plain (non-array, non-null) object. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Writes one level of factor `key` into a config input (mutates `input`): a group level merges into what is there. */
export function applyLevel(input: Record<string, unknown>, key: string, value: unknown): void {
  const here = getPath(input, key);
  if (isGroupKey(key) && isPlainObject(value)) setPath(input, key, deepMerge(isPlainObject(here) ? here : {}, value));
  else setPath(input, key, value);
}

/** The leaves a level sets, as `[dotted path, value]` in the level's key order (a leaf level: itself). */
export function levelLeaves(key: string, value: unknown): [string, unknown][] {
  if (!isGroupKey(key) || !isPlainObject(value)) return [[key, value]];
  return Object.entries(value).flatMap(([k, v]) => levelLeaves(`${key}.${k}`, v));
}

