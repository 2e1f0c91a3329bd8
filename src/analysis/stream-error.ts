/**
 * Error of a trained network on its own training stream, block by block in presentation order
 * (Erhan et al. 2010, Section 8.1, Fig. 12: after 10M online updates, is the network better on
 * the examples it saw first or last?).
 */
import type { ExampleStream } from '../data/dataset.ts';
import type { Mlp } from '../models/mlp.ts';

export interface StreamErrorOptions {
  model: Mlp;
  stream: ExampleStream;
  /** The presentation order: stream indices `[length]` (e.g. the `order` given to `trainOnline`). */
  indices: ArrayLike<number>;
  /** Number of equal blocks (`indices.length` must be a multiple). */
  blocks: number;
  /** Examples per forward pass (default 500). */
  batchSize?: number;
}

/** Classification error per block `[blocks]`, block b = indices `[b L, (b+1) L)`, the network in test mode. */
export function streamErrorByBlock(opts: StreamErrorOptions): Float64Array {
  const { model, stream, indices, blocks } = opts;
  const n = indices.length;
  if (!(Number.isInteger(blocks) && blocks >= 1 && n % blocks === 0 && n > 0)) {
    throw new RangeError(`streamErrorByBlock: ${n} indices must be a non-zero multiple of blocks ${blocks}`);
  }
  const L = n / blocks, dim = stream.dim, bs = Math.min(opts.batchSize ?? 500, n);
  const be = model.backend;
  const scratch = new Float32Array(dim);
  const wrong = new Float64Array(blocks);
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
      be.argmaxRows(model.forward(x, false), pred);
      for (let r = 0; r < m; r++) if (pred[r] !== y[r]) wrong[Math.floor((s + r) / L)]!++;
    }
  } finally {
    for (const x of buffers.values()) x.dispose();
  }
  return wrong.map((w) => w / L);
}
