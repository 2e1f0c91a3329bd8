/**
 * The zod schema of an experiment file (`experiments/*.ts`). Unknown keys and wrong types are
 * errors whose message names the key path. Config sections (`data`, `model`, `pretrain`,
 * `finetune`, `analysis`, `online`, `backend`) have the TrialConfig's own shape, so nothing is mapped between the two;
 * they and grid values are checked against the TrialConfig schema (`src/train/config.ts`) without
 * filling defaults, so presets and flags layer on top of exactly what the file wrote.
 */
import { z } from 'zod';

/** Figures a report can draw; see `src/report/`. */
export const FIGURE_KINDS = [
  'test-error-boxplot',
  'test-error-histogram',
  'curves',
  'table',
  'filters',
  'landscape',
  'unit-patterns',
  'weight-change',
  'error-vs-factor',
  'penalty-vs-pretraining',
  'trajectories',
  'nll-trajectories',
  'online-error',
  'train-error-blocks',
  'ordering-variance',
  'gap-vs-labels',
  'transfer-modes',
  'error-vs-updates',
  'train-test-gap',
  'depth-trend',
] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];

const configSection = z.record(z.string(), z.unknown());
/**
 * One factor's levels: a non-empty list, or an object of labelled levels (label -> partial
 * TrialConfig, for a factor named apart from the config keys; `labelled-factor.ts`).
 */
const levels = z.custom<unknown[] | Record<string, Record<string, unknown>>>(
  (v) => (Array.isArray(v) ? v.length > 0 : v !== null && typeof v === 'object' && Object.keys(v).length > 0),
  { message: 'grid is empty or not a list; give a non-empty list of levels, or an object of labelled levels (label -> partial config)' },
);
const grid = z.record(z.string(), levels);
const seeds = z.union([
  z.number().int().min(1),
  z.array(z.number().int().min(0)).min(1, { message: 'no seeds; give a count or a non-empty list' }),
]);

/**
 * Options of the figures that need them, one optional sub-key per figure kind.
 * - `error-vs-factor.x`: the numeric scientific factor(s) on the x axis (a dotted key or an alias,
 *   e.g. `hidden`); one chart per factor. Without it, the first numeric scientific factor is used.
 */
export const figureOptionsSchema = z.strictObject({
  'error-vs-factor': z.strictObject({ x: z.union([z.string(), z.array(z.string()).min(1)]) }).optional(),
});
export type FigureOptionsInput = z.input<typeof figureOptionsSchema>;

/** `selection`: how each cell's nuisance setting is chosen (see `protocolSchema`). */
export const SELECTION_MODES = ['fresh-seeds', 'same-seeds'] as const;
export type SelectionMode = (typeof SELECTION_MODES)[number];

/**
 * The statistical protocol of a study (Erhan et al. 2010, Section 5.3). Every key is optional;
 * a preset's keys replace the file's one by one.
 * - `selection`: `fresh-seeds` (default) chooses each cell's nuisance setting by mean validation
 *   error over `selectionSeeds`, then runs only the chosen setting on `seeds` and reports those;
 *   `same-seeds` chooses and reports on `seeds` (the winner's curse grows with the grid).
 * - `selectionSeeds`: a count N (seeds 100001..100000+N, default 3) or a list; disjoint from `seeds`.
 * - `dataSeed`: the TrialConfig `data.seed` of every trial (default 0: the training subset is fixed
 *   across initialisation seeds), or `'per-seed'` (it varies with the trial seed).
 */
export const protocolSchema = z.strictObject({
  selection: z.enum(SELECTION_MODES).optional(),
  selectionSeeds: seeds.optional(),
  dataSeed: z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.literal('per-seed')]).optional(),
});
export type ProtocolInput = z.input<typeof protocolSchema>;

/** What a preset may change: any config section, grids (per key), seeds, the protocol. */
export const presetSchema = z.strictObject({
  /** One line: what this preset is for and how long it takes. */
  description: z.string().optional(),
  data: configSection.optional(),
  model: configSection.optional(),
  pretrain: configSection.optional(),
  finetune: configSection.optional(),
  analysis: configSection.optional(),
  online: configSection.optional(),
  /** Replaces the listed factors' levels (other factors keep theirs); for a labelled factor, a list of its labels picks those levels. */
  scientific: grid.optional(),
  /** Replaces the listed nuisance grids (other grids keep theirs). */
  nuisance: grid.optional(),
  seeds: seeds.optional(),
  protocol: protocolSchema.optional(),
  backend: z.string().optional(),
});

/**
 * What the paper reports for some cells of the study (e.g. Erhan et al. 2010, Table 1): test error
 * in percent, mean and standard deviation over the paper's seeds. Each entry's `cell` names levels
 * of scientific factors (keys as in `scientific`; factors left out match any level). `groupBy`
 * (a factor key, e.g. `depth` for Table 1's columns; `name`, the paper's row name, e.g. `Uniform`) is where the report checks the paper's
 * ordering of the entries' means. The report sets each entry beside the matching cell: the
 * difference in the paper's standard deviations and whether it lies within two of them.
 */
export const reportedSchema = z.strictObject({
  /** Where the numbers are, e.g. `Erhan et al. 2010, Table 1`. */
  source: z.string().min(1),
  metric: z.literal('test-error-percent'),
  groupBy: z.string().optional(),
  cells: z
    .array(z.strictObject({ name: z.string().min(1).optional(), cell: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])), mean: z.number().finite().nonnegative(), std: z.number().finite().positive() }))
    .min(1),
});

export const experimentSchema = z.strictObject({
  /** Lower-case id, also the run directory name: `runs/<id>/`. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'use lower-case letters, digits and dashes' }),
  /** Where in the paper, e.g. `Erhan et al. 2010, Fig. 1-2, Section 6.1`. */
  paper: z.string().min(1),
  /** One line shown by `pretrain-lab list`. */
  description: z.string().min(1).refine((s) => !s.includes('\n'), { message: 'description must be one line' }),
  data: configSection.optional(),
  model: configSection.optional(),
  pretrain: configSection.optional(),
  finetune: configSection.optional(),
  /** In-trial analyses (`analysis.landscape`, `analysis.actmax`, `analysis.weightChange`, ...): the TrialConfig's `analysis` section, all off by default. */
  analysis: configSection.optional(),
  /** Online training from a stream (Section 8: `online.examples`, the pre-training fraction, blocks, Figs. 11-13): the TrialConfig's `online` section; absent, trials train in epochs. */
  online: configSection.optional(),
  /**
   * Factors whose effect is studied; every combination is a cell. Keys: dotted paths or aliases, or
   * a config object (`model`) whose levels are objects merged into it, for factors that move
   * together (coupled factors: `model: [{ depth: 1, hidden: 2000 }, { depth: 3, hidden: 1000 }]`),
   * or a name of your own with an object of labelled levels, each a partial TrialConfig over any
   * sections with optional nuisance grids of its own (labelled factors, `labelled-factor.ts`:
   * `arm: { sigmoid: { model: {...} }, adam: { finetune: { optimizer: 'adam' }, nuisance: { lr: [0.001] } } }`).
   */
  scientific: grid.refine((g) => Object.keys(g).length > 0, { message: 'give at least one scientific factor' }),
  /** Hyperparameters optimised away per cell on validation error (Section 5.3). */
  nuisance: grid.optional(),
  /** A count (seeds 1..N) or explicit seeds: the evaluation seeds, whose test errors are reported. */
  seeds,
  /** Selection seeds vs evaluation seeds, and the data seed (see `protocolSchema`). */
  protocol: protocolSchema.optional(),
  presets: z.record(z.string(), presetSchema).optional(),
  /** Figures the report draws, in order. */
  figures: z.array(z.enum(FIGURE_KINDS)).optional(),
  /** Options of some figures (see `figureOptionsSchema`). */
  figureOptions: figureOptionsSchema.optional(),
  /** The two-sided test compares each level of `factor` with `baseline` at equal other factors. */
  compare: z.strictObject({ factor: z.string(), baseline: z.unknown() }).optional(),
  /** The paper's own numbers for some cells, set beside the study's in the report (see `reportedSchema`). */
  reported: reportedSchema.optional(),
  backend: z.string().optional(),
});

/** What an experiment file passes to `defineExperiment`. */
export type ExperimentInput = z.input<typeof experimentSchema>;
export type PresetInput = z.input<typeof presetSchema>;
