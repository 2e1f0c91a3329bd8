/**
 * The callback interface of every training loop. Analyses (probe outputs for function-space
 * trajectories, weight snapshots, online error curves) hook in here instead of editing loops.
 */

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

export interface TrainingHooks {
  /** Called after every epoch with its metrics. May be async (e.g. to write a probe file). */
  onEpoch?(m: EpochMetrics): void | Promise<void>;
  /** Called every few batches. */
  onProgress?(p: Progress): void;
}
