/** Messages between the runner (parent) and its worker processes. */
import type { TrialConfig } from '../train/config.ts';
import type { EpochMetrics, Progress } from '../train/hooks.ts';
import type { TrialResult } from '../train/trial-result.ts';
import type { NumericVariant } from '../tensor/numeric-variant.ts';
import type { TrialModuleRef } from './trial-function.ts';

export type ParentMessage = { type: 'run'; hash: string; config: TrialConfig; checkpointDir: string; pretrainCache?: string; trialModule: TrialModuleRef };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; hash: string; progress: Progress }
  | { type: 'epoch'; hash: string; metrics: EpochMetrics }
  | { type: 'warning'; hash: string; message: string }
  | { type: 'done'; hash: string; result: TrialResult; variant: NumericVariant }
  | { type: 'diverged'; hash: string; message: string; stack: string; variant: NumericVariant }
  | { type: 'error'; hash: string; message: string; stack: string };

/**
 * The environment variable that tells a worker process how many BLAS threads its native backend
 * uses (`setThreads` once the backend exists; the addon itself starts single-threaded).
 */
export const BLAS_THREADS_ENV = 'PRETRAIN_LAB_BLAS_THREADS';
