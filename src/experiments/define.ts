/**
 * `defineExperiment` (what experiment files call) and `resolveExperiment` (defaults -> experiment
 * file -> preset -> `--key=value` flags). Both throw an ExperimentError whose message names
 * every offending key path and what to do.
 */
import type { z } from 'zod';
import { trialConfigSchema } from '../train/config.ts';
import { describeConfigIssue } from '../train/config-issues.ts';
import { canonicalKey, configPaths, getPath, setPath, UnknownKeyError, KEY_ALIASES } from '../train/config-keys.ts';
import { cloneJson, deepMerge } from './json-data.ts';
import { applyLevel, factorKey, isGroupKey, isPlainObject } from './factor-keys.ts';
import { cellNuisance, factorLeaves, isLabelled, labelledFactor, LEVEL_SECTIONS, pickLevels, withSetting, type Factor, type LabelledFactor, type LabelledLevel } from './labelled-factor.ts';
import { hashJson } from './hash.ts';
import { experimentSchema, FIGURE_KINDS, presetSchema, protocolSchema, reportedSchema, type ExperimentInput, type FigureKind, type PresetInput, type ProtocolInput, type SelectionMode } from './schema.ts';

/** Error for an invalid experiment, preset or flag; lists `path: problem` lines. */
export class ExperimentError extends Error {
  override name = 'ExperimentError';
}

/** One factor (scientific or nuisance): defined beside the labelled levels it may carry (`labelled-factor.ts`). */
export type { Factor } from './labelled-factor.ts';

/** A validated experiment file (keys of grids already canonical dotted paths). */
export interface Experiment {
  readonly id: string;
  readonly paper: string;
  readonly description: string;
  /** The file's raw definition (validated), kept for presets and records. */
  readonly input: ExperimentInput;
}

/**
 * The resolved protocol of a study (Erhan et al. 2010, Section 5.3; see `protocolSchema`).
 * `selectionSeeds` are only run under `fresh-seeds` with more than one nuisance setting.
 */
export interface Protocol {
  selection: SelectionMode;
  selectionSeeds: number[];
  /** The `data.seed` written into every trial that does not set it: a fixed seed, or the trial seed. */
  dataSeed: number | 'per-seed';
}

/** The protocol when an experiment says nothing: fresh selection seeds, 3 of them, data seed 0. */
export const DEFAULT_PROTOCOL: Readonly<Protocol> = { selection: 'fresh-seeds', selectionSeeds: [100001, 100002, 100003], dataSeed: 0 };

/** The first selection seed of a count: a count N means seeds 100001..100000+N, far from evaluation seeds 1..N. */
export const SELECTION_SEED_BASE = 100_000;

/** An experiment with a preset and flags applied: everything the runner expands. */
export interface ResolvedExperiment {
  id: string;
  paper: string;
  description: string;
  preset: string | null;
  /** TrialConfig input shared by all trials (before factors, nuisance values and seed). */
  base: Record<string, unknown>;
  scientific: Factor[];
  nuisance: Factor[];
  /** The evaluation seeds: the seeds whose test errors are reported. */
  seeds: number[];
  /** Selection seeds vs evaluation seeds and the data seed. */
  protocol: Protocol;
  figures: FigureKind[];
  /** The pre-trained-vs-not comparison of the report's table (null: none). */
  compare: { factor: string; baseline: unknown } | null;
  /** Options of some figures, keys canonical (absent in stores written before they existed). */
  figureOptions?: FigureOptions;
  /** The paper's numbers for some cells, keys canonical (`reportedSchema`; not part of `specHash`). */
  reported?: Reported;
  /** Hash of all of the above but `reported`: identifies this configuration of the experiment. */
  specHash: string;
}

/** The file's `reported` with each cell's keys (and `groupBy`) as the canonical keys of its scientific factors. */
export type Reported = z.output<typeof reportedSchema>;

/** Resolved figure options: `error-vs-factor.x` lists canonical dotted keys of numeric scientific factors. */
export interface FigureOptions {
  'error-vs-factor'?: { x: string[] };
}

/** Options layered on top of the experiment file, in this order. */
export interface ResolveOptions {
  preset?: string | null;
  /** `--key=value` flags: dotted TrialConfig paths or aliases; a factor's key replaces its levels. */
  overrides?: Record<string, unknown>;
  /** `--seeds N`: a count (seeds 1..N) or a list. */
  seeds?: number | number[];
  backend?: string;
  /** `--selection`, `--selection-seeds`, `--data-seed`: replace the protocol's keys they name. */
  protocol?: ProtocolInput;
}

type Issues = string[];

/** One line per issue of the trial config schema on `input`: the key, the reason, the value given and what is allowed. */
function zodIssues(prefix: string, input: unknown, issues: readonly z.core.$ZodIssue[]): Issues {
  return issues.map((i) => describeConfigIssue(trialConfigSchema, input, i, prefix));
}

/**
 * The issues a part of a config can be blamed for on its own: not a required key it leaves to
 * another part (`online.examples` in the file, `online.resample.block` in a grid), nor a rule across
 * keys. Both are checked on a whole trial's config (`representativeInput`).
 */
function partialIssues(input: unknown, issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.filter((i) => i.code !== 'custom' && !(i.code === 'invalid_type' && getPath(input, i.path.map(String).join('.')) === undefined));
}

/** The config sections of an experiment file or preset: already in TrialConfig shape, picked as written. */
function configSections(s: { data?: unknown; model?: unknown; pretrain?: unknown; finetune?: unknown; analysis?: unknown; online?: unknown; backend?: unknown }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['data', 'model', 'pretrain', 'finetune', 'analysis', 'online', 'backend'] as const) if (s[k] !== undefined) out[k] = s[k];
  return out;
}

/** Checks config sections without filling defaults; paths are reported as written in the file. */
function checkSections(prefix: string, s: Record<string, unknown>): Issues {
  const sections = configSections(s);
  const r = trialConfigSchema.safeParse(sections);
  return r.success ? [] : zodIssues(prefix, sections, partialIssues(sections, r.error.issues));
}

/** True when `name` is a config key, alias or section (or the seed), so it cannot name a labelled factor. */
function isConfigName(name: string): boolean {
  return name in KEY_ALIASES || name === 'seed' || configPaths().includes(name) || isGroupKey(name);
}

/**
 * Checks a labelled factor written as an object, label -> level (`labelled-factor.ts`): its name is
 * not a config key, each level sets config sections only (checked against the TrialConfig schema
 * without defaults) and may bring nuisance grids (`nuisanceAllowed`: in the scientific grid only).
 */
function checkLabelled(prefix: string, name: string, raw: Record<string, unknown>, nuisanceAllowed: boolean): { issues: Issues; factor: LabelledFactor } {
  const issues: Issues = [];
  const where = `${prefix}.${name}`;
  if (isConfigName(name)) {
    issues.push(`${where}: '${name}' is a config key, so its levels are a list; an object of labelled levels (label -> partial config) belongs to a factor named apart from the config keys, e.g. 'arm'`);
  } else if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) issues.push(`${where}: a labelled factor's name is a letter then letters, digits, '_' or '-', e.g. 'arm'`);
  const levels: Record<string, LabelledLevel> = {};
  for (const [label, level] of Object.entries(raw)) {
    const at = `${where}['${label}']`;
    if (/^(0|[1-9][0-9]*)$/.test(label)) issues.push(`${at}: a label that is a whole number is reordered by JavaScript objects; give it a name, e.g. '${name}-${label}'`);
    if (!isPlainObject(level)) {
      issues.push(`${at}: ${JSON.stringify(level)} is not a level; give an object of config sections (${LEVEL_SECTIONS.join(', ')}), e.g. { model: { activation: 'relu' } }`);
      continue;
    }
    const { nuisance, ...config } = level;
    const unknown = Object.keys(config).filter((k) => !(LEVEL_SECTIONS as readonly string[]).includes(k));
    if (unknown.length) issues.push(`${at}: ${unknown.map((k) => `'${k}'`).join(', ')} ${unknown.length > 1 ? 'are not config sections' : 'is not a config section'}; a level sets ${LEVEL_SECTIONS.join(', ')}${nuisanceAllowed ? ' and may give its own nuisance grids (nuisance)' : ''}`);
    else if (Object.keys(config).length === 0) issues.push(`${at}: the level sets no config section; give at least one, e.g. { model: { activation: 'relu' } }`);
    const r = trialConfigSchema.safeParse(config);
    if (!r.success && !unknown.length) for (const i of partialIssues(config, r.error.issues)) issues.push(`${at}: ${describeConfigIssue(trialConfigSchema, config, i)}`);
    let own: Factor[] | undefined;
    if (nuisance !== undefined) {
      const grid = isPlainObject(nuisance) && Object.values(nuisance).every((v) => Array.isArray(v) && v.length > 0) ? (nuisance as Record<string, unknown[]>) : null;
      if (!nuisanceAllowed) issues.push(`${at}.nuisance: a level of a nuisance factor cannot bring nuisance grids; move the factor to scientific`);
      else if (!grid) issues.push(`${at}.nuisance: give grids, key -> non-empty list of values, e.g. { lr: [0.003, 0.001] }`);
      else {
        const c = checkGrid(`${at}.nuisance`, grid, new Map());
        issues.push(...c.issues);
        own = c.factors;
      }
    }
    levels[label] = own ? { config: cloneJson(config), nuisance: own } : { config: cloneJson(config) };
  }
  return { issues, factor: { key: name, values: Object.keys(raw), levels } };
}

/**
 * Checks one grid (scientific or nuisance) and returns its factors. `known` are the factors already
 * defined (a preset's or a flag's list of labels picks levels of a labelled factor among them);
 * `scientific`: a labelled factor's levels may bring nuisance grids of their own.
 */
function checkGrid(prefix: string, g: Record<string, unknown> | undefined, seen: Map<string, string>, known: readonly Factor[] = [], scientific = false): { issues: Issues; factors: Factor[] } {
  const issues: Issues = [];
  const factors: Factor[] = [];
  for (const [k, levels] of Object.entries(g ?? {})) {
    const lab = labelledFactor(known, k);
    if (isPlainObject(levels) || (lab && Array.isArray(levels))) {
      if (seen.has(k)) {
        issues.push(`${prefix}.${k}: '${k}' is already a factor (${seen.get(k)}); a key may appear once across scientific and nuisance`);
        continue;
      }
      seen.set(k, `${prefix}.${k}`);
      if (isPlainObject(levels)) {
        const c = checkLabelled(prefix, k, levels, scientific);
        issues.push(...c.issues);
        factors.push(c.factor);
      } else {
        try {
          factors.push(pickLevels(lab!, levels as unknown[]));
        } catch (e) {
          issues.push(`${prefix}.${k}: ${(e as Error).message}`);
        }
      }
      continue;
    }
    const values = levels as unknown[];
    let key: string;
    try {
      key = factorKey(k, '', values);
    } catch (e) {
      const s = e instanceof UnknownKeyError ? e.suggestion : null;
      issues.push(`${prefix}.${k}: unknown key${s ? `; did you mean '${s}'?` : ''} (use a dotted TrialConfig path such as model.depth, an alias: ${Object.keys(KEY_ALIASES).join(', ')}; or a section such as model with object levels, for coupled factors)`);
      continue;
    }
    if (key === 'seed') {
      issues.push(`${prefix}.${k}: seeds are not a grid factor; use \`seeds\``);
      continue;
    }
    const other = seen.get(key);
    if (other !== undefined) {
      issues.push(`${prefix}.${k}: '${key}' is already a factor (${other}); a key may appear once across scientific and nuisance`);
      continue;
    }
    seen.set(key, `${prefix}.${k}`);
    const group = isGroupKey(key);
    values.forEach((v, idx) => {
      if (group && (!isPlainObject(v) || Object.keys(v).length === 0)) {
        issues.push(`${prefix}.${k}[${idx}]: ${JSON.stringify(v)} is not a level of the coupled factor '${key}'; give a non-empty object of its keys, e.g. { depth: 1, hidden: 2000 } for model`);
        return;
      }
      const cfg: Record<string, unknown> = {};
      setPath(cfg, key, v);
      const r = trialConfigSchema.safeParse(cfg);
      if (!r.success) for (const i of partialIssues(cfg, r.error.issues)) issues.push(`${prefix}.${k}[${idx}]: ${JSON.stringify(v)} is not a valid ${describeConfigIssue(trialConfigSchema, cfg, i)}`);
    });
    const dup = values.findIndex((v, i) => values.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) !== i);
    if (dup >= 0) issues.push(`${prefix}.${k}[${dup}]: ${JSON.stringify(values[dup])} is listed twice`);
    factors.push({ key, values: cloneJson(values) });
  }
  return { issues, factors };
}

function fail(what: string, issues: Issues): never {
  throw new ExperimentError(`invalid ${what}:\n${issues.map((l) => `  ${l}`).join('\n')}`);
}

/**
 * Validates an experiment definition (see STYLE.md and `experiments/depth.ts`) and returns it.
 * Every preset is resolved once here too, so a typo in `presets.full` fails at load time.
 */
export function defineExperiment(input: ExperimentInput): Experiment {
  const r = experimentSchema.safeParse(input);
  const id = typeof (input as { id?: unknown })?.id === 'string' ? (input as { id: string }).id : '(no id)';
  if (!r.success) fail(`experiment '${id}'`, r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`));
  const exp: Experiment = { id: r.data.id, paper: r.data.paper, description: r.data.description, input };
  resolveExperiment(exp, {});
  for (const name of Object.keys(r.data.presets ?? {})) resolveExperiment(exp, { preset: name });
  return exp;
}

/** The most seeds a study may have (a count beyond it would allocate, expand and hash for minutes). */
export const MAX_SEEDS = 10_000;

const SEEDS_HELP = `seeds are a count 1..${MAX_SEEDS} (seeds 1..N) or a non-empty list of integers 0..2^53-1, e.g. --seeds=10 or --seeds=[1,2,3]`;

/** Seeds 1..s for a count, or the list itself; throws ExperimentError naming `where` for anything else. */
function seedList(s: unknown, where = 'seeds'): number[] {
  if (typeof s === 'number' && Number.isInteger(s) && s >= 1 && s <= MAX_SEEDS) return Array.from({ length: s }, (_, i) => i + 1);
  if (Array.isArray(s) && s.length >= 1 && s.length <= MAX_SEEDS && s.every((x) => Number.isSafeInteger(x) && x >= 0)) return [...(s as number[])];
  const shown = JSON.stringify(s) ?? String(s);
  throw new ExperimentError(`${where}: ${SEEDS_HELP}; got ${shown.length > 40 ? `${shown.slice(0, 40)}...` : shown}`);
}

function mergeGrid(base: Factor[], over: Factor[]): Factor[] {
  const out = base.map((f) => ({ ...f }));
  for (const f of over) {
    const i = out.findIndex((g) => g.key === f.key);
    if (i >= 0) out[i] = f;
    else out.push(f);
  }
  return out;
}

/** What the file, its preset, the flags and the run options each layer on, in that order. */
interface Layers {
  /** TrialConfig input shared by all trials. */
  base: Record<string, unknown>;
  scientific: Factor[];
  nuisance: Factor[];
  seeds: number[];
  backend: string | undefined;
  /** The protocol's keys as written so far (file, then preset, then run options). */
  protocol: ProtocolInput;
}

type ExperimentDef = ReturnType<typeof experimentSchema.parse>;

/** Step 1: the experiment file itself, its config sections and grids checked. */
function fileLayers(def: ExperimentDef): { layers: Layers; issues: Issues } {
  const seen = new Map<string, string>();
  const sci = checkGrid('scientific', def.scientific, seen, [], true);
  const nui = checkGrid('nuisance', def.nuisance, new Map(seen), sci.factors);
  return {
    layers: { base: configSections(def), scientific: sci.factors, nuisance: nui.factors, seeds: seedList(def.seeds), backend: def.backend, protocol: { ...def.protocol } },
    issues: [...checkSections('', def), ...sci.issues, ...nui.issues],
  };
}

/**
 * Step 2: a named preset on top: its sections deep-merge into the base, its grids replace the
 * factors they name, its seeds and backend replace the file's. An unknown preset name throws at once.
 */
function applyPreset(def: ExperimentDef, presetName: string, layers: Layers): { layers: Layers; issues: Issues } {
  const p = def.presets?.[presetName];
  if (!p) {
    const names = Object.keys(def.presets ?? {});
    throw new ExperimentError(`experiment '${def.id}' has no preset '${presetName}'; its presets are: ${names.join(', ') || '(none)'}`);
  }
  const parsed: PresetInput = presetSchema.parse(p);
  const prefix = `presets.${presetName}`;
  const ps = checkGrid(`${prefix}.scientific`, parsed.scientific, new Map(), layers.scientific, true);
  const pn = checkGrid(`${prefix}.nuisance`, parsed.nuisance, new Map(), layers.nuisance);
  return {
    layers: {
      base: deepMerge(layers.base, configSections(parsed)),
      scientific: mergeGrid(layers.scientific, ps.factors),
      nuisance: mergeGrid(layers.nuisance, pn.factors),
      seeds: parsed.seeds !== undefined ? seedList(parsed.seeds) : layers.seeds,
      backend: parsed.backend ?? layers.backend,
      protocol: { ...layers.protocol, ...parsed.protocol },
    },
    issues: [...checkSections(prefix, parsed), ...ps.issues, ...pn.issues],
  };
}

/**
 * Step 3: `--key=value` flags, in order (mutates `layers`). `seeds`/`seed` set the seeds; a
 * factor's key replaces its levels; `backend` the backend; any other key sets the shared config.
 * An unknown key throws at once naming the closest valid one; bad values are returned as issues.
 */
function applyFlags(overrides: Record<string, unknown>, layers: Layers): Issues {
  const issues: Issues = [];
  for (const [k, v] of Object.entries(overrides)) {
    if (k === 'seeds') {
      layers.seeds = seedList(v, `--${k}`);
      continue;
    }
    const lab = labelledFactor([...layers.scientific, ...layers.nuisance], k);
    if (lab) {
      // A labelled factor's flag: a label or a list of labels picks its levels; an object redefines them.
      const inSci = layers.scientific.some((f) => f.key === k);
      const checked = checkGrid(inSci ? 'scientific' : 'nuisance', { [k]: isPlainObject(v) || Array.isArray(v) ? v : [v] }, new Map(), [lab], inSci);
      if (checked.issues.length) issues.push(...checked.issues.map((l) => `--${k}${l.slice(l.indexOf(':'))}`));
      else if (inSci) layers.scientific = layers.scientific.map((g) => (g.key === k ? checked.factors[0]! : g));
      else layers.nuisance = layers.nuisance.map((g) => (g.key === k ? checked.factors[0]! : g));
      continue;
    }
    let key: string;
    try {
      key = factorKey(k, 'the --key=value flags', Array.isArray(v) ? v : [v]);
    } catch (e) {
      throw new ExperimentError(`invalid flag --${k}: ${(e as Error).message}`);
    }
    const inSci = layers.scientific.findIndex((f) => f.key === key);
    const inNui = layers.nuisance.findIndex((f) => f.key === key);
    const listy = inSci >= 0 || inNui >= 0 || key === 'seed';
    const values = listy && Array.isArray(v) ? v : [v];
    if (key === 'seed') {
      if (!values.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) issues.push(`--${k}: seeds are integers 0..2^53-1, e.g. --seed=3 or --seed=[1,2,3]`);
      else layers.seeds = values as number[];
      continue;
    }
    const checked = checkGrid('--flags', { [key]: values }, new Map());
    if (checked.issues.length) {
      issues.push(...checked.issues.map((l) => `--${k}${l.slice(l.indexOf(':'))}`));
      continue;
    }
    const f = checked.factors[0]!;
    if (inSci >= 0) layers.scientific = layers.scientific.map((g, i) => (i === inSci ? f : g));
    else if (inNui >= 0) layers.nuisance = layers.nuisance.map((g, i) => (i === inNui ? f : g));
    else if (key === 'backend') layers.backend = f.values[0] as string;
    else applyLevel(layers.base, key, f.values[0]);
  }
  return issues;
}

/** Step 4: `--seeds`, `--backend` and the protocol flags given as options; the backend lands in the shared config (mutates `layers`). */
function applyRunOptions(opts: ResolveOptions, layers: Layers): void {
  if (opts.seeds !== undefined) layers.seeds = seedList(opts.seeds, '--seeds');
  if (opts.backend !== undefined) layers.backend = opts.backend;
  if (layers.backend !== undefined) layers.base.backend = layers.backend;
  if (opts.protocol !== undefined) {
    const r = protocolSchema.safeParse(opts.protocol);
    if (!r.success) fail('protocol flags', r.error.issues.map((i) => `--${flagName(i.path.map(String)[0] ?? '')}: ${i.message}; ${PROTOCOL_HELP}`));
    layers.protocol = { ...layers.protocol, ...r.data };
  }
}

const PROTOCOL_HELP = "allowed: --selection fresh-seeds|same-seeds, --selection-seeds N|[s1,s2,...], --data-seed N|per-seed";

/** The CLI flag of a protocol key: `selectionSeeds` -> `selection-seeds`. */
function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Selection seeds 100001..100000+N for a count, or the list itself. */
function selectionSeedList(s: unknown): number[] {
  if (typeof s === 'number' && Number.isInteger(s) && s >= 1 && s <= MAX_SEEDS) return Array.from({ length: s }, (_, i) => SELECTION_SEED_BASE + i + 1);
  return seedList(s, 'protocol.selectionSeeds');
}

/**
 * Step 5: the protocol, defaults filled. Under `fresh-seeds` the selection seeds must not overlap
 * the evaluation seeds (a trial would then both choose and report).
 * @throws ExperimentError naming both lists and the seeds they share
 */
function resolveProtocol(id: string, p: ProtocolInput, seeds: readonly number[]): Protocol {
  const protocol: Protocol = {
    selection: p.selection ?? DEFAULT_PROTOCOL.selection,
    selectionSeeds: p.selectionSeeds !== undefined ? selectionSeedList(p.selectionSeeds) : [...DEFAULT_PROTOCOL.selectionSeeds],
    dataSeed: p.dataSeed ?? DEFAULT_PROTOCOL.dataSeed,
  };
  if (protocol.selection === 'fresh-seeds') {
    const evaluation = new Set(seeds);
    const shared = protocol.selectionSeeds.filter((s) => evaluation.has(s));
    if (shared.length) {
      fail(`experiment '${id}'`, [
        `protocol.selectionSeeds ${JSON.stringify(protocol.selectionSeeds)} and seeds ${JSON.stringify(seeds)} share ${JSON.stringify(shared)}: ` +
          `under selection 'fresh-seeds' the seeds that choose the setting must not be the seeds that report it; give disjoint lists ` +
          `(a count N of selection seeds means ${SELECTION_SEED_BASE + 1}..${SELECTION_SEED_BASE}+N) or use selection 'same-seeds'`,
      ]);
    }
    const dup = protocol.selectionSeeds.find((s, i) => protocol.selectionSeeds.indexOf(s) !== i);
    if (dup !== undefined) fail(`experiment '${id}'`, [`protocol.selectionSeeds: seed ${dup} is listed twice`]);
  }
  return protocol;
}

/** The comparison of the report: the file's `compare`, else pre-training vs none when `pretrain.kind` is a factor with `none`. */
function comparisonOf(def: ExperimentDef, scientific: readonly Factor[]): ResolvedExperiment['compare'] {
  const lab = def.compare ? labelledFactor(scientific, def.compare.factor) : undefined;
  if (def.compare && lab) {
    // A labelled factor (e.g. arm): the baseline is one of the labels the file defines (a preset or flag may leave it out: then nothing is compared).
    const defined = Object.keys((def.scientific as Record<string, unknown>)[lab.key] ?? lab.levels);
    if (!defined.includes(def.compare.baseline as string)) fail(`experiment '${def.id}'`, [`compare.baseline: ${JSON.stringify(def.compare.baseline)} is not a level of '${lab.key}'; its levels are ${defined.map((v) => JSON.stringify(v)).join(', ')}`]);
    return { factor: lab.key, baseline: def.compare.baseline };
  }
  if (def.compare) return { factor: factorKey(def.compare.factor, 'compare.factor'), baseline: def.compare.baseline };
  if (scientific.some((f) => f.key === 'pretrain.kind' && f.values.includes('none'))) return { factor: 'pretrain.kind', baseline: 'none' };
  return null;
}

/**
 * The file's `reported` with canonical keys: every key of an entry's cell and `groupBy` must name a
 * scientific factor (an entry whose level a preset leaves out is shown as not run, not an error).
 */
function reportedOf(def: ExperimentDef, scientific: readonly Factor[]): { reported: Reported | undefined; issues: Issues } {
  const r = def.reported;
  if (!r) return { reported: undefined, issues: [] };
  const issues: Issues = [];
  const keys = scientific.map((f) => f.key);
  const keyOf = (name: string, where: string): string | null => {
    if (keys.includes(name)) return name;
    let key: string | null = null;
    try {
      key = factorKey(name, where);
    } catch {
      key = null;
    }
    if (key !== null && keys.includes(key)) return key;
    issues.push(`${where}: '${name}' is not a scientific factor of this experiment; its factors are ${keys.join(', ')}`);
    return null;
  };
  const cells = r.cells.map((c, i) => ({
    ...c,
    cell: Object.fromEntries(Object.entries(c.cell).flatMap(([k, v]) => {
      const key = keyOf(k, `reported.cells[${i}].cell`);
      return key === null ? [] : [[key, v]];
    })),
  }));
  const groupBy = r.groupBy === undefined ? undefined : keyOf(r.groupBy, 'reported.groupBy') ?? undefined;
  if (groupBy !== undefined) cells.forEach((c, i) => void (groupBy in c.cell || issues.push(`reported.cells[${i}].cell: gives no level of '${groupBy}' (reported.groupBy)`)));
  return { reported: { ...r, cells, ...(groupBy !== undefined ? { groupBy } : {}) }, issues };
}

/** The file's `figureOptions` with canonical keys, checked against the resolved scientific factors. */
function figureOptionsOf(def: ExperimentDef, scientific: readonly Factor[]): { options: FigureOptions | undefined; issues: Issues } {
  const evf = def.figureOptions?.['error-vs-factor'];
  if (!evf) return { options: def.figureOptions ? {} : undefined, issues: [] };
  const issues: Issues = [];
  const x: string[] = [];
  const numeric = scientific.filter((f) => f.values.every((v) => typeof v === 'number')).map((f) => f.key);
  for (const name of Array.isArray(evf.x) ? evf.x : [evf.x]) {
    const where = `figureOptions.error-vs-factor.x: '${name}'`;
    let key: string;
    try {
      key = canonicalKey(name);
    } catch {
      issues.push(`${where} is not a config key; name a numeric scientific factor (${numeric.join(', ') || 'there is none'})`);
      continue;
    }
    if (!numeric.includes(key)) issues.push(`${where} is not a scientific factor with numeric levels; name one of: ${numeric.join(', ') || '(none: add one to scientific)'}`);
    else x.push(key);
  }
  return { options: { 'error-vs-factor': { x } }, issues };
}

/**
 * One issue per config key that two factors set (a coupled factor's level and another factor);
 * a key named twice outright is caught earlier, by `checkGrid`.
 */
function overlappingFactors(factors: readonly Factor[]): Issues {
  const owner = new Map<string, string>();
  const issues: Issues = [];
  for (const f of factors) {
    for (const p of factorLeaves(f)) {
      const other = owner.get(p);
      if (other !== undefined && other !== f.key) issues.push(`'${p}' is set by two factors, '${other}' and '${f.key}'; a key may belong to one factor (move it into one of them)`);
      else owner.set(p, f.key);
    }
  }
  return issues;
}

/**
 * One issue per key that a labelled level's own nuisance grid sets and a scientific factor sets too
 * (that level's config included): the grid would silently override the cell's level.
 */
function overlappingLevelNuisance(scientific: readonly Factor[]): Issues {
  const issues: Issues = [];
  for (const f of scientific.filter(isLabelled)) {
    for (const [label, level] of Object.entries(f.levels)) {
      if (!level.nuisance) continue;
      const others = scientific.filter((g) => g !== f);
      const here = { key: f.key, values: [label], levels: { [label]: { config: level.config } } };
      for (const g of level.nuisance) {
        for (const p of factorLeaves(g)) {
          const owner = [...others, here].find((h) => factorLeaves(h).has(p));
          if (owner) issues.push(`'${p}' is set by the nuisance grid of ${f.key}='${label}' and by ${owner === here ? 'that level itself' : `the factor '${owner.key}'`}; a key may belong to one of them`);
        }
      }
    }
  }
  return issues;
}

/** The first trial's config input: the shared config with every factor at its first level (what `trialConfig` builds), so rules across keys and keys left to grids are checked once on a whole config. */
function representativeInput(layers: Layers): Record<string, unknown> {
  const first = (fs: readonly Factor[]): Record<string, unknown> => Object.fromEntries(fs.filter((f) => f.values.length).map((f) => [f.key, f.values[0]]));
  const cell = first(layers.scientific);
  const nuisance = cellNuisance(layers.scientific, layers.nuisance, cell);
  return withSetting(layers.base, [...layers.scientific, ...nuisance], { ...cell, ...first(nuisance) });
}

/**
 * Applies a preset, `--seeds` and `--key=value` overrides to an experiment. A flag whose key is a
 * scientific or nuisance factor replaces that factor's levels (`--depth=[1,2]`, `--lr=0.1`);
 * any other key sets the shared config. Unknown keys are errors naming the closest valid key.
 */
export function resolveExperiment(exp: Experiment, opts: ResolveOptions): ResolvedExperiment {
  const def = experimentSchema.parse(exp.input);
  const presetName = opts.preset ?? null;
  const file = fileLayers(def);
  const preset = presetName === null ? null : applyPreset(def, presetName, file.layers);
  const layers = preset?.layers ?? file.layers;
  const issues = [...file.issues, ...(preset?.issues ?? [])];
  if (issues.length) fail(`experiment '${def.id}'`, issues);

  const flagIssues = applyFlags(opts.overrides ?? {}, layers);
  applyRunOptions(opts, layers);
  flagIssues.push(...overlappingFactors([...layers.scientific, ...layers.nuisance]), ...overlappingLevelNuisance(layers.scientific));
  const whole = representativeInput(layers);
  const baseCheck = trialConfigSchema.safeParse(whole);
  if (!baseCheck.success) flagIssues.push(...zodIssues('', whole, baseCheck.error.issues));
  const flags = Object.keys(opts.overrides ?? {});
  // A flag can leave the whole config invalid far from its own key (`--online.resample.draw=0` without online.examples): say which flags were given.
  if (flagIssues.length) fail(`settings for experiment '${def.id}'${flags.length ? ` (with ${flags.map((k) => `--${k}`).join(' ')})` : ''}`, flagIssues);
  if (layers.seeds.length === 0) fail(`experiment '${def.id}'`, ['seeds: no seeds; give --seeds N with N >= 1']);
  const figureOptions = figureOptionsOf(def, layers.scientific);
  if (figureOptions.issues.length) fail(`experiment '${def.id}'`, figureOptions.issues);
  const reported = reportedOf(def, layers.scientific);
  if (reported.issues.length) fail(`experiment '${def.id}'`, reported.issues);

  const { base, scientific, nuisance, seeds } = layers;
  const protocol = resolveProtocol(def.id, layers.protocol, seeds);
  const spec = { id: def.id, preset: presetName, base, scientific, nuisance, seeds, protocol };
  return {
    id: def.id,
    paper: def.paper,
    description: def.description,
    preset: presetName,
    base,
    scientific,
    nuisance,
    seeds,
    protocol,
    figures: (def.figures ?? [...FIGURE_KINDS]) as FigureKind[],
    compare: comparisonOf(def, scientific),
    ...(figureOptions.options ? { figureOptions: figureOptions.options } : {}),
    ...(reported.reported ? { reported: reported.reported } : {}),
    specHash: hashJson(spec),
  };
}
