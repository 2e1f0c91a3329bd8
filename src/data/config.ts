/**
 * The data section of a trial's configuration (`TrialConfig.data`): which data set, how much of
 * each split, and how pixels are binarised. `loadData` (`load.ts`) takes exactly this. Unknown keys
 * are errors (strict schema).
 */
import { z } from 'zod';

const positiveInt = z.number().int().min(1);

/** The most classes a data set may have (`classes`), so the largest label a file may hold is one less. */
export const MAX_CLASSES = 1_000_000;

export const dataConfigSchema = z.strictObject({
  /** `mnist`, `shapeset`, `infinite-mnist`, or a path: `idx:<images>,<labels>` / `csv:<file>`. */
  name: z.string().min(1).default('mnist'),
  /** Use only the first N (stratified) training examples; null for all. */
  trainSize: positiveInt.nullable().default(null),
  /** Use only the first N validation / test examples; null for all. */
  validSize: positiveInt.nullable().default(null),
  testSize: positiveInt.nullable().default(null),
  /** Binarise pixels: none, threshold at 0.5, or stochastic (seeded). */
  binarize: z.enum(['none', 'threshold', 'stochastic']).default('none'),
  /**
   * The seed of every data-side random draw: the `trainSize` subset and stochastic binarisation.
   * null (default): the trial seed, so data and initialisation vary together. An experiment's
   * `protocol.dataSeed` writes it (fixed across initialisation seeds, or 'per-seed'); generated data
   * sets (Shapeset, InfiniteMNIST) keep their fixed generation seed. Not used for initialisation
   * or example order. Erhan et al. 2010 report variance over initialisation alone (Section 5.3).
   */
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().default(null),
  /**
   * The class count of a user data set (`idx:` / `csv:`): labels must be 0..classes-1. Absent
   * (no default, so it enters neither the resolved config nor its hash when unset): inferred from
   * the labels, see `user-data.ts`. For a built-in data set it must equal its class count.
   */
  classes: z.number().int().min(2).max(MAX_CLASSES).optional(),
  /**
   * Keep only these classes, relabelled by position (`labels[i]` becomes class i), in every split,
   * before `trainSize` draws its subset: e.g. `[0, 1, 2, 3, 4]` for a source task of digits 0-4 and
   * `[5, 6, 7, 8, 9]` for a target task (`keepLabels`). Absent (default): every class.
   */
  labels: z.array(z.number().int().min(0).max(MAX_CLASSES - 1)).min(2).optional(),
  /**
   * The semi-supervised regime: the fraction of the training set whose labels are used (a stratified
   * subset drawn with the data seed, at least one example per class); unsupervised pre-training
   * still sees every training image. A `finetune.batchSize` larger than that subset is allowed
   * with a fraction below 1: every batch is then the whole subset. null (default): every label.
   */
  labeled: z.number().gt(0).max(1).nullable().default(null),
});

/**
 * A resolved data section: every key present, defaults filled (`classes` only when set). `seed`
 * and `labeled` may be left out by code that builds a data section by hand (then null: the trial
 * seed, every label);
 * a parsed config always has it.
 */
export type DataConfig = Omit<z.infer<typeof dataConfigSchema>, 'seed' | 'labeled'> & { seed?: number | null; labeled?: number | null };
