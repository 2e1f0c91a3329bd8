/**
 * What a trial's data splits hold and where each comes from, for the one line a run prints when
 * it starts (`data digits: train 40 (digits.csv examples 0..39), valid 10 (...), test 10 (...)`).
 *
 * Cheap: built-in data sets are described from their fixed sizes, IDX files from their headers;
 * only a CSV file is parsed (its examples must be counted).
 */
import { basename } from 'node:path';
import type { DataConfig } from './config.ts';
import { idxExampleCount } from './idx.ts';
import { idxSpecFiles, parseCsvSpec, shapeset3x2Sizes, unknownDataSet } from './load.ts';
import { MNIST_TEST, MNIST_TRAIN, MNIST_VALID } from './mnist.ts';
import { readCsvExamples, userSplitRanges } from './user-data.ts';

/** One split: the examples a trial uses, out of how many, and where they come from. */
export interface SplitPart {
  /** Examples used (after `trainSize` / `validSize` / `testSize`). */
  n: number;
  /** Examples the split holds before those sizes. */
  of: number;
  /** Where the examples come from, e.g. `digits.csv examples 40..49`. */
  from: string;
}

/** The three splits of a data configuration. */
export interface SplitSummary {
  name: string;
  train: SplitPart;
  valid: SplitPart;
  test: SplitPart;
}

/**
 * Describes the splits `loadData(cfg)` yields, without decoding any pixels.
 * @throws DataFileError when a user file cannot be read (the same refusal `loadData` would give)
 */
export function describeSplits(cfg: DataConfig): SplitSummary {
  const base = baseSplits(cfg);
  const part = (p: { n: number; from: string }, size: number | null, how: string): SplitPart => {
    const n = size !== null ? Math.min(size, p.n) : p.n;
    return { n, of: p.n, from: n < p.n ? `${how} of ${p.from}` : p.from };
  };
  return {
    name: cfg.name,
    train: part(base.train, cfg.trainSize, `a class-stratified subset drawn by ${cfg.seed !== null && cfg.seed !== undefined ? `data seed ${cfg.seed}` : 'the seed'}`),
    valid: part(base.valid, cfg.validSize, 'the first examples'),
    test: part(base.test, cfg.testSize, 'the first examples'),
  };
}

type Base = Record<'train' | 'valid' | 'test', { n: number; from: string }>;

function baseSplits(cfg: DataConfig): Base {
  const name = cfg.name;
  const mnistHeldOut = {
    valid: { n: MNIST_VALID, from: `MNIST training set examples ${MNIST_TRAIN}..${MNIST_TRAIN + MNIST_VALID - 1}` },
    test: { n: MNIST_TEST, from: 'MNIST test set' },
  };
  if (name === 'mnist') return { train: { n: MNIST_TRAIN, from: `MNIST training set examples 0..${MNIST_TRAIN - 1}` }, ...mnistHeldOut };
  if (name === 'infinite-mnist') return { train: { n: cfg.trainSize ?? MNIST_TRAIN, from: 'InfiniteMNIST deformed digits' }, ...mnistHeldOut };
  if (name === 'shapeset' || name === 'shapeset-3x2') {
    const sizes = name === 'shapeset' ? [50000, 10000, 10000] : shapeset3x2Sizes(cfg);
    const from = `generated from data seed 0`;
    return { train: { n: sizes[0]!, from }, valid: { n: sizes[1]!, from }, test: { n: sizes[2]!, from } };
  }
  if (name.startsWith('idx:')) {
    const files = idxSpecFiles(name);
    return userSplits(files[0]!, idxExampleCount(files[0]!, 'images'), files[2], files[2] !== undefined ? idxExampleCount(files[2], 'images') : 0);
  }
  if (name.startsWith('csv:')) {
    const { files, opts } = parseCsvSpec(name.slice(4));
    return userSplits(files[0]!, readCsvExamples(files[0]!, opts).n, files[1], files[1] !== undefined ? readCsvExamples(files[1], opts).n : 0);
  }
  throw unknownDataSet(name);
}

function userSplits(trainFile: string, n: number, testFile: string | undefined, nTest: number): Base {
  const r = userSplitRanges(n, testFile !== undefined, trainFile);
  const of = (f: string, [a, b]: [number, number]) => ({ n: b - a, from: `${basename(f)} examples ${a}..${b - 1}` });
  return {
    train: of(trainFile, r.train),
    valid: of(trainFile, r.valid),
    test: r.test ? of(trainFile, r.test) : { n: nTest, from: `${basename(testFile!)}, all ${nTest}` },
  };
}

/** The one line a run prints: `data <name>: train N [of M] (from), valid N (from), test N (from)`. */
export function formatSplits(s: SplitSummary): string {
  const one = (k: 'train' | 'valid' | 'test'): string => `${k} ${s[k].n}${s[k].n < s[k].of ? ` of ${s[k].of}` : ''} (${s[k].from})`;
  return `data ${s.name}: ${one('train')}, ${one('valid')}, ${one('test')}`;
}
