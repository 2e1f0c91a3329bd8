import type { NumericVariant } from '../tensor/numeric-variant.ts';
import type { TrialConfig } from './config.ts';
import type { Score } from './evaluate.ts';
import type { EpochMetrics } from './hooks.ts';

/** Classification error (fraction in [0, 1]) and mean negative log-likelihood on one split (the `Score` of `evaluate`). */
export type SplitScore = Score;

/** What `runTrial` returns: everything a store record and a report need. */
export interface TrialResult {
  /** Scores of the selected network (best validation epoch under early stopping, else the last). */
  final: { train: SplitScore; valid: SplitScore; test: SplitScore };
  /** 1-based fine-tuning epoch whose network was kept. */
  bestEpoch: number;
  /** Fine-tuning epochs actually run. */
  epochsRun: number;
  /** Every epoch's metrics, pre-training then fine-tuning, in order. */
  history: EpochMetrics[];
  /** Wall-clock seconds of pre-training and of fine-tuning. */
  seconds: { pretrain: number; finetune: number; total: number };
  /** Path of the final checkpoint (safetensors), when a checkpoint directory was given. */
  checkpoint: string | null;
  /** Name and description of the backend that ran the trial. */
  backend: string;
  /** The exact numeric variant that computed these numbers (BLAS core type, wasm build, CPU, ...). */
  variant: NumericVariant;
  /** True when early stopping (or the convergence criterion) ended fine-tuning before `finetune.epochs`. */
  stoppedEarly?: boolean;
  /** With `finetune.convergeWindow` set: true when the convergence criterion ended fine-tuning, false when the epoch budget did. */
  converged?: boolean;
  /** The resolved configuration that produced these numbers. */
  config?: TrialConfig;
}
