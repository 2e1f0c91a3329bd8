/**
 * The callback interface of every training loop. Analyses (probe outputs for function-space
 * trajectories, weight snapshots, online error curves) hook in here instead of editing loops.
 */
import type { Mlp } from '../models/mlp.ts';
import type { DenseParams } from '../nn/dense-params.ts';

/** Metrics of one finished epoch (or one block of online updates). */
export interface EpochMetrics {
  phase: 'pretrain' | 'finetune';
  /** 0-based hidden layer being pre-trained (pretrain phase only). */
  layer?: number;
  /** 1-based epoch number within the phase (and layer). */
  epoch: number;
  /** Wall-clock seconds of this epoch. */
  seconds: number;
  /** Named values: e.g. `trainNll`, `trainError`, `validNll`, `validError`, `testNll`, `testError`, `reconstruction`, `pseudoLikelihood`, `lr`. */
  values: Record<string, number>;
}

/** Progress inside a phase, for progress bars (called often; must be cheap). */
export interface Progress {
  phase: 'pretrain' | 'finetune';
  layer?: number;
  epoch: number;
  epochs: number;
  /** Examples done in this epoch and their total. */
  done: number;
  total: number;
}

/**
 * What a loop exposes to `onEpoch` besides the metrics, live (copy what you keep): the network
 * being fine-tuned (probe outputs with `model.predict`, weights with `model.getFlat()`), or the
 * layers pre-trained so far.
 */
export interface EpochContext {
  model?: Mlp;
  layers?: readonly DenseParams[];
}

export interface TrainingHooks {
  /**
   * Called once before the first fine-tuning epoch with the untrained (or freshly pre-trained)
   * network, e.g. to record epoch 0 of a function-space trajectory. Not called again when a run
   * resumes from a checkpoint.
   */
  onStart?(ctx: EpochContext): void | Promise<void>;
  /**
   * Called after every epoch with its metrics (and, from loops that provide it, a context with
   * the live model). May be async (e.g. to write a probe file).
   */
  onEpoch?(m: EpochMetrics, ctx?: EpochContext): void | Promise<void>;
  /** Called every few batches. */
  onProgress?(p: Progress): void;
}
