/**
 * Users' own examples (from an IDX pair or a CSV file, read by `user-data.ts` or dropped on the
 * web page) split into train / valid / test by a fixed, documented convention; no file access.
 *
 * Split convention (contiguous, in file order, independent of the seed, like MNIST's 50k/10k):
 * - With separate test files: the test files are `test`; of the `n` training examples, the last
 *   `floor(n / 6)` are `valid` and the rest `train` (60,000 -> 50,000 + 10,000, as for MNIST).
 * - With one file: the last `floor(n / 6)` are `test`, the `floor(n / 6)` before them `valid`,
 *   the rest `train` (4/6 : 1/6 : 1/6).
 * Shuffle a file that is sorted by class before using it.
 *
 * Class count: declared (`data.classes`), every label must be in 0..classes-1; else inferred as
 * `1 + ` the largest label of all files, refused when some class below it never appears (a stray
 * 37 among digits) or when it exceeds `MAX_INFERRED_CLASSES` (declare `data.classes` to allow
 * either). Refusals name the labels file and the example (the line, for CSV).
 */
import { makeDataset, type DataSplits, type Dataset } from './dataset.ts';
import { DataFileError } from './data-error.ts';
import type { CsvExamples } from './csv.ts';

/** Examples before splitting. */
export interface RawExamples {
  x: Float32Array; // [n, dim]
  y: Int32Array; // [n]
  n: number;
  dim: number;
  image?: { height: number; width: number };
  /** Where they came from, for names and messages. */
  source: string;
  /** The file holding the labels, when not `source` (an IDX labels file). */
  labelsFile?: string;
  /** `[n]` the 1-based line of each example (CSV), for messages; else examples are named by index. */
  lines?: Int32Array;
}

/** The most classes inferred from labels without a declared `data.classes`. */
export const MAX_INFERRED_CLASSES = 1000;

/** Options of `splitUserData`. */
export interface UserDataOptions {
  /** The declared class count (`data.classes`); inferred from the labels when absent. */
  classes?: number;
}

/** Parsed CSV examples as raw examples from `source`; square feature counts are taken as square images. */
export function csvExamplesAsRaw(c: CsvExamples, source: string): RawExamples {
  const side = Math.round(Math.sqrt(c.dim));
  const out: RawExamples = { x: c.x, y: c.y, n: c.n, dim: c.dim, source, lines: c.lines };
  if (side * side === c.dim && side > 1) out.image = { height: side, width: side };
  return out;
}

/** Example `i` of `r` for a message: `line L` (CSV) or `example i` (IDX, 0-based). */
function exampleName(r: RawExamples, i: number): { text: string; row: number } {
  const line = r.lines?.[i];
  return line !== undefined ? { text: `line ${line}`, row: line } : { text: `example ${i}`, row: i };
}

/** The first example of `r` whose label is at least `limit`, or -1. */
function firstAtLeast(r: RawExamples, limit: number): number {
  return r.y.findIndex((v) => v >= limit);
}

/**
 * The class count of a data set (see the module comment), checking every label against it.
 * @throws DataFileError `bad-label` naming the labels file and the example
 */
export function checkLabels(files: readonly RawExamples[], classes?: number): number {
  const bad = (r: RawExamples, i: number, why: string): DataFileError => {
    const at = exampleName(r, i);
    return new DataFileError('bad-label', r.labelsFile ?? r.source, `${at.text}: label ${r.y[i]} ${why}`, at.row);
  };
  if (classes !== undefined) {
    for (const r of files) {
      const i = firstAtLeast(r, classes);
      if (i >= 0) throw bad(r, i, `is out of range: data.classes is ${classes}, so labels must be 0..${classes - 1}`);
    }
    return classes;
  }
  const seen = new Set<number>();
  for (const r of files) for (const v of r.y) seen.add(v);
  let contiguous = 0;
  while (seen.has(contiguous)) contiguous++;
  const fix = 'set data.classes to the true class count to allow it (e.g. --data.classes=N)';
  for (const r of files) {
    const i = firstAtLeast(r, contiguous);
    if (i < 0) continue;
    if (contiguous === 0) throw bad(r, i, `is out of range: no example has label 0, so the labels are not 0..C-1 (an inferred class count needs every class 0..C-1 present); relabel them from 0, or ${fix}`);
    if (r.y[i]! >= MAX_INFERRED_CLASSES || contiguous >= MAX_INFERRED_CLASSES) break;
    throw bad(r, i, `is out of range: labels 0..${contiguous - 1} are present but no example has label ${contiguous}, so the class count cannot be inferred (${r.y[i]} + 1 classes with some empty); this label is probably an error; fix it, or ${fix}`);
  }
  let nClasses = 0;
  for (const v of seen) if (v + 1 > nClasses) nClasses = v + 1;
  if (nClasses > MAX_INFERRED_CLASSES) {
    for (const r of files) {
      const i = firstAtLeast(r, MAX_INFERRED_CLASSES);
      if (i >= 0) throw bad(r, i, `would make ${nClasses} classes, more than the ${MAX_INFERRED_CLASSES} inferred without a declaration; ${fix}`);
    }
  }
  return nClasses;
}

/** Example ranges `[from, to)` of each split, by the convention of this module (`null` for a separate test file). */
export interface UserSplitRanges {
  train: [number, number];
  valid: [number, number];
  /** `null`: the whole test file. */
  test: [number, number] | null;
}

/**
 * The split of `n` training-file examples (see the module comment).
 * @param separateTest true when the test examples come from their own file
 * @param source the training file, named when there are too few examples
 * @throws DataFileError `empty` when fewer than 6 examples
 */
export function userSplitRanges(n: number, separateTest: boolean, source: string): UserSplitRanges {
  const k = Math.floor(n / 6);
  if (k < 1) {
    throw new DataFileError('empty', source, `expected at least 6 examples to split into train/valid${separateTest ? '' : '/test'} (1/6 each for valid${separateTest ? '' : ' and test'}), found ${n}`);
  }
  return separateTest ? { train: [0, n - k], valid: [n - k, n], test: null } : { train: [0, n - 2 * k], valid: [n - 2 * k, n - k], test: [n - k, n] };
}

/**
 * Splits user examples by the convention of this module.
 * @param train the training file's examples
 * @param test the test file's examples, when given separately (same `dim` required)
 * @throws DataFileError `bad-dims` when train and test differ in dimension, `empty` when too few
 *   examples to split, `bad-label` (see `checkLabels`)
 */
export function splitUserData(name: string, train: RawExamples, test?: RawExamples, opts: UserDataOptions = {}): DataSplits {
  if (test && test.dim !== train.dim) {
    throw new DataFileError('bad-dims', test.source, `expected ${train.dim} features per example like ${train.source}, found ${test.dim}`);
  }
  const ranges = userSplitRanges(train.n, test !== undefined, train.source);
  const nClasses = checkLabels(test ? [train, test] : [train], opts.classes);
  const part = (r: RawExamples, [from, to]: [number, number], split: string): Dataset =>
    makeDataset(`${name}/${split}`, r.x.subarray(from * r.dim, to * r.dim), r.y.subarray(from, to), r.dim, nClasses, r.image);
  return {
    train: part(train, ranges.train, 'train'),
    valid: part(train, ranges.valid, 'valid'),
    test: test ? part(test, [0, test.n], 'test') : part(train, ranges.test!, 'test'),
  };
}
