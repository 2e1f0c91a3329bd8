import { makeDataset, type DataSplits } from './dataset.ts';
import { createInfiniteMnist, INFINITE_MNIST_ORIGINALS, type InfiniteMnistOptions } from './infinite-mnist.ts';
import { loadMnist } from './mnist.ts';

/**
 * InfiniteMNIST materialised as splits, for code that wants Datasets: `train` holds `trainSize`
 * deformed digits (stream indices >= 70,000, in order, keeping only those whose source is one of
 * the first 50,000 MNIST training digits, so nothing is derived from `valid` or `test`, and, with
 * `labels`, whose class is one of them: a source task of digits 0-4 gets `trainSize` of those);
 * `valid` and `test` are MNIST's (Section 5.2). Online training should use the stream itself.
 */
export async function loadInfiniteMnistSplits(opts: InfiniteMnistOptions & { trainSize: number; labels?: readonly number[] | undefined }): Promise<DataSplits> {
  const { trainSize, labels, ...rest } = opts;
  if (!Number.isInteger(trainSize) || trainSize < 1) throw new RangeError(`infinite-mnist: trainSize must be an integer >= 1, got ${trainSize}`);
  const stream = await createInfiniteMnist(rest);
  const mnist = await loadMnist(rest.mnist ?? {});
  const x = new Float32Array(trainSize * stream.dim);
  const y = new Int32Array(trainSize);
  const keep = labels ? new Set(labels) : null;
  let i = INFINITE_MNIST_ORIGINALS;
  for (let r = 0; r < trainSize; i++) {
    if (stream.sourceRow(i) >= 50000 || (keep && !keep.has(stream.label(i)))) continue;
    y[r] = stream.example(i, x, r * stream.dim);
    r++;
  }
  return {
    train: makeDataset(`${stream.name}/train`, x, y, stream.dim, 10, stream.image),
    valid: mnist.valid,
    test: mnist.test,
  };
}
