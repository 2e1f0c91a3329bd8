import type { NumericVariant } from '../tensor/numeric-variant.ts';
import type { TrialConfig } from './config.ts';
import type { Score } from './evaluate.ts';
import type { EpochMetrics } from './hooks.ts';

/** Classification error (fraction in [0, 1]) and mean negative log-likelihood on one split (the `Score` of `evaluate`). */
export type SplitScore = Score;

/** What the probe recorder did in a trial (`analysis.probe`; Erhan et al. 2010, Section 6.3). */
export interface ProbeSummary {
  /** Probe examples (the first N of the test set). */
  examples: number;
  /** Records in the side file (epoch 0 and every fine-tuning epoch). */
  records: number;
  /** Wall-clock seconds spent computing and writing the records in this run (the cost of recording). */
  seconds: number;
  /** Side file name inside the trial's checkpoint directory. */
  file: string;
}

/** Small results of the analyses run inside a trial (`TrialConfig.analysis`), one key per analysis. */
export interface TrialAnalysisResults {
  probe?: ProbeSummary;
  /** Other analyses by name (e.g. `landscape`). */
  [analysis: string]: unknown;
}

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
  /**
   * Small results of the in-trial analyses switched on in `config.analysis`, keyed like that
   * section (e.g. `probe`, `landscape`, `actmax`, `weightChange`; `src/analysis/analysed-trial.ts`);
   * big arrays are in side files of the trial's checkpoint directory.
   */
  analysis?: TrialAnalysisResults;
}
