/**
 * Users' own data sets: an IDX images+labels pair (raw or .gz) or a CSV file, split into
 * train / valid / test by a fixed, documented convention.
 *
 * Split convention (contiguous, in file order, independent of the seed, like MNIST's 50k/10k):
 * - With separate test files: the test files are `test`; of the `n` training examples, the last
 *   `floor(n / 6)` are `valid` and the rest `train` (60,000 -> 50,000 + 10,000, as for MNIST).
 * - With one file: the last `floor(n / 6)` are `test`, the `floor(n / 6)` before them `valid`,
 *   the rest `train` (4/6 : 1/6 : 1/6).
 * Shuffle a file that is sorted by class before using it.
 *
 * `nClasses` is `1 + ` the largest label found in any split.
 */
import { basename } from 'node:path';
import { makeDataset, type DataSplits, type Dataset } from './dataset.ts';
import { DataFileError } from './data-error.ts';
import { readIdxImages, readIdxLabels } from './idx.ts';
import { readCsv, type CsvOptions } from './csv.ts';

/** Examples before splitting. */
export interface RawExamples {
  x: Float32Array; // [n, dim]
  y: Int32Array; // [n]
  n: number;
  dim: number;
  image?: { height: number; width: number };
  /** Where they came from, for names and messages. */
  source: string;
}

/**
 * Reads an IDX images file and its labels file, checking they hold the same number of examples.
 * @throws DataFileError `count-mismatch` (naming both files), or any IDX error
 */
export function readIdxPair(imagesFile: string, labelsFile: string): RawExamples {
  const im = readIdxImages(imagesFile);
  const y = readIdxLabels(labelsFile);
  if (y.length !== im.n) {
    throw new DataFileError('count-mismatch', labelsFile, `expected ${im.n} labels, one per image of ${imagesFile}, found ${y.length}; the images and labels files do not belong together`);
  }
  const out: RawExamples = { x: im.x, y, n: im.n, dim: im.dim, source: imagesFile };
  if (im.image) out.image = im.image;
  return out;
}

/** Reads a CSV file of labelled examples (see `csv.ts`); square feature counts are taken as square images. */
export function readCsvExamples(file: string, opts: CsvOptions = {}): RawExamples {
  const c = readCsv(file, opts);
  const side = Math.round(Math.sqrt(c.dim));
  const out: RawExamples = { x: c.x, y: c.y, n: c.n, dim: c.dim, source: file };
  if (side * side === c.dim && side > 1) out.image = { height: side, width: side };
  return out;
}

/**
 * Splits user examples by the convention of this module.
 * @param train the training file's examples
 * @param test the test file's examples, when given separately (same `dim` required)
 * @throws DataFileError `bad-dims` when train and test differ in dimension, `empty` when too few examples to split
 */
export function splitUserData(name: string, train: RawExamples, test?: RawExamples): DataSplits {
  if (test && test.dim !== train.dim) {
    throw new DataFileError('bad-dims', test.source, `expected ${train.dim} features per example like ${train.source}, found ${test.dim}`);
  }
  let maxLabel = 0;
  for (const r of test ? [train, test] : [train]) for (const v of r.y) if (v > maxLabel) maxLabel = v;
  const nClasses = maxLabel + 1;
  const n = train.n, k = Math.floor(n / 6);
  const need = test ? 2 : 3;
  if (n < need || k < 1) {
    throw new DataFileError('empty', train.source, `expected at least 6 examples to split into train/valid${test ? '' : '/test'} (1/6 each for valid${test ? '' : ' and test'}), found ${n}`);
  }
  const part = (r: RawExamples, from: number, to: number, split: string): Dataset =>
    makeDataset(`${name}/${split}`, r.x.subarray(from * r.dim, to * r.dim), r.y.subarray(from, to), r.dim, nClasses, r.image);
  if (test) {
    return { train: part(train, 0, n - k, 'train'), valid: part(train, n - k, n, 'valid'), test: part(test, 0, test.n, 'test') };
  }
  return { train: part(train, 0, n - 2 * k, 'train'), valid: part(train, n - 2 * k, n - k, 'valid'), test: part(train, n - k, n, 'test') };
}

/** A short name for a user data set from its file path (`digits.csv` -> `digits`). */
export function userDataName(file: string): string {
  return basename(file).replace(/(\.gz)?$/, '').replace(/\.(csv|idx\d?-?\w*|ubyte)$/i, '').replace(/-idx\d-ubyte$/, '');
}
