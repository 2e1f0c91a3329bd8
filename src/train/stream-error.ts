/**
 * Error of a trained network on its own training stream, block by block in presentation order
 * (Erhan et al. 2010, Section 8.1, Fig. 12: after 10M online updates, is the network better on
 * the examples it saw first or last?). It lives with training because the online trial reports
 * it (`online.trainErrorBlocks`); it only runs the network forward.
 */
import type { ExampleStream } from '../data/dataset.ts';
import type { Mlp } from '../models/mlp.ts';

export interface StreamErrorOptions {
  model: Mlp;
  stream: ExampleStream;
  /** The presentation order: stream indices `[length]` (e.g. the `order` given to `trainOnline`). */
  indices: ArrayLike<number>;
  /** Number of blocks (at most `indices.length`); equal when `indices.length` is a multiple, else as equal as possible. */
  blocks: number;
  /** Examples per forward pass (default 500). */
  batchSize?: number;
}

/**
 * Classification error per block `[blocks]`, the network in test mode: with n indices, position k
 * falls in block `floor(k blocks / n)`, so block b = positions `[b L, (b+1) L)` when n = L blocks.
 */
export function streamErrorByBlock(opts: StreamErrorOptions): Float64Array {
  const { model, stream, indices, blocks } = opts;
  const n = indices.length;
  if (!(Number.isInteger(blocks) && blocks >= 1 && n >= blocks)) {
    throw new RangeError(`streamErrorByBlock: blocks must be an integer from 1 to the number of indices ${n}, got ${blocks}`);
  }
  const dim = stream.dim, bs = Math.min(opts.batchSize ?? 500, n);
  const be = model.backend;
  const scratch = new Float32Array(dim);
  const wrong = new Float64Array(blocks), size = new Float64Array(blocks);
  const blockOf = (k: number): number => Math.floor((k * blocks) / n);
  for (let k = 0; k < n; k++) size[blockOf(k)]!++;
  const buffers = new Map<number, ReturnType<typeof be.zeros>>();
  const pred = new Int32Array(bs), y = new Int32Array(bs);
  try {
    for (let s = 0; s < n; s += bs) {
      const m = Math.min(bs, n - s);
      let x = buffers.get(m);
      if (!x) buffers.set(m, (x = be.zeros(m, dim))); // [m, dim]
      for (let r = 0; r < m; r++) {
        y[r] = stream.example(indices[s + r]!, scratch);
        x.data.set(scratch, r * dim);
      }
      be.argmaxRows(model.forward(x, false), pred.subarray(0, m)); // the last batch may be short
      for (let r = 0; r < m; r++) if (pred[r] !== y[r]) wrong[blockOf(s + r)]!++;
    }
  } finally {
    for (const x of buffers.values()) x.dispose();
  }
  return wrong.map((w, b) => w / size[b]!);
}
