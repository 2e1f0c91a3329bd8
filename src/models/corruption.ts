/**
 * Input corruption of the denoising auto-encoder (Erhan et al. 2010, Section 5.1.2; Vincent et
 * al. 2008/2010): the DAE sees `x~ = corrupt(x)` and is trained to reconstruct `x`.
 *
 * - `masking`: a subset of FIXED size `round(fraction * nVisible)` of each row, chosen uniformly
 *   (partial Fisher-Yates on the Rng), is set to 0 (the paper's "destruction" of inputs).
 * - `salt-pepper`: the same kind of fixed-size subset is set to Bernoulli(0.5) values (0 or 1).
 * - `gaussian`: every entry gets additive N(0, fraction^2) noise.
 *
 * The random choices are made in TypeScript from the seeded Rng and turned into a mask and a
 * value matrix; the corruption itself is one backend kernel (`where` / `add`), so every backend
 * corrupts identically. Inputs are never mutated.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { assertSameShape } from '../tensor/shapes.ts';
import type { Rng } from '../rng/rng.ts';

export type NoiseKind = 'masking' | 'salt-pepper' | 'gaussian';

export const NOISE_KINDS: readonly NoiseKind[] = ['masking', 'salt-pepper', 'gaussian'];

/** Work buffers for corrupting `[rows, cols]` batches; allocate once per layer. */
export interface CorruptionWork {
  /** `[rows, cols]`: 1 where the input is kept, 0 where it is replaced. */
  keep: Matrix;
  /** `[rows, cols]`: replacement values (0, Bernoulli(0.5)) or additive noise (gaussian). */
  values: Matrix;
  /** Scratch permutation of `0..cols-1` for the partial Fisher-Yates (reset for every row). */
  index: Int32Array;
}

export function createCorruptionWork(backend: Backend, rows: number, cols: number): CorruptionWork {
  const index = new Int32Array(cols);
  for (let j = 0; j < cols; j++) index[j] = j;
  return { keep: backend.zeros(rows, cols), values: backend.zeros(rows, cols), index };
}

/** How many of `n` inputs a fraction corrupts: `round(fraction * n)`. */
export function corruptedCount(fraction: number, n: number): number {
  return Math.round(fraction * n);
}

/**
 * Moves a uniformly random `k`-subset of the entries of `index` into `index[0..k)` by a partial
 * Fisher-Yates shuffle (k draws from the Rng). `index` may hold any arrangement of the indices.
 */
export function chooseSubset(index: Int32Array, k: number, rng: Rng): void {
  const n = index.length;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = index[i]!;
    index[i] = index[j]!;
    index[j] = t;
  }
}

/**
 * Writes `out <- corrupt(x)`; x, out: `[batch, nVisible]` (out may alias x; x is
 * otherwise untouched). `fraction` is the corruption level in [0, 1): the
 * fraction of inputs destroyed (masking, salt-pepper) or the noise std (gaussian).
 *
 * Random numbers per row, in order: `k` subset draws, then (salt-pepper) `k` uniforms for the
 * replacement bits; gaussian: one normal per entry, row-major.
 */
export function corrupt(
  backend: Backend,
  kind: NoiseKind,
  fraction: number,
  x: Matrix,
  out: Matrix,
  rng: Rng,
  work: CorruptionWork,
): void {
  assertSameShape('corrupt', x, out, work.keep, work.values);
  if (!(fraction >= 0 && fraction < 1)) {
    throw new RangeError(`corrupt: corruption fraction must be in [0, 1), got ${fraction}`);
  }
  if (kind === 'gaussian') {
    rng.fillNormal(work.values.data, 0, fraction);
    backend.add(x, work.values, out);
    return;
  }
  const rows = x.rows, cols = x.cols, k = corruptedCount(fraction, cols);
  if (k === 0) {
    if (out !== x) backend.copy(x, out);
    return;
  }
  const keep = work.keep.data, values = work.values.data, index = work.index;
  keep.fill(1);
  values.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) index[j] = j; // so the result depends on the Rng alone
    chooseSubset(index, k, rng);
    const base = r * cols;
    for (let i = 0; i < k; i++) {
      const j = index[i]!;
      keep[base + j] = 0;
      if (kind === 'salt-pepper') values[base + j] = rng.uniform() < 0.5 ? 1 : 0;
    }
  }
  backend.where(work.keep, x, work.values, out);
}
