/**
 * Config errors a user can act on: each zod issue of a config schema becomes one line naming the
 * key, the value given and what is allowed, read from the schema itself (its JSON Schema export),
 * e.g.
 *
 *   model.hidden: Invalid input: expected number, received string; got "abc"; allowed: a positive
 *   integer, or a non-empty list of positive integers
 *
 * Every kind of issue the trial config can raise is covered: wrong type, out of range, not an
 * integer, not one of an enum's values, matching no form of a union (then the reason is the branch
 * that came closest), an element of a list out of range, a section that is not an object, and
 * unknown keys (zod's message, which callers extend with their hints).
 */
import { z } from 'zod';
import type { JsonSchema } from './json-schema.ts';


const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let j = jsonSchemas.get(schema);
  if (!j) {
    try {
      j = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    } catch {
      j = {}; // a schema JSON Schema cannot express: issues still name the key and the value
    }
    jsonSchemas.set(schema, j);
  }
  return j;
}

/** A number bound as written, `MAX_SAFE_INTEGER` as no bound. */
const bound = (x: number | undefined): number | undefined => (x === undefined || x >= Number.MAX_SAFE_INTEGER || x <= -Number.MAX_SAFE_INTEGER ? undefined : x);

/** `a number in [0, 1)`, `an integer from 1 to 20`, `a positive integer`, `a number >= 0`; plural for list items. */
function describeNumber(s: JsonSchema, plural: boolean): string {
  const int = s.type === 'integer';
  const noun = int ? (plural ? 'integers' : 'an integer') : plural ? 'numbers' : 'a number';
  const lo = bound(s.minimum), hi = bound(s.maximum), xlo = bound(s.exclusiveMinimum), xhi = bound(s.exclusiveMaximum);
  if (int && lo === 1 && hi === undefined) return plural ? 'positive integers' : 'a positive integer';
  if (int && lo !== undefined && hi !== undefined) return `${noun} from ${lo} to ${hi}`;
  const low = lo ?? xlo, high = hi ?? xhi;
  if (low !== undefined && high !== undefined) return `${noun} in ${lo !== undefined ? '[' : '('}${low}, ${high}${hi !== undefined ? ']' : ')'}`;
  if (low !== undefined) return `${noun} ${lo !== undefined ? '>=' : '>'} ${low}`;
  if (high !== undefined) return `${noun} ${hi !== undefined ? '<=' : '<'} ${high}`;
  return noun;
}

/** What a JSON Schema node allows, in words (plural for the items of a list). */
export function describeAllowed(s: JsonSchema, plural = false): string {
  if (s.anyOf) {
    const forms = s.anyOf.filter((f) => f.type !== 'null').map((f) => describeAllowed(f, plural));
    return forms.join(', or ') + (s.anyOf.some((f) => f.type === 'null') ? ', or null' : '');
  }
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  switch (s.type) {
    case 'integer':
    case 'number':
      return describeNumber(s, plural);
    case 'boolean':
      return plural ? 'true or false values' : 'true or false';
    case 'string':
      return s.minLength ? (plural ? 'non-empty strings' : 'a non-empty string') : plural ? 'strings' : 'a string';
    case 'null':
      return 'null';
    case 'array':
      return `${s.minItems ? 'a non-empty list' : 'a list'} of ${s.items ? describeAllowed(s.items, true) : 'values'}`;
    case 'object':
      return `${plural ? 'objects' : 'an object'} with keys ${Object.keys(s.properties ?? {}).join(', ')}`;
    default:
      return 'any value';
  }
}

/** A value as the user wrote it, short: `"abc"`, `2.5`, `[0.5,2]`, `NaN`, `undefined`. */
export function showValue(v: unknown): string {
  if (typeof v === 'number' || v === undefined || typeof v === 'bigint') return String(v);
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The deepest schema key (object property) along `path`, its node, and the rest of the path. */
function keyOf(root: JsonSchema, path: readonly PropertyKey[]): { key: string[]; node: JsonSchema; rest: PropertyKey[] } {
  let node = root;
  let i = 0;
  for (; i < path.length; i++) {
    const next = node.properties?.[String(path[i])];
    if (!next) break;
    node = next;
  }
  return { key: path.slice(0, i).map(String), node, rest: path.slice(i) };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const p of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[p] : undefined;
  return cur;
}

/** The reason of an issue; for a union, the message of the branch that came closest (not a type mismatch). */
function reason(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.errors.length) {
    const branches = issue.errors.map((errs) => errs[0]).filter((e): e is z.core.$ZodIssue => e !== undefined);
    const close = branches.find((e) => e.code !== 'invalid_type') ?? branches[0];
    if (close) return `${close.path.length ? `element ${close.path.map(String).join('.')}: ` : ''}${reason(close)}`;
  }
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'Invalid input: expected an integer';
  return issue.message;
}

/**
 * One line for a zod issue of `schema` on `input`:
 * `<key>: <reason>; got <value>; allowed: <what the key accepts>`. Unknown keys keep zod's message
 * (`<section>: Unrecognized key: "x"`), which callers follow with their hints.
 * @param prefix prepended to the key (e.g. `presets.quick`), '' for none
 */
export function describeConfigIssue(schema: z.ZodType, input: unknown, issue: z.core.$ZodIssue, prefix = ''): string {
  const { key, node, rest } = keyOf(jsonSchemaOf(schema), issue.path);
  const name = [prefix, ...key].filter(Boolean).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') return `${name}: ${issue.message}`;
  const value = valueAt(input, key);
  const where = rest.length ? ` (element ${rest.map(String).join('.')} is ${showValue(valueAt(value, rest))})` : '';
  return `${name}: ${reason(issue)}; got ${showValue(value)}${where}; allowed: ${describeAllowed(node)}${requiredBy(input, key, value, prefix)}`;
}

/**
 * For a key missing from an optional section that was set (e.g. `online.resample.blocks` when only
 * `online.resample.draw` was given): which keys of that section were given, since they are what
 * made the missing key required.
 */
function requiredBy(input: unknown, key: readonly PropertyKey[], value: unknown, prefix: string): string {
  if (value !== undefined || key.length < 2) return '';
  const section = valueAt(input, key.slice(0, -1));
  if (section === null || typeof section !== 'object' || Array.isArray(section)) return '';
  const given = Object.keys(section).map((k) => [prefix, ...key.slice(0, -1).map(String), k].filter(Boolean).join('.'));
  if (given.length === 0) return '';
  const at = [prefix, ...key.slice(0, -1).map(String)].filter(Boolean).join('.');
  return ` (required once ${at} is set, as it is by ${given.join(', ')}; set it too, or remove ${at})`;
}
