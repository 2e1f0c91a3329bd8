/**
 * The stream of an online trial (Erhan et al. 2010, Section 8), by data name, and its fixed test
 * set: `loadStream('infinite-mnist')` is `createInfiniteMnist()` (stream seed 0, the paper's one
 * fixed data set), and `streamTestSet` materialises the first examples of its held-out range
 * (InfiniteMNIST: indices 0..9,999, the MNIST test digits).
 */
import type { Dataset, ExampleStream } from './dataset.ts';
import { ConfigError } from './config-error.ts';
import { createInfiniteMnist } from './infinite-mnist.ts';

/** A stream that knows where training starts and which of its examples are held out for testing. */
export type HeldOutStream = ExampleStream & {
  readonly firstTrainIndex: number;
  readonly testIndices: { readonly start: number; readonly end: number };
};

/** The data names `loadStream` accepts. */
export const STREAM_NAMES: readonly string[] = ['infinite-mnist'];

/**
 * The stream called `name`.
 * @throws ConfigError naming `data.name` and the streams there are
 */
export async function loadStream(name: string): Promise<HeldOutStream> {
  switch (name) {
    case 'infinite-mnist':
      return createInfiniteMnist();
    default:
      throw new ConfigError(`data.name is '${name}' but online training needs a stream; allowed: ${STREAM_NAMES.map((n) => `'${n}'`).join(', ')}`);
  }
}

/**
 * The first `size` held-out examples of `stream` (all of them when null) as a Dataset
 * (`[n, dim]`), named `<stream>/test`.
 * @throws ConfigError when `size` exceeds the held-out range (data.testSize)
 */
export function streamTestSet(stream: HeldOutStream, size: number | null): Dataset {
  const { start, end } = stream.testIndices;
  const n = size ?? end - start;
  if (n > end - start) throw new ConfigError(`data.testSize is ${n} but ${stream.name} holds out ${end - start} test examples; allowed: 1..${end - start} or null`);
  const x = new Float32Array(n * stream.dim), y = new Int32Array(n), row = new Float32Array(stream.dim);
  for (let i = 0; i < n; i++) {
    y[i] = stream.example(start + i, row);
    x.set(row, i * stream.dim);
  }
  return { name: `${stream.name}/test`, n, dim: stream.dim, nClasses: stream.nClasses, x, y, ...(stream.image ? { image: stream.image } : {}) };
}
