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

/** What an online trial did (`TrialConfig.online`, `runOnlineTrial`; Erhan et al. 2010, Section 8). */
export interface OnlineSummary {
  /** `online.examples`: the sequence's length. */
  examples: number;
  /** Positions spent on pre-training (`k * examplesPerLayer`; 0 without pre-training). */
  pretrainExamples: number;
  /** Positions trained on with labels (whole minibatches after pre-training). */
  supervisedExamples: number;
  /** Examples per wall-clock second of each phase (pre-training: 0 without it). */
  examplesPerSecond: { pretrain: number; finetune: number };
  /** Fig. 12: after training, the error on the supervised examples in presentation order, `online.trainErrorBlocks` blocks. */
  trainErrorByBlock?: number[];
  /** Fig. 13: the side file (in the checkpoint directory) with tensor `outputs` `[testN, nClasses]` float32, the final softmax outputs on the test set. */
  testOutputs?: string;
}

/** Small results of the analyses run inside a trial (`TrialConfig.analysis`), one key per analysis. */
export interface TrialAnalysisResults {
  probe?: ProbeSummary;
  /** The online setting's summary (`TrialConfig.online`). */
  online?: OnlineSummary;
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
  /**
   * Present when the bottom `layers` pre-trained layers were loaded from the study's cache
   * (`RunTrialOptions.pretrainCache`: a greedy stack, or the source network of supervised
   * pre-training) instead of trained in this trial; the pre-training epochs and seconds in
   * `history` are those of the trial that trained them (the numbers are the same).
   */
  pretrainCache?: { layers: number };
  /** The resolved configuration that produced these numbers. */
  config?: TrialConfig;
  /**
   * Small results of the in-trial analyses switched on in `config.analysis`, keyed like that
   * section (e.g. `probe`, `landscape`, `actmax`, `weightChange`; `src/analysis/analysed-trial.ts`);
   * big arrays are in side files of the trial's checkpoint directory.
   */
  analysis?: TrialAnalysisResults;
}
