/**
 * Online supervised training from an unbounded stream (Erhan et al. 2010, Section 8: InfiniteMNIST,
 * Figs. 11-14): no epochs, every example seen once, in stream order (or in a given order such as
 * `blockResampledOrder`, Fig. 13). The online error is measured on each minibatch with the
 * network as it is BEFORE training on it (the predictions of the training step's own forward
 * pass, `Mlp.trainStep(..., predictions)`), so it is an unbiased estimate of generalization error
 * on unseen examples (Fig. 11: a moving average over the last `window` examples, 100,000 in the
 * paper). The running measures live in `OnlineTally` (`online-tally.ts`).
 *
 * Positions: the examples are positions `first, first + 1, ...` of a sequence, position p being
 * stream index `order[p]` when an order is given, else `start + p`; `first` lets a caller continue
 * a sequence whose earlier positions went to pre-training (the online trial, Section 8.1).
 *
 * Reporting: every `blockSize` examples (and after the last, possibly partial, block)
 * `hooks.onEpoch(metrics, {model})` is called with `phase: 'finetune'`, `epoch` = the 1-based
 * block number, and values
 * - `examplesSeen`, `updates`: totals so far;
 * - `streamPosition`: `first + examplesSeen` (the position reached in the whole sequence);
 * - `onlineError`: wrong / examples over the last min(window, examplesSeen) examples;
 * - `blockError`, `blockNll`: mean error and NLL (before the update) over this block's examples;
 * - `testError`, `testNll`: on `test` after every `testEvery`-th block, when given;
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
 * Checkpoints: with `checkpointPath`, the whole state (network, optimizer state, the tally's
 * rings and counters, block history; `online-checkpoint.ts`) is rewritten atomically every
 * `checkpointEvery` updates and after the last; with `resume` and an existing file of the same
 * options (and `metadata.config`), training continues from it and reports and ends bit-identically
 * to an uninterrupted run (`onStart` is then not called again).
 *
 * Cost: scoring is free (the training step's forward pass predicts); per update, one forward and
 * one backward pass, plus generating the examples (InfiniteMNIST: a deformation each).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Matrix } from '../tensor/matrix.ts';
import { Sgd } from '../nn/sgd.ts';
import { DivergenceError } from './divergence.ts';
import { evaluate } from './evaluate.ts';
import type { EpochMetrics } from './hooks.ts';
import { checkOnline } from './online-checks.ts';
import { ONLINE_CHECKPOINT_EVERY, ONLINE_SELECT_WINDOW, ONLINE_WINDOW, type OnlineOptions, type OnlineResult } from './online-options.ts';
import { OnlineTally } from './online-tally.ts';
import { loadOnline, saveOnline } from './online-checkpoint.ts';

export { ONLINE_CHECKPOINT_EVERY, ONLINE_SELECT_WINDOW, ONLINE_WINDOW, type OnlineOptions, type OnlineResult } from './online-options.ts';

/** Trains `model` online; see the module comment. Throws DivergenceError on a NaN/inf loss. */
export async function trainOnline(opts: OnlineOptions): Promise<OnlineResult> {
  const t0 = performance.now();
  const { model, stream, hooks } = opts;
  const be = model.backend;
  const B = opts.batchSize ?? 1;
  const window = opts.window ?? ONLINE_WINDOW, selectWindow = opts.selectWindow ?? ONLINE_SELECT_WINDOW;
  checkOnline(opts, B, window, selectWindow);
  const total = opts.updates * B, first = opts.first ?? 0, testEvery = opts.testEvery ?? 1;
  const checkpointEvery = opts.checkpointEvery ?? ONLINE_CHECKPOINT_EVERY;
  const dim = stream.dim;
  const opt = new Sgd(be, model.parameters(), { lr: opts.lr, momentum: opts.momentum ?? 0, lrDecay: 0, l1: opts.l1 ?? 0, l2: opts.l2 ?? 0 });
  const tally = new OnlineTally(window, selectWindow, B);
  const key = opts.checkpointPath ? onlineKey(opts, B, window, selectWindow) : '';
  let blocks: EpochMetrics[] = [];
  let secondsBefore = 0, resumedAt = 0;
  if (opts.resume && opts.checkpointPath && existsSync(opts.checkpointPath)) {
    const state = loadOnline(opts.checkpointPath, { model, optimizer: opt, tally, key, variant: be.variant, metadata: opts.metadata });
    blocks = state.blocks;
    secondsBefore = state.seconds;
    resumedAt = state.tally.updates;
  }
  const elapsed = (): number => secondsBefore + (performance.now() - t0) / 1000;
  const save = (): void => {
    if (opts.checkpointPath) saveOnline(opts.checkpointPath, { model, optimizer: opt, tally, blocks, seconds: elapsed(), key, variant: be.variant, metadata: opts.metadata });
  };
  const x: Matrix = be.zeros(B, dim); // [B, dim]
  const y = new Int32Array(B), pred = new Int32Array(B);
  const scratch = new Float32Array(dim);
  const nBlocks = Math.ceil(total / opts.blockSize);
  const progressEvery = Math.max(1, Math.floor(opts.blockSize / B / 20));
  let lastFinite: number | null = null;
  let tBlock = performance.now();

  const start = opts.start ?? stream.firstTrainIndex ?? 0;
  const fill = (pos: number): void => {
    const xd = x.data;
    if (!opts.order && stream.batch) {
      stream.batch(start + pos, B, xd, y);
      return;
    }
    for (let r = 0; r < B; r++) {
      const i = opts.order ? opts.order[pos + r]! : start + pos + r;
      y[r] = stream.example(i, scratch);
      xd.set(scratch, r * dim);
    }
  };

  try {
    if (resumedAt === 0) await hooks?.onStart?.({ model });
    for (let u = resumedAt; u < opts.updates; u++) {
      fill(first + u * B);
      const nll = model.trainStep(x, y, opt, pred); // pred: the prediction before training on the batch
      const block = Math.floor(tally.seen / opts.blockSize) + 1;
      if (!Number.isFinite(nll)) throw new DivergenceError('finetune', block, lastFinite, undefined, `(online, after ${tally.seen} examples)`);
      lastFinite = nll;
      tally.record(pred, y, nll);
      const seen = tally.seen;
      if (hooks?.onProgress && (u % progressEvery === 0)) {
        hooks.onProgress({ phase: 'finetune', epoch: block, epochs: nBlocks, done: seen - (block - 1) * opts.blockSize, total: Math.min(opts.blockSize, total - (block - 1) * opts.blockSize) });
      }
      if (seen % opts.blockSize === 0 || seen === total) {
        const b = tally.closeBlock();
        const values: Record<string, number> = {
          examplesSeen: seen,
          streamPosition: first + seen,
          updates: u + 1,
          onlineError: tally.onlineError,
          blockError: b.error,
          blockNll: b.nll,
          lr: opt.lr,
        };
        if (opts.test && testEvery > 0 && block % testEvery === 0) {
          const s = evaluate(model, opts.test, opts.evalBatchSize ?? 500);
          values['testError'] = s.error;
          values['testNll'] = s.nll;
        }
        const m: EpochMetrics = { phase: 'finetune', epoch: block, seconds: (performance.now() - tBlock) / 1000, values };
        blocks.push(m);
        await hooks?.onEpoch?.(m, { model });
        tBlock = performance.now();
      }
      if ((u + 1) % checkpointEvery === 0 && u + 1 < opts.updates) save();
    }
    save();
  } finally {
    x.dispose();
    opt.dispose();
  }
  const seen = tally.seen;
  return {
    examplesSeen: seen,
    updates: opts.updates,
    blocks,
    onlineError: seen ? tally.onlineError : NaN,
    select: tally.select(),
    total: tally.total(),
    resumedAt,
    seconds: elapsed(),
  };
}

/**
 * Everything besides the network's initial state that determines a run's numbers: the model's
 * architecture, the stream, the examples (`start`, `first`, a digest of the order's used part),
 * rates, batch size, windows, block size, test set and schedule. A checkpoint written under another key is refused.
 */
function onlineKey(opts: OnlineOptions, B: number, window: number, selectWindow: number): string {
  const first = opts.first ?? 0;
  const order = opts.order ? createHash('sha256').update(opts.order.subarray(first, first + opts.updates * B)).digest('hex') : null;
  return JSON.stringify({
    spec: opts.model.spec,
    stream: opts.stream.name,
    start: opts.order ? null : (opts.start ?? opts.stream.firstTrainIndex ?? 0),
    first,
    order,
    updates: opts.updates,
    batchSize: B,
    lr: opts.lr,
    momentum: opts.momentum ?? 0,
    l1: opts.l1 ?? 0,
    l2: opts.l2 ?? 0,
    blockSize: opts.blockSize,
    window,
    selectWindow,
    test: opts.test ? { name: opts.test.name, n: opts.test.n, every: opts.testEvery ?? 1 } : null,
  });
}
