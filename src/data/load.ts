/**
 * One entry point for the data of a trial: `loadData(cfg.data, cfg.seed)`.
 *
 * `cfg.name` selects the data set:
 * - `mnist`: MNIST 50,000 / 10,000 / 10,000 (Section 5.2), see `mnist.ts`.
 * - `infinite-mnist`: `train` holds `trainSize` (default 50,000) deformed digits from the
 *   InfiniteMNIST stream whose sources are the first 50,000 MNIST training digits (indices >= 70,000,
 *   in stream order; with `labels`, `trainSize` digits of those classes); `valid` and `test` are MNIST's. Online training should use the stream itself
 *   (`createInfiniteMnist`); this materialised form is for code that wants a Dataset.
 * - `shapeset`: the paper's Shapeset, 10x10 triangles vs squares, 50,000 / 10,000 / 10,000, generated
 *   from a fixed data seed (0), so every trial sees the same data set, like MNIST.
 * - `shapeset-3x2`: Shapeset-3x2 32x32, 6 classes (see `shapeset.ts`), 10,000 / 2,000 / 2,000 by default
 *   (a larger `trainSize` generates more).
 * - `idx:<trainImages>,<trainLabels>[,<testImages>,<testLabels>]`: an IDX pair (raw or .gz).
 * - `csv:<train.csv>[,<test.csv>][?label=<column>&header=auto|yes|no&scale=auto|none|255]`: CSV
 *   with a label column (the rules are in `csv.ts`).
 *   User data are split by the convention in `user-data.ts` (the last sixth of the training file is
 *   `valid`; without a test file, the sixth before it is `valid` and the last sixth `test`); their
 *   class count is `cfg.classes` or inferred from the labels.
 *
 * Then, in this order:
 * - `trainSize`: a subset of the training split stratified by class, drawn from the stream
 *   `new Rng(dataSeed).fork('data', 'subset', 'train')`, where `dataSeed` is `cfg.seed` when set, else
 *   the trial seed (so it depends on that seed, nothing else);
 * - `validSize` / `testSize`: the first N examples of those splits;
 * - `binarize`: `threshold` (x >= 0.5) or `stochastic` (one Bernoulli sample per pixel from
 *   `new Rng(dataSeed).fork('data', 'binarize', split)`).
 */
import { Rng } from '../rng/rng.ts';
import type { DataConfig } from './config.ts';
import type { DataSplits } from './dataset.ts';
import { binarizeDataset } from './binarize.ts';
import { headExamples, subsetBySize } from './batches.ts';
import { loadMnist } from './mnist.ts';
import { generateShapeset, SHAPESET_3X2_DEFAULTS } from './shapeset.ts';
import { readCsvExamples, readIdxPair, splitUserData, userDataName } from './user-data.ts';
import { loadInfiniteMnistSplits } from './infinite-mnist-splits.ts';
import type { CsvOptions } from './csv.ts';
import { ConfigError } from './config-error.ts';
import { keepLabels } from './label-subset.ts';
import { DataNameError } from './data-name-error.ts';

/** The fixed seed from which the Shapeset data sets are generated. */
export const SHAPESET_DATA_SEED = 0;

/**
 * Loads the splits named by `cfg.name`, then subsets and binarises them (see the module comment).
 * @param seed the trial seed; used for the data draws only when `cfg.seed` is null (its `data` stream)
 * @throws DataNameError naming the data set and the accepted names when `cfg.name` is unknown or
 *   its `idx:` / `csv:` spec is malformed; DataFileError for a problem in one of its files
 */
export async function loadData(cfg: DataConfig, seed: number): Promise<DataSplits> {
  let s = await loadBase(cfg);
  if (cfg.labels) s = keepLabels(s, cfg.labels, cfg.name);
  checkSizes(cfg, s);
  const data = new Rng(cfg.seed ?? seed).fork('data');
  const train = cfg.trainSize !== null ? subsetBySize(s.train, cfg.trainSize, data.fork('subset', 'train')) : s.train;
  s = {
    train,
    valid: cfg.validSize !== null ? headExamples(s.valid, cfg.validSize) : s.valid,
    test: cfg.testSize !== null ? headExamples(s.test, cfg.testSize) : s.test,
  };
  s = withLabeledFraction(s, cfg, seed);
  if (cfg.binarize !== 'none') {
    const b = data.fork('binarize');
    s = {
      train: binarizeDataset(s.train, cfg.binarize, b.fork('train')),
      valid: binarizeDataset(s.valid, cfg.binarize, b.fork('valid')),
      test: binarizeDataset(s.test, cfg.binarize, b.fork('test')),
      ...(s.unlabeled ? { unlabeled: binarizeDataset(s.unlabeled, cfg.binarize, b.fork('unlabeled')) } : {}),
    };
  }
  return s;
}

/**
 * Refuses a `trainSize` / `validSize` / `testSize` larger than its split: a trial must never record
 * a size it did not use (the subset helpers would silently keep the whole split).
 * @throws ConfigError naming the key, the value and the number of examples available
 */
/**
 * The semi-supervised regime (`data.labeled`): `train` becomes a stratified subset of that fraction
 * of it (at least one example per class, drawn from the data seed's `subset/labeled` stream) and
 * `unlabeled` keeps every training image for pre-training. Unchanged when `labeled` is null or 1, or
 * when `s` already has its `unlabeled` set.
 */
export function withLabeledFraction(s: DataSplits, cfg: Pick<DataConfig, 'labeled' | 'seed'>, seed: number): DataSplits {
  const f = cfg.labeled;
  if (f === null || f === undefined || f >= 1 || s.unlabeled) return s;
  const n = Math.max(s.train.nClasses, Math.round(f * s.train.n));
  return { ...s, train: subsetBySize(s.train, n, new Rng(cfg.seed ?? seed).fork('data').fork('subset', 'labeled')), unlabeled: s.train };
}

function checkSizes(cfg: DataConfig, s: DataSplits): void {
  const problems: string[] = [];
  for (const [key, split, what] of [['trainSize', s.train, 'training'], ['validSize', s.valid, 'validation'], ['testSize', s.test, 'test']] as const) {
    const size = cfg[key];
    if (size !== null && size > split.n) {
      problems.push(`  data.${key} is ${size} but ${cfg.name} has ${split.n} ${what} examples; allowed: 1..${split.n}, or null for all`);
    }
  }
  if (problems.length) throw new ConfigError(`invalid trial config:\n${problems.join('\n')}`);
}

/** The class counts of the built-in data sets. */
const BUILT_IN_CLASSES: Readonly<Record<string, number>> = { mnist: 10, 'infinite-mnist': 10, shapeset: 2, 'shapeset-3x2': 6 };

async function loadBase(cfg: DataConfig): Promise<DataSplits> {
  const builtIn = BUILT_IN_CLASSES[cfg.name];
  if (cfg.classes !== undefined && builtIn !== undefined && builtIn !== cfg.classes) {
    throw new ConfigError(`data.classes is ${cfg.classes} but data set "${cfg.name}" has ${builtIn} classes; data.classes is for user data sets (idx:, csv:), leave it unset for a built-in one`);
  }
  return loadNamed(cfg);
}

async function loadNamed(cfg: DataConfig): Promise<DataSplits> {
  const name = cfg.name;
  const opts = cfg.classes !== undefined ? { classes: cfg.classes } : {};
  if (name === 'mnist') return loadMnist();
  if (name === 'infinite-mnist') {
    // Generated with `labels` applied, so `trainSize` counts digits of the kept classes; the last
    // set generated is kept (a worker's trials pre-train on the same source again and again).
    const opts = { trainSize: cfg.trainSize ?? 50000, labels: cfg.labels };
    const key = `infinite-mnist:${JSON.stringify(opts)}`;
    if (lastInfinite?.key !== key) lastInfinite = { key, splits: await loadInfiniteMnistSplits(opts) };
    return lastInfinite.splits;
  }
  if (name === 'shapeset') return memoized('shapeset', () => generateShapeset({ seed: SHAPESET_DATA_SEED }));
  if (name === 'shapeset-3x2') {
    const d = SHAPESET_3X2_DEFAULTS;
    return memoized(`shapeset-3x2:${shapeset3x2Sizes(cfg).join(',')}`, () => generateShapeset({ ...d, seed: SHAPESET_DATA_SEED, sizes: shapeset3x2Sizes(cfg) }));
  }
  if (name.startsWith('idx:')) {
    const files = idxSpecFiles(name);
    const train = readIdxPair(files[0]!, files[1]!);
    const test = files.length === 4 ? readIdxPair(files[2]!, files[3]!) : undefined;
    return splitUserData(userDataName(files[0]!), train, test, opts);
  }
  if (name.startsWith('csv:')) {
    const { files, opts: csv } = parseCsvSpec(name.slice(4));
    const train = readCsvExamples(files[0]!, csv);
    const test = files[1] !== undefined ? readCsvExamples(files[1], csv) : undefined;
    return splitUserData(userDataName(files[0]!), train, test, opts);
  }
  throw unknownDataSet(name);
}

/** The error for a data name that is none of the known forms. */
export function unknownDataSet(name: string): Error {
  return new DataNameError(name, `unknown data set "${name}": use mnist, infinite-mnist, shapeset, shapeset-3x2, idx:<images>,<labels>[,<testImages>,<testLabels>] or csv:<file>[,<testFile>][?label=<column>]`);
}

/** The generated sizes of Shapeset-3x2: its defaults, or more when a size asks for more. */
export function shapeset3x2Sizes(cfg: DataConfig): readonly [number, number, number] {
  const d = SHAPESET_3X2_DEFAULTS;
  return [Math.max(d.sizes[0], cfg.trainSize ?? 0), Math.max(d.sizes[1], cfg.validSize ?? 0), Math.max(d.sizes[2], cfg.testSize ?? 0)] as const;
}

/** The 2 or 4 paths of an `idx:` data name. */
export function idxSpecFiles(name: string): string[] {
  const files = name.slice(4).split(',').map((f) => f.trim());
  if ((files.length !== 2 && files.length !== 4) || files.some((f) => f === '')) {
    const empty = files.filter((f) => f === '').length;
    throw new DataNameError(name, `data name "${name}": expected idx:<trainImages>,<trainLabels>[,<testImages>,<testLabels>] (2 or 4 paths), got ${files.length}${empty ? ` of which ${empty} empty` : ''}`);
  }
  return files;
}

/** The InfiniteMNIST training set generated last in this process (one at a time: they can be large). */
let lastInfinite: { key: string; splits: DataSplits } | null = null;

/** Generated data sets are fixed (seeded by SHAPESET_DATA_SEED), so one copy per process serves every trial. */
const generated = new Map<string, DataSplits>();

function memoized(key: string, make: () => DataSplits): DataSplits {
  let s = generated.get(key);
  if (!s) {
    s = make();
    generated.set(key, s);
  }
  return s;
}

/** Parses `<train.csv>[,<test.csv>][?label=<column>&header=<mode>&scale=<mode>]`. */
export function parseCsvSpec(spec: string): { files: string[]; opts: CsvOptions } {
  const q = spec.indexOf('?');
  const files = (q >= 0 ? spec.slice(0, q) : spec).split(',').map((f) => f.trim());
  if (files.length < 1 || files.length > 2 || files.some((f) => f === '')) {
    throw new DataNameError(`csv:${spec}`, `data name "csv:${spec}": expected csv:<train.csv>[,<test.csv>][?label=<column>&header=auto|yes|no&scale=auto|none|255]`);
  }
  const opts: CsvOptions = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(spec.slice(q + 1))) {
      if (k === 'label') opts.label = /^\d+$/.test(v) ? Number(v) : v;
      else if (k === 'scale' && (v === 'auto' || v === 'none' || v === '255')) opts.scale = v;
      else if (k === 'header' && (v === 'auto' || v === 'yes' || v === 'no')) opts.header = v;
      else throw new DataNameError(`csv:${spec}`, `data name "csv:${spec}": unknown option ${k}=${v}; use label=<column name or 0-based index>, header=auto|yes|no or scale=auto|none|255`);
    }
  }
  return { files, opts };
}
