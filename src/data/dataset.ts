import type { Matrix } from '../tensor/matrix.ts';
import { ShapeError } from '../tensor/shapes.ts';

/**
 * A labelled data set held in memory: `n` examples of `dim` features, row-major.
 * Pixels are scaled to [0, 1]. Every loader in `src/data/` returns this shape.
 */
export interface Dataset {
  /** Human-readable name, e.g. `mnist/train`. */
  readonly name: string;
  /** Number of examples. */
  readonly n: number;
  /** Features per example (784 for MNIST). */
  readonly dim: number;
  /** Number of classes; labels are integers in [0, nClasses). */
  readonly nClasses: number;
  /** `[n, dim]` row-major features. Never mutated by training code. */
  readonly x: Float32Array;
  /** `[n]` labels. */
  readonly y: Int32Array;
  /** Image height and width when the examples are images (`height * width === dim`). */
  readonly image?: { height: number; width: number };
}

/** Train / validation / test splits of one data set (Erhan et al. 2010, Section 5.2). */
export interface DataSplits {
  readonly train: Dataset;
  readonly valid: Dataset;
  readonly test: Dataset;
  /**
   * With `data.labeled` < 1: every training image, labels unused, for unsupervised pre-training;
   * `train` is then its labelled subset (fine-tuning's data). Absent: pre-training uses `train`.
   */
  readonly unlabeled?: Dataset;
}

/**
 * An unbounded, random-access stream of labelled examples (InfiniteMNIST, Section 8).
 * Example `i` is a pure function of `i` and the stream's seed.
 */
export interface ExampleStream {
  readonly name: string;
  readonly dim: number;
  readonly nClasses: number;
  readonly image?: { height: number; width: number };
  /** Writes example `i` into `x` (length `dim`) and returns its label. */
  example(i: number, x: Float32Array): number;
  /**
   * Optional: writes examples `start .. start + count - 1` into `xOut` (`[count, dim]`, e.g. a
   * Matrix's `.data`) and their labels into `yOut` (`[count]`, or null).
   */
  batch?(start: number, count: number, xOut: Float32Array | Float64Array, yOut: Int32Array | null): void;
  /** Optional: the first index of a generated example (InfiniteMNIST: 70,000); viewers start there. */
  readonly firstSynthetic?: number;
  /**
   * Optional: the stream index where training starts by default (InfiniteMNIST: 70,000, its first
   * deformed digit). `trainOnline` starts here when given neither `start` nor `order`.
   */
  readonly firstTrainIndex?: number;
  /**
   * Optional: the half-open range `[start, end)` of stream indices that are held-out test examples
   * (InfiniteMNIST: 0..9,999, the MNIST test digits). `trainOnline` refuses to train on any of them
   * unless its caller opts in (`allowTestExamples`).
   */
  readonly testIndices?: { readonly start: number; readonly end: number };
}

/**
 * Copies the examples `indices` of `ds` into the backend matrix `out` (`[indices.length, dim]`)
 * and their labels into `labels`. The one place a batch is assembled; no per-epoch copy of the data.
 */
export function gatherBatch(ds: Dataset, indices: ArrayLike<number>, out: Matrix, labels: Int32Array | null): void {
  const b = indices.length, d = ds.dim;
  if (out.rows !== b || out.cols !== d) {
    throw new ShapeError(`gatherBatch: ${ds.name} has ${d} features, batch of ${b}; out must be [${b}, ${d}] but is [${out.rows}, ${out.cols}]`);
  }
  const o = out.data;
  for (let r = 0; r < b; r++) {
    const i = indices[r]!;
    o.set(ds.x.subarray(i * d, (i + 1) * d), r * d);
    if (labels) labels[r] = ds.y[i]!;
  }
}

/** Makes a Dataset from arrays, checking their lengths. */
export function makeDataset(
  name: string,
  x: Float32Array,
  y: Int32Array,
  dim: number,
  nClasses: number,
  image?: { height: number; width: number },
): Dataset {
  if (x.length !== y.length * dim) {
    throw new ShapeError(`${name}: ${x.length} feature values for ${y.length} labels of dim ${dim} (need ${y.length * dim})`);
  }
  return { name, n: y.length, dim, nClasses, x, y, ...(image ? { image } : {}) };
}
