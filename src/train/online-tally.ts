/**
 * The running measures of online training (Erhan et al. 2010, Section 8): every example is scored
 * once, by the network as it was BEFORE training on it, so each measure below estimates the
 * generalization error on unseen examples.
 *
 * - online error: wrong / examples over the last `window` examples (Fig. 11's moving average,
 *   100,000 in the paper), kept as a running count;
 * - block error and NLL: over the examples of the current reporting block;
 * - select error and NLL: over the last `selectWindow` examples (the selection criterion of
 *   Section 5.3 in the online setting: the last million examples), computed on demand;
 * - totals: error and NLL over every example so far.
 *
 * NLL is what the training step returns: the mean NLL of its minibatch, so the NLL measures are
 * means of minibatch means (all minibatches have `batchSize` examples). Everything here is
 * deterministic and round-trips exactly through `state()` / `tensors()` (JSON numbers and raw
 * float arrays), so a resumed run reports bit-identical measures.
 */
import type { Tensor } from './checkpoint.ts';
import type { Score } from './evaluate.ts';

/** Scalar counters of an OnlineTally (JSON in checkpoints). */
export interface OnlineTallyState {
  /** Examples and updates scored so far. */
  seen: number;
  updates: number;
  /** Wrong predictions among the last min(window, seen) examples. */
  windowWrong: number;
  /** Current block: wrong predictions, summed NLL (mean NLL x batch size per update), examples. */
  blockWrong: number;
  blockNll: number;
  blockN: number;
  /** Every example so far: wrong predictions and summed NLL. */
  totalWrong: number;
  totalNll: number;
}

/** Tensor names of the rings in a checkpoint. */
const WRONG = 'online.wrong', NLL = 'online.nll';

/** The measures of the module comment, updated once per training step. */
export class OnlineTally {
  /** 1 where the prediction of example `seen mod length` was wrong, else 0 (`[max(window, selectWindow)]`). */
  private readonly wrong: Float32Array;
  /** Mean NLL of update `updates mod length` (`[selectWindow / batchSize]`). */
  private readonly nll: Float64Array;
  private s: OnlineTallyState = { seen: 0, updates: 0, windowWrong: 0, blockWrong: 0, blockNll: 0, blockN: 0, totalWrong: 0, totalNll: 0 };

  /** `selectWindow` must be a multiple of `batchSize` (checked by the caller). */
  constructor(readonly window: number, readonly selectWindow: number, readonly batchSize: number) {
    this.wrong = new Float32Array(Math.max(window, selectWindow));
    this.nll = new Float64Array(selectWindow / batchSize);
  }

  get seen(): number {
    return this.s.seen;
  }

  /** Scores one update: `pred` and `labels` `[batchSize]`, `nll` the minibatch's mean NLL. */
  record(pred: Int32Array, labels: Int32Array, nll: number): void {
    const s = this.s, R = this.wrong.length, B = this.batchSize;
    for (let r = 0; r < B; r++) {
      const w = pred[r] !== labels[r] ? 1 : 0;
      const out = s.seen >= this.window ? this.wrong[(s.seen - this.window) % R]! : 0; // read before the slot is overwritten
      this.wrong[s.seen % R] = w;
      s.windowWrong += w - out;
      s.blockWrong += w;
      s.totalWrong += w;
      s.seen++;
    }
    this.nll[s.updates % this.nll.length] = nll;
    s.updates++;
    s.blockNll += nll * B;
    s.totalNll += nll * B;
    s.blockN += B;
  }

  /** Wrong / examples over the last min(window, seen) examples (NaN before the first). */
  get onlineError(): number {
    return this.s.windowWrong / Math.min(this.window, this.s.seen);
  }

  /** Error and mean NLL of the current block, which is then reset. */
  closeBlock(): Score & { examples: number } {
    const s = this.s;
    const out = { error: s.blockWrong / s.blockN, nll: s.blockNll / s.blockN, examples: s.blockN };
    s.blockWrong = s.blockNll = s.blockN = 0;
    return out;
  }

  /** Error and mean NLL over the last min(selectWindow, seen) examples, oldest first (NaN before the first). */
  select(): Score {
    const s = this.s, R = this.wrong.length, S = this.nll.length;
    const n = Math.min(this.selectWindow, s.seen), m = Math.min(S, s.updates);
    let wrong = 0, nll = 0;
    for (let k = s.seen - n; k < s.seen; k++) wrong += this.wrong[k % R]!;
    for (let k = s.updates - m; k < s.updates; k++) nll += this.nll[k % S]!;
    return { error: wrong / n, nll: nll / m };
  }

  /** Error and mean NLL over every example so far. */
  total(): Score {
    return { error: this.s.totalWrong / this.s.seen, nll: this.s.totalNll / this.s.seen };
  }

  /** The counters (a copy), for a checkpoint's JSON. */
  state(): OnlineTallyState {
    return { ...this.s };
  }

  /** The rings as checkpoint tensors `online.wrong`, `online.nll` (live views). */
  tensors(): Record<string, Tensor> {
    return { [WRONG]: { shape: [this.wrong.length], data: this.wrong }, [NLL]: { shape: [this.nll.length], data: this.nll } };
  }

  /**
   * Restores counters and rings saved by `state()` / `tensors()` of a tally of the same sizes.
   * @param read returns a saved tensor's values, checking its shape (e.g. `checkpointTensor`)
   */
  restore(state: OnlineTallyState, read: (name: string, shape: readonly number[]) => ArrayLike<number>): void {
    this.wrong.set(read(WRONG, [this.wrong.length]));
    this.nll.set(read(NLL, [this.nll.length]));
    this.s = { ...state };
  }
}
