/**
 * The learning-rate schedule: the one function that says which rate an update uses, and the
 * training length it is measured against.
 *
 * Schedules (`schedule`), for the update with 0-based index `u` of `T` in all (`totalUpdates`),
 * taken in the epoch that follows `e` completed epochs:
 * - `inverse` (the default; the paper's and the Deep Learning Tutorials' numbers):
 *   `lr / (1 + lrDecay e)`, constant within an epoch ({@link learningRateAt}).
 * - `constant`: `lr`.
 * - `step`: `lr * stepFactor^k`, k = how many of the fractions `steps` satisfy `u >= s T`: the
 *   rate is multiplied by `stepFactor` (0.1: divided by 10) at each fraction of the training.
 *   The default points [2/3, 8/9] are those of the "1x schedule" of Detectron that *Rethinking
 *   ImageNet Pre-training* (He, Girshick & Dollar 2019) trains with (90k iterations, divided by
 *   10 at 60k and 80k). Being fractions, they move with the length: a 2x schedule divides at 2/3
 *   and 8/9 of its own length. (The paper instead keeps the drops at a fixed distance from the
 *   end for its longer schedules: `stepsFromEnd` does that, reading `steps` as fractions of the 1x
 *   length `T / multiplier` and dropping at `T - (1 - s) T / multiplier`.)
 * - `cosine` (Loshchilov & Hutter 2017, SGDR without restarts):
 *   `lr * (1 + cos(pi p)) / 2` with `p = (u - warmup) / (T - warmup)`, from lr down towards 0.
 *
 * Warm-up (`warmup` = W updates, Goyal et al. 2017): update u < W uses `(u + 1) / W` times the
 * schedule's rate (for cosine, `lr`): linear from `lr / W` up to the full rate at update W - 1.
 * W is a number of updates and does not scale with the length.
 *
 * Length ({@link trainingUpdates}): `updates` updates when set, else `epochs` epochs of
 * `updatesPerEpoch`, times `multiplier` (the "2x / 4x schedule" of a base schedule). Each epoch
 * visits the training set in a new order; when the length is not a whole number of epochs the
 * last epoch is cut short.
 */

/** The schedule names; `inverse` keeps the numbers of every run made before schedules existed. */
export const SCHEDULES = ['inverse', 'constant', 'step', 'cosine'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/** The keys of the `finetune` config section that fix the rate of each update. */
export interface ScheduleConfig {
  /** Base learning rate (> 0). */
  lr: number;
  /** `inverse` only: the rate after e epochs is `lr / (1 + lrDecay e)`. */
  lrDecay: number;
  schedule: ScheduleName;
  /** `step` only: increasing fractions in (0, 1) of the total updates where the rate is multiplied by `stepFactor`. */
  steps: readonly number[];
  /** `step` only: the factor applied at each of `steps` (0.1: divide by 10). */
  stepFactor: number;
  /** `step` only: `steps` are fractions of the 1x length (`T / multiplier`) kept at their distance from the end. */
  stepsFromEnd?: boolean;
  /** The length multiplier (`LengthConfig.multiplier`); read by `stepsFromEnd` only. */
  multiplier?: number;
  /** Updates of linear warm-up (0: none). */
  warmup: number;
}

/** Where in training an update is: its epoch, its index and the length it belongs to. */
export interface SchedulePosition {
  /** Completed epochs before the update's epoch (0 in the first epoch). */
  epoch: number;
  /** 0-based index of the update among all updates of the run. */
  update: number;
  /** Updates of the whole run ({@link trainingUpdates}). */
  totalUpdates: number;
}

/** The keys of the `finetune` config section that fix the training length. */
export interface LengthConfig {
  epochs: number;
  /** Exactly this many updates (null: `epochs` epochs). */
  updates: number | null;
  /** Multiplies the length (the "2x schedule" is 2). */
  multiplier: number;
}

/** `lr / (1 + lrDecay * t)`, the rate for the epoch that follows `t` completed epochs (the `inverse` schedule). */
export function learningRateAt(cfg: Pick<ScheduleConfig, 'lr' | 'lrDecay'>, t: number): number {
  return cfg.lr / (1 + cfg.lrDecay * t);
}

/** The learning rate of the update at `at` (see the module comment). */
export function scheduledLearningRate(cfg: ScheduleConfig, at: SchedulePosition): number {
  const { update: u, totalUpdates: T } = at;
  let rate: number;
  switch (cfg.schedule) {
    case 'inverse':
      rate = learningRateAt(cfg, at.epoch);
      break;
    case 'constant':
      rate = cfg.lr;
      break;
    case 'step': {
      rate = cfg.lr;
      const base = T / (cfg.multiplier ?? 1); // the 1x length
      for (const s of cfg.steps) if (cfg.stepsFromEnd ? u >= T - (1 - s) * base : u >= s * T) rate *= cfg.stepFactor;
      break;
    }
    case 'cosine': {
      const p = Math.max(0, u - cfg.warmup) / Math.max(1, T - cfg.warmup);
      rate = cfg.lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p)));
      break;
    }
  }
  return u < cfg.warmup ? (rate * (u + 1)) / cfg.warmup : rate;
}

/** Updates of the whole run: `round((updates ?? epochs * updatesPerEpoch) * multiplier)`, at least 1. */
export function trainingUpdates(cfg: LengthConfig, updatesPerEpoch: number): number {
  const base = cfg.updates ?? cfg.epochs * updatesPerEpoch;
  return Math.max(1, Math.round(base * cfg.multiplier));
}
