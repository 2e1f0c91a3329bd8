/**
 * What a trial runner is given and what its analyses see: the options of `runTrial`
 * (`src/train/trial.ts`) and `runOnlineTrial` (`src/train/online-trial.ts`), and the checkpoint
 * file names they share, apart from both so that neither imports the other's module for them.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Rng } from '../rng/rng.ts';
import type { DataSplits } from '../data/dataset.ts';
import type { Mlp } from '../models/mlp.ts';
import type { TrialConfig } from './config.ts';
import type { TrainingHooks } from './hooks.ts';
import type { FinetuneResult } from './finetune.ts';
import type { TrialAnalysisResults } from './trial-result.ts';

export interface RunTrialOptions {
  /** Backend to run on (default: `createBackend(config.backend)`). */
  backend?: Backend;
  hooks?: TrainingHooks;
  /** Directory for `resume.safetensors` (each epoch) and `final.safetensors`; none when absent. */
  checkpointDir?: string;
  /** The data (default: `loadData(config.data, config.seed)`). */
  data?: DataSplits;
  /**
   * Continue from `checkpointDir/resume.safetensors` when it exists (pre-training is not redone),
   * else from the finished layers of `checkpointDir/pretrain.safetensors` when it exists.
   */
  resume?: boolean;
  /**
   * A directory of pre-trained stacks shared by the trials of a study (the runner passes the
   * store's `pretrained/`): the greedy stack is loaded from it when another trial trained it, or
   * its bottom layers (then the rest is trained), and stored in it otherwise
   * (`src/train/pretrain-cache.ts`); likewise the greedily pre-trained layers of a network
   * written as `model.layers`, and the source network of supervised pre-training (`pretrain.kind`
   * 'supervised'). The numbers are the same either way; greedy epochs loaded from it call no hook.
   */
  pretrainCache?: string;
  /** Evaluate the whole training set every epoch (default true). */
  evaluateTrain?: boolean;
  /**
   * Runs analyses on the kept network after fine-tuning, before the final checkpoint is written
   * (so an interrupted analysis resumes from the last epoch, not from scratch); what it returns
   * becomes `result.analysis`. The network must be left as it was given.
   */
  analyse?: (t: TrainedNetwork) => Promise<Record<string, unknown> | undefined>;
  /**
   * Builds the analyses `config.analysis` runs DURING fine-tuning (probe outputs: hooks that need
   * the data and the checkpoint directory). They live in a layer above training
   * (`createTrialAnalyses` in `src/analysis/trial-analyses.ts`, passed by `runAnalysedTrial`); a
   * config that sets `analysis.probe` without this option is refused. Their results and those of
   * `analyse` are merged into `result.analysis`.
   */
  analyses?: TrialAnalysesFactory;
}

/** What `RunTrialOptions.analyse` receives: the kept network and what it was trained on. */
export interface TrainedNetwork {
  model: Mlp;
  data: DataSplits;
  cfg: TrialConfig;
  /** `new Rng(cfg.seed)`: analyses fork their own named streams from it. */
  root: Rng;
  /** The trial's checkpoint directory (side files go there), when there is one. */
  checkpointDir: string | undefined;
  /** The kept network's scores (`result.final`). */
  final: FinetuneResult['final'];
}

/** What a `TrialAnalysesFactory` is given: the trial's resolved config and data, and where its side files go. */
export interface TrialAnalysesContext {
  config: TrialConfig;
  data: DataSplits;
  /** The trial's checkpoint directory (side files), when there is one. */
  checkpointDir: string | undefined;
  /** True when fine-tuning continues from a resume state (side files are continued, not restarted). */
  resuming: boolean;
  /** The caller's hooks, to be called as well. */
  hooks: TrainingHooks | undefined;
}

/** The analyses of one trial: hooks for fine-tuning (the caller's included) and their small results. */
export interface TrialAnalyses {
  hooks: TrainingHooks | undefined;
  /** Called once fine-tuning is over; the value becomes `TrialResult.analysis`. */
  finish(): TrialAnalysisResults;
}

export type TrialAnalysesFactory = (ctx: TrialAnalysesContext) => TrialAnalyses;

export const RESUME_FILE = 'resume.safetensors';
export const FINAL_FILE = 'final.safetensors';
