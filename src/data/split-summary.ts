/**
 * What a trial's data splits hold and where each comes from, for the one line a run prints when
 * it starts (`data digits: train 40 (digits.csv examples 0..39), valid 10 (...), test 10 (...)`).
 *
 * Cheap: built-in data sets are described from their fixed sizes, IDX files from their headers;
 * only a CSV file is parsed (its examples must be counted).
 */
import { basename, join } from 'node:path';
import type { DataConfig } from './config.ts';
import { idxExampleCount, readIdxLabels } from './idx.ts';
import { idxSpecFiles, parseCsvSpec, shapeset3x2Sizes, unknownDataSet } from './load.ts';
import { MNIST_FILES, MNIST_TEST, MNIST_TRAIN, MNIST_VALID, mnistDataDir } from './mnist.ts';
import { readCsvExamples, userSplitRanges } from './user-data.ts';

/** One split: the examples a trial uses, out of how many, and where they come from. */
export interface SplitPart {
  /** Examples used (after `labels`, `trainSize` / `validSize` / `testSize`). */
  n: number;
  /** True when `n` is an upper bound: `labels` on a generated data set, whose classes are not counted here. */
  atMost?: boolean;
  /** Training split with `data.labeled` below 1: how many of its `n` examples keep their label (all `n` pre-train). */
  labelled?: number;
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
  const base = withLabels(cfg, baseSplits(cfg));
  const drawnBy = cfg.seed !== null && cfg.seed !== undefined ? `data seed ${cfg.seed}` : 'the seed';
  const part = (p: BasePart, size: number | null, how: string): SplitPart => {
    const n = size !== null ? Math.min(size, p.n) : p.n;
    return { n, of: p.n, from: n < p.n ? `${how} of ${p.from}` : p.from, ...(p.atMost ? { atMost: true } : {}) };
  };
  const train = part(base.train, cfg.trainSize, `a class-stratified subset drawn by ${drawnBy}`);
  const f = cfg.labeled;
  if (f !== null && f !== undefined && f < 1) {
    // As withLabeledFraction: at least one example per class.
    const classes = cfg.labels?.length ?? BUILT_IN_CLASS_COUNT[cfg.name] ?? cfg.classes ?? 2;
    train.labelled = Math.max(classes, Math.round(f * train.n));
    train.from += `; labels of ${train.labelled} kept (data.labeled ${f}, a class-stratified subset drawn by ${drawnBy}), all ${train.n} pre-train`;
  }
  return {
    name: cfg.name,
    train,
    valid: part(base.valid, cfg.validSize, 'the first examples'),
    test: part(base.test, cfg.testSize, 'the first examples'),
  };
}

/** Class counts of the built-in data sets (for the labelled count's floor of one example per class). */
const BUILT_IN_CLASS_COUNT: Readonly<Record<string, number>> = { mnist: 10, 'infinite-mnist': 10, shapeset: 2, 'shapeset-3x2': 6 };

/**
 * The splits after `data.labels` (each keeps the examples of those classes): counted from the
 * label files for MNIST and users' IDX and CSV data, an upper bound for generated data.
 */
function withLabels(cfg: DataConfig, base: Base): Base {
  const labels = cfg.labels;
  if (!labels) return base;
  // n: the count, NaN when p.n already counts only those classes, null when unknown.
  const note = (p: BasePart, n: number | null): BasePart => ({
    n: n === null || Number.isNaN(n) ? p.n : n,
    from: `classes ${labels.join(', ')} (relabelled 0..${labels.length - 1}) of ${p.from}`,
    ...(n === null ? { atMost: true } : {}),
  });
  const ys = splitLabels(cfg);
  const count = (y: Int32Array | 'exact' | undefined): number | null => {
    if (y === 'exact') return NaN;
    if (!y) return null;
    const keep = new Set(labels);
    let m = 0;
    for (const v of y) if (keep.has(v)) m++;
    return m;
  };
  return { train: note(base.train, count(ys?.train)), valid: note(base.valid, count(ys?.valid)), test: note(base.test, count(ys?.test)) };
}

/**
 * The labels of each split, read from the files (no pixels), for MNIST and users' IDX / CSV data;
 * `exact` for InfiniteMNIST's training digits (generated with `labels` applied); null for Shapeset.
 */
function splitLabels(cfg: DataConfig): { train: Int32Array | 'exact'; valid: Int32Array; test: Int32Array } | null {
  const name = cfg.name;
  if (name === 'mnist' || name === 'infinite-mnist') {
    const dir = mnistDataDir();
    const tr = readIdxLabels(join(dir, MNIST_FILES.trainLabels.name));
    const heldOut = { valid: tr.subarray(MNIST_TRAIN, MNIST_TRAIN + MNIST_VALID), test: readIdxLabels(join(dir, MNIST_FILES.testLabels.name)) };
    return { train: name === 'mnist' ? tr.subarray(0, MNIST_TRAIN) : 'exact', ...heldOut };
  }
  let y: Int32Array, yTest: Int32Array | undefined;
  if (name.startsWith('idx:')) {
    const files = idxSpecFiles(name);
    y = readIdxLabels(files[1]!);
    yTest = files[3] !== undefined ? readIdxLabels(files[3]) : undefined;
  } else if (name.startsWith('csv:')) {
    const { files, opts } = parseCsvSpec(name.slice(4));
    y = readCsvExamples(files[0]!, opts).y;
    yTest = files[1] !== undefined ? readCsvExamples(files[1], opts).y : undefined;
  } else return null;
  const r = userSplitRanges(y.length, yTest !== undefined, name);
  return { train: y.subarray(...r.train), valid: y.subarray(...r.valid), test: r.test ? y.subarray(...r.test) : yTest! };
}

interface BasePart {
  n: number;
  from: string;
  atMost?: boolean;
}
type Base = Record<'train' | 'valid' | 'test', BasePart>;

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
  const one = (k: 'train' | 'valid' | 'test'): string => `${k} ${s[k].atMost ? 'at most ' : ''}${s[k].n}${s[k].n < s[k].of ? ` of ${s[k].of}` : ''} (${s[k].from})`;
  return `data ${s.name}: ${one('train')}, ${one('valid')}, ${one('test')}`;
}
