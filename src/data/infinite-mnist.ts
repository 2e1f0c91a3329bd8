/**
 * InfiniteMNIST (Loosli, Canu & Bottou 2007; Erhan et al. 2010, Sections 5.2 and 8): an unbounded,
 * deterministic stream of digits, in the index convention of `infimnist`:
 *
 * - `i < 10,000`: MNIST test example `i`;
 * - `10,000 <= i < 70,000`: MNIST training example `i - 10,000`;
 * - `i >= 70,000`: a random deformation (`deform.ts`) of training example `(i - 10,000) mod 60,000`,
 *   drawn from the counter-based stream `new Rng(seed).fork('infinite-mnist', i)`, so example `i`
 *   is a pure function of `(i, seed, deformation options)` and needs nothing generated before it.
 */
import { Rng } from '../rng/rng.ts';
import type { FloatArray } from '../tensor/matrix.ts';
import type { ExampleStream } from './dataset.ts';
import { Deformer, type DeformOptions, type DeformDraw } from './deform.ts';
import { loadMnistAll, type MnistOptions } from './mnist.ts';

/** First index of a deformed digit. */
export const INFINITE_MNIST_ORIGINALS = 70000;
const DIM = 784;
const N_TEST = 10000;
const N_TRAIN = 60000;

/** Options of `createInfiniteMnist`. */
export interface InfiniteMnistOptions {
  /** Stream seed (default 0: the paper uses one fixed data set). */
  seed?: number;
  /** Deformation parameters (defaults in `DEFAULT_DEFORM`). */
  deform?: Partial<DeformOptions>;
  /** Where MNIST comes from (see `loadMnist`). */
  mnist?: Pick<MnistOptions, 'dir'>;
}

/** The source images: MNIST training (60,000) then test (10,000), `x` `[70000, 784]` in [0, 1]. */
export interface MnistSource {
  x: Float32Array;
  y: Int32Array;
}

/** The InfiniteMNIST stream: random access by index and sequential batches. */
export class InfiniteMnist implements ExampleStream {
  readonly name: string;
  readonly dim = DIM;
  readonly nClasses = 10;
  readonly image = { height: 28, width: 28 } as const;
  readonly seed: number;
  /** The first index of a generated (deformed) example; viewers start here by default. */
  readonly firstSynthetic = INFINITE_MNIST_ORIGINALS;
  /** Online training starts at the first deformed digit by default, so no MNIST digit is trained on unasked. */
  readonly firstTrainIndex = INFINITE_MNIST_ORIGINALS;
  /** Indices 0..9,999 are MNIST's test digits: training on them needs an explicit opt-in. */
  readonly testIndices = { start: 0, end: N_TEST } as const;
  private readonly deformer: Deformer;
  private readonly root: Rng;

  constructor(private readonly mnist: MnistSource, opts: Omit<InfiniteMnistOptions, 'mnist'> = {}) {
    if (mnist.x.length !== (N_TRAIN + N_TEST) * DIM || mnist.y.length !== N_TRAIN + N_TEST) {
      throw new RangeError(`InfiniteMnist: expected the 70,000 MNIST images (training then test), got ${mnist.y.length}`);
    }
    this.seed = opts.seed ?? 0;
    this.name = this.seed === 0 ? 'infinite-mnist' : `infinite-mnist@${this.seed}`;
    this.deformer = new Deformer(28, 28, opts.deform);
    this.root = new Rng(this.seed).fork('infinite-mnist');
  }

  /** Row of the MNIST source array (training rows 0..59,999, test rows 60,000..69,999) of example `i`. */
  sourceRow(i: number): number {
    checkIndex(i);
    if (i < N_TEST) return N_TRAIN + i;
    return (i - N_TEST) % N_TRAIN;
  }

  /** The label of example `i` (its source digit's). */
  label(i: number): number {
    return this.mnist.y[this.sourceRow(i)]!;
  }

  /** Writes example `i` (`[784]`, in [0, 1]) into `x` at `offset` and returns its label. */
  example(i: number, x: FloatArray, offset = 0): number {
    const row = this.sourceRow(i);
    const src = this.mnist.x.subarray(row * DIM, (row + 1) * DIM);
    if (i < INFINITE_MNIST_ORIGINALS) {
      if (offset === 0 && x.length === DIM) x.set(src);
      else x.set(src, offset);
    } else {
      this.deformer.deform(src, x, this.root.fork(i), offset);
    }
    return this.mnist.y[row]!;
  }

  /** The deformation parameters drawn for example `i >= 70,000` (writes the example into `scratch`). */
  explain(i: number, scratch = new Float32Array(DIM)): DeformDraw | null {
    const row = this.sourceRow(i);
    if (i < INFINITE_MNIST_ORIGINALS) return null;
    return this.deformer.deform(this.mnist.x.subarray(row * DIM, (row + 1) * DIM), scratch, this.root.fork(i));
  }

  /**
   * Writes examples `start .. start + count - 1` into `xOut` (`[count, 784]`, e.g. a Matrix's
   * `.data`) and their labels into `yOut` (`[count]`, or null).
   */
  batch(start: number, count: number, xOut: FloatArray, yOut: Int32Array | null): void {
    checkOut(count, xOut, yOut);
    for (let r = 0; r < count; r++) {
      const lab = this.example(start + r, xOut, r * DIM);
      if (yOut) yOut[r] = lab;
    }
  }

  /** Like `batch`, for arbitrary indices (e.g. a `blockResampledOrder` slice). */
  gather(indices: ArrayLike<number>, xOut: FloatArray, yOut: Int32Array | null): void {
    checkOut(indices.length, xOut, yOut);
    for (let r = 0; r < indices.length; r++) {
      const lab = this.example(indices[r]!, xOut, r * DIM);
      if (yOut) yOut[r] = lab;
    }
  }
}

/** Loads MNIST (decoded once per process) and returns the InfiniteMNIST stream over it. */
export async function createInfiniteMnist(opts: InfiniteMnistOptions = {}): Promise<InfiniteMnist> {
  const { mnist, ...rest } = opts;
  return new InfiniteMnist(loadMnistAll(mnist ?? {}), rest);
}

function checkIndex(i: number): void {
  if (!Number.isSafeInteger(i) || i < 0) throw new RangeError(`InfiniteMnist: example index must be a non-negative safe integer, got ${i}`);
}

function checkOut(count: number, xOut: FloatArray, yOut: Int32Array | null): void {
  if (xOut.length < count * DIM) throw new RangeError(`InfiniteMnist: xOut holds ${xOut.length} values, need ${count} x ${DIM} = ${count * DIM}`);
  if (yOut && yOut.length < count) throw new RangeError(`InfiniteMnist: yOut holds ${yOut.length} labels, need ${count}`);
}
