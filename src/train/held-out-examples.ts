/**
 * The one check that a stream's held-out test examples are never trained on (Erhan et al. 2010,
 * Section 8: InfiniteMNIST's first 10,000 indices are the MNIST test digits, the fixed test set of
 * the online experiments). Used by every loop that consumes a stream: online fine-tuning
 * (`trainOnline`) and streamed pre-training (`pretrainStream`).
 */
import type { ExampleStream } from '../data/dataset.ts';
import { ConfigError } from './config.ts';

/** Which stream indices a loop will present: `order[p]` for p in `[first, first + total)` when given, else `start + p`. */
export interface StreamPositions {
  stream: ExampleStream;
  /** First stream index when `order` is absent. */
  start: number;
  /** Stream indices in presentation order (`[>= total]`); overrides `start`. */
  order?: Int32Array | undefined;
  /** First position the loop presents (default 0), e.g. after the pre-training positions. */
  first?: number;
  /** Examples the loop will present. */
  total: number;
  /** Training on held-out examples on purpose. */
  allowTestExamples?: boolean | undefined;
  /** The caller starts at the stream's `firstTrainIndex` when no start is given (said in the message). */
  startHasDefault?: boolean;
}

/**
 * Refuses (ConfigError, named after `who`) a `start` or `order` that would present one of the
 * stream's held-out test examples (`stream.testIndices`) for training, unless `allowTestExamples`
 * is set. Only the entries `first .. first + total - 1` of `order` are looked at.
 */
export function checkNoTestExamples(who: string, pos: StreamPositions): void {
  const { stream, total } = pos;
  const held = stream.testIndices;
  if (!held || pos.allowTestExamples) return;
  const isHeld = (i: number): boolean => i >= held.start && i < held.end;
  const what = `${stream.name}'s held-out test examples (stream indices ${held.start}..${held.end - 1})`;
  const fix = `train from index ${stream.firstTrainIndex ?? held.end} or later${stream.firstTrainIndex !== undefined && pos.startHasDefault ? ' (the default when start is omitted)' : ''}, or pass allowTestExamples: true to train on test examples on purpose`;
  const p0 = pos.first ?? 0;
  if (pos.order) {
    const k = pos.order.subarray(p0, p0 + total).findIndex(isHeld);
    if (k >= 0) throw new ConfigError(`${who}: order[${p0 + k}] = ${pos.order[p0 + k]} is one of ${what}; ${fix}`);
    return;
  }
  const first = pos.start + p0, last = first + total - 1;
  if (first < held.end && last >= held.start) {
    throw new ConfigError(`${who}: start ${first} with ${total} examples (indices ${first}..${last}) would train on ${what}; ${fix}`);
  }
}
