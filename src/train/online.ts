/**
 * Online supervised training from an unbounded stream (Erhan et al. 2010, Section 8: InfiniteMNIST,
 * Figs. 11-14): no epochs, every example seen once, in stream order (or in a given order such as
 * `blockResampledOrder`, Fig. 13). The online error is measured on each minibatch with the
 * network as it is BEFORE training on it (a forward pass in test mode, then the update), so it is
 * an unbiased estimate of generalization error on unseen examples (Fig. 11: a moving average
 * over the last `window` examples, 100,000 in the paper).
 *
 * Reporting: every `blockSize` examples (and after the last, possibly partial, block)
 * `hooks.onEpoch(metrics, {model})` is called with `phase: 'finetune'`, `epoch` = the 1-based
 * block number, and values
 * - `examplesSeen`, `updates`: totals so far;
 * - `onlineError`: wrong / examples over the last min(window, examplesSeen) examples;
 * - `blockError`, `blockNll`: mean error and NLL (before the update) over this block's examples;
 * - `testError`, `testNll`: on `test` after the block, when given;
 * - `lr`.
 * `hooks.onStart({model})` (see `TrainingHooks`) is called once before the first update, so a
 * probe recorder gets its epoch 0.
 *
 * Start: by default at the stream's `firstTrainIndex` (InfiniteMNIST: 70,000, the first deformed
 * digit, never MNIST test digit 0); a `start` or `order` that would present one of the stream's
 * held-out test examples (`testIndices`: InfiniteMNIST's 0..9,999) is refused unless
 * `allowTestExamples` is set.
 *
 * Randomness: none is drawn here. The order is the stream's own (example i is a pure function of
 * i and the stream's seed) or the `order` you pass (draw it with `blockResampledOrder` and the
 * trial's `order` stream); initial weights come from the model you build.
 *
 * Cost: the measuring forward pass adds about a third to each update (Mlp.trainStep does not
 * expose its softmax outputs).
 */
import type { Matrix } from '../tensor/matrix.ts';
import type { Dataset, ExampleStream } from '../data/dataset.ts';
import type { Mlp } from '../models/mlp.ts';
import { Sgd } from '../nn/sgd.ts';
import { ConfigError } from './config.ts';
import { DivergenceError } from './divergence.ts';
import { evaluate } from './evaluate.ts';
import { checkNoTestExamples } from './held-out-examples.ts';
import type { EpochMetrics, TrainingHooks } from './hooks.ts';

/** The paper's moving-average window for the online error (Section 8.1, Fig. 11). */
export const ONLINE_WINDOW = 100_000;

export interface OnlineOptions {
  /** The network, trained in place. */
  model: Mlp;
  /** The example source, e.g. `await createInfiniteMnist()`. */
  stream: ExampleStream;
  /**
   * Stream index of the first example when `order` is absent (default: the stream's
   * `firstTrainIndex`, 70,000 for InfiniteMNIST, its first deformed digit; 0 for a stream without one).
   */
  start?: number;
  /** Stream indices in presentation order (`[>= updates * batchSize]`), e.g. `blockResampledOrder(...)`; overrides `start`. */
  order?: Int32Array;
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
  /** A fixed test set evaluated after every block (optional; costs one pass per block). */
  test?: Dataset;
  hooks?: TrainingHooks;
  /** Examples per test-evaluation batch (default 500). */
  evalBatchSize?: number;
}

export interface OnlineResult {
  examplesSeen: number;
  updates: number;
  /** Metrics of every block, oldest first. */
  blocks: EpochMetrics[];
  /** The online error of the last `window` examples at the end. */
  onlineError: number;
  seconds: number;
}

/** Trains `model` online; see the module comment. Throws DivergenceError on a NaN/inf loss. */
export async function trainOnline(opts: OnlineOptions): Promise<OnlineResult> {
  const t0 = performance.now();
  const { model, stream, hooks } = opts;
  const be = model.backend;
  const B = opts.batchSize ?? 1;
  const window = opts.window ?? ONLINE_WINDOW;
  checkOnline(opts, B, window);
  const total = opts.updates * B;
  const dim = stream.dim;
  const opt = new Sgd(be, model.parameters(), { lr: opts.lr, momentum: opts.momentum ?? 0, lrDecay: 0, l1: opts.l1 ?? 0, l2: opts.l2 ?? 0 });
  const x: Matrix = be.zeros(B, dim); // [B, dim]
  const y = new Int32Array(B), pred = new Int32Array(B);
  const scratch = new Float32Array(dim);
  const wrongRing = new Uint8Array(window);
  const nBlocks = Math.ceil(total / opts.blockSize);
  const progressEvery = Math.max(1, Math.floor(opts.blockSize / B / 20));
  const blocks: EpochMetrics[] = [];
  let seen = 0, windowWrong = 0, blockWrong = 0, blockNll = 0, blockN = 0, lastFinite: number | null = null;
  let tBlock = performance.now();

  const start = opts.start ?? stream.firstTrainIndex ?? 0;
  const fill = (first: number): void => {
    const xd = x.data;
    if (!opts.order && stream.batch) {
      stream.batch(start + first, B, xd, y);
      return;
    }
    for (let r = 0; r < B; r++) {
      const i = opts.order ? opts.order[first + r]! : start + first + r;
      y[r] = stream.example(i, scratch);
      xd.set(scratch, r * dim);
    }
  };

  try {
    await hooks?.onStart?.({ model });
    for (let u = 0; u < opts.updates; u++) {
      fill(u * B);
      be.argmaxRows(model.forward(x, false), pred); // the prediction before training on the batch
      const nll = model.trainStep(x, y, opt);
      const block = Math.floor(seen / opts.blockSize) + 1;
      if (!Number.isFinite(nll)) throw new DivergenceError('finetune', block, lastFinite, undefined, `(online, after ${seen} examples)`);
      lastFinite = nll;
      blockNll += nll * B;
      for (let r = 0; r < B; r++) {
        const wrong = pred[r] !== y[r] ? 1 : 0;
        const slot = seen % window;
        windowWrong += wrong - wrongRing[slot]!;
        wrongRing[slot] = wrong;
        blockWrong += wrong;
        seen++;
      }
      blockN += B;
      if (hooks?.onProgress && (u % progressEvery === 0)) {
        hooks.onProgress({ phase: 'finetune', epoch: block, epochs: nBlocks, done: blockN, total: Math.min(opts.blockSize, total - (block - 1) * opts.blockSize) });
      }
      if (seen % opts.blockSize === 0 || seen === total) {
        const values: Record<string, number> = {
          examplesSeen: seen,
          updates: u + 1,
          onlineError: windowWrong / Math.min(window, seen),
          blockError: blockWrong / blockN,
          blockNll: blockNll / blockN,
          lr: opt.lr,
        };
        if (opts.test) {
          const s = evaluate(model, opts.test, opts.evalBatchSize ?? 500);
          values['testError'] = s.error;
          values['testNll'] = s.nll;
        }
        const m: EpochMetrics = { phase: 'finetune', epoch: Math.ceil(seen / opts.blockSize), seconds: (performance.now() - tBlock) / 1000, values };
        blocks.push(m);
        await hooks?.onEpoch?.(m, { model });
        blockWrong = blockNll = blockN = 0;
        tBlock = performance.now();
      }
    }
  } finally {
    x.dispose();
    opt.dispose();
  }
  return { examplesSeen: seen, updates: opts.updates, blocks, onlineError: seen ? windowWrong / Math.min(window, seen) : NaN, seconds: (performance.now() - t0) / 1000 };
}

function checkOnline(opts: OnlineOptions, B: number, window: number): void {
  const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;
  if (!isInt(opts.updates, 1)) throw new ConfigError(`trainOnline: updates must be an integer >= 1, got ${opts.updates}`);
  if (!isInt(B, 1)) throw new ConfigError(`trainOnline: batchSize must be an integer >= 1, got ${B}`);
  if (!isInt(opts.blockSize, 1) || opts.blockSize % B !== 0) {
    throw new ConfigError(`trainOnline: blockSize must be a positive multiple of batchSize ${B}, got ${opts.blockSize}`);
  }
  if (!isInt(window, 1)) throw new ConfigError(`trainOnline: window must be an integer >= 1, got ${window}`);
  if (!(opts.lr > 0 && Number.isFinite(opts.lr))) throw new ConfigError(`trainOnline: lr must be a finite number > 0, got ${opts.lr}`);
  const m = opts.momentum ?? 0;
  if (!(m >= 0 && m < 1)) throw new ConfigError(`trainOnline: momentum must be in [0, 1), got ${m}`);
  for (const [k, v] of [['l1', opts.l1 ?? 0], ['l2', opts.l2 ?? 0]] as const) {
    if (!(v >= 0 && Number.isFinite(v))) throw new ConfigError(`trainOnline: ${k} must be a finite number >= 0, got ${v}`);
  }
  if (opts.stream.dim !== opts.model.spec.nIn) {
    throw new ConfigError(`trainOnline: the stream ${opts.stream.name} has ${opts.stream.dim} features but the model takes ${opts.model.spec.nIn}`);
  }
  if (opts.stream.nClasses > opts.model.spec.nClasses) {
    throw new ConfigError(`trainOnline: the stream has ${opts.stream.nClasses} classes but the model outputs ${opts.model.spec.nClasses}`);
  }
  if (opts.order && opts.order.length < opts.updates * B) {
    throw new ConfigError(`trainOnline: order has ${opts.order.length} indices but ${opts.updates} updates of ${B} need ${opts.updates * B}`);
  }
  if (opts.start !== undefined && !isInt(opts.start, 0)) throw new ConfigError(`trainOnline: start must be an integer >= 0, got ${opts.start}`);
  checkNoTestExamples('trainOnline', {
    stream: opts.stream, start: opts.start ?? opts.stream.firstTrainIndex ?? 0, order: opts.order, total: opts.updates * B,
    allowTestExamples: opts.allowTestExamples, startHasDefault: true,
  });
  if (opts.test && opts.test.dim !== opts.model.spec.nIn) {
    throw new ConfigError(`trainOnline: the test set ${opts.test.name} has ${opts.test.dim} features but the model takes ${opts.model.spec.nIn}`);
  }
}
