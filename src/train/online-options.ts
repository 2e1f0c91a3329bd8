/**
 * The options and result of `trainOnline` (`src/train/online.ts`) and the paper's defaults, apart
 * from the loop so that its checks (`online-checks.ts`) can name them without importing the loop.
 */
import type { Dataset, ExampleStream } from '../data/dataset.ts';
import type { Mlp } from '../models/mlp.ts';
import type { Score } from './evaluate.ts';
import type { EpochMetrics, TrainingHooks } from './hooks.ts';

/** The paper's moving-average window for the online error (Section 8.1, Fig. 11). */
export const ONLINE_WINDOW = 100_000;
/** The paper's selection window: the online error over the last million examples (Section 5.3). */
export const ONLINE_SELECT_WINDOW = 1_000_000;

export interface OnlineOptions {
  /** The network, trained in place. */
  model: Mlp;
  /** The example source, e.g. `await createInfiniteMnist()`. */
  stream: ExampleStream;
  /**
   * Stream index of position 0 when `order` is absent (default: the stream's
   * `firstTrainIndex`, 70,000 for InfiniteMNIST, its first deformed digit; 0 for a stream without one).
   */
  start?: number;
  /** Stream indices by position (`[>= first + updates * batchSize]`), e.g. `blockResampledOrder(...)`; overrides `start`. */
  order?: Int32Array;
  /** The first position trained on (default 0): positions `first .. first + updates * batchSize - 1` are used. */
  first?: number;
  /**
   * Allow training on the stream's held-out test examples (`stream.testIndices`, e.g. InfiniteMNIST's
   * indices 0..9,999, the MNIST test digits). Default false: a `start` or `order` that would present
   * one is refused with a ConfigError before training.
   */
  allowTestExamples?: boolean;
  /** Number of SGD updates; `updates * batchSize` examples are used. */
  updates: number;
  /** Examples per update (default 1, the paper's purely stochastic setting). */
  batchSize?: number;
  /** Learning rate (constant). */
  lr: number;
  momentum?: number;
  /** Penalties on weights (Section 7.5). */
  l1?: number;
  l2?: number;
  /** Examples per reported block; a multiple of `batchSize`. */
  blockSize: number;
  /** Examples in the online-error moving average (default ONLINE_WINDOW). */
  window?: number;
  /** Examples in the selection measure `OnlineResult.select` (default ONLINE_SELECT_WINDOW; a multiple of `batchSize`). */
  selectWindow?: number;
  /** A fixed test set, evaluated after every `testEvery`-th block (optional; costs one pass each time). */
  test?: Dataset;
  /** Evaluate `test` every this many blocks (default 1; 0: never during training). */
  testEvery?: number;
  hooks?: TrainingHooks;
  /** Examples per test-evaluation batch (default 500). */
  evalBatchSize?: number;
  /** Write the resume state here (safetensors, atomic) every `checkpointEvery` updates and after the last. */
  checkpointPath?: string;
  /** Updates between checkpoints (default 100,000). */
  checkpointEvery?: number;
  /** Continue from `checkpointPath` when it exists (refused when written with other options or `metadata.config`). */
  resume?: boolean;
  /** Extra string metadata for each checkpoint, written verbatim (e.g. the trial's `config` JSON, compared on resume). */
  metadata?: Record<string, string>;
}

export interface OnlineResult {
  examplesSeen: number;
  updates: number;
  /** Metrics of every block, oldest first (including those before a resume). */
  blocks: EpochMetrics[];
  /** The online error of the last `window` examples at the end. */
  onlineError: number;
  /** Error and mean NLL over the last `selectWindow` examples (each scored before training on it). */
  select: Score;
  /** Error and mean NLL over every example trained on (each scored before training on it). */
  total: Score;
  /** Updates restored from the checkpoint (0 when not resumed). */
  resumedAt: number;
  /** Wall-clock seconds of training, including runs before a resume. */
  seconds: number;
}

/** Default updates between checkpoints. */
export const ONLINE_CHECKPOINT_EVERY = 100_000;
