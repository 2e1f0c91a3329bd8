/**
 * Pre-trained stacks shared by the trials of a study: `<dir>/<sha256(key)>.safetensors`, where
 * the runner's `dir` is the store's `pretrained/` (see `RunStore.pretrainedDir`).
 *
 * Greedy pre-training does not depend on anything fine-tuning is tuned over: a selection grid of
 * fine-tuning learning rates (Erhan et al. 2010, Section 5.3), the weights and histogram arms of
 * Table 1, the 1- and 2-layer networks of one seed and the k-of-n arms of Figure 14 all start from the same stack, or from
 * the bottom of the same stack (layer l depends only on the data, the layers below it and its
 * own random streams, see `greedyStack`). The first trial that needs a stack trains and stores
 * it; the others load it, or load its bottom layers and train the rest. A loaded layer is the
 * bits training would have given (safetensors keep the backend's dtype), so a record is the same
 * whether its stack was trained or loaded; only its seconds, and `result.pretrainCache`, say which.
 *
 * The key holds everything the stack depends on except the layer sizes: the seed, backend and
 * numeric variant, a SHA-256 of the inputs pre-training reads (after subsetting and binarisation,
 * which happen at load time; labels are never read, so the labelled fractions of a less-data study
 * share one stack, and a changed user file never matches), the pre-training settings but `use` (marginal resampling comes after) and
 * `layers` (how many layers are pre-trained, i.e. the sizes), and the units. Sizes are matched as
 * a common bottom prefix when the file is read: pre-training the bottom k of n layers (Figure 14)
 * shares the stack of the bottom k+1.
 *
 * Two trials that need the same stack at the same moment both train it (nothing waits on
 * another process); the file is replaced atomically, and only by a longer stack.
 * A file that cannot be read is ignored and replaced: it is a cache, never the only copy.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../tensor/kernels.ts';
import type { NumericVariant } from '../tensor/numeric-variant.ts';
import type { DataSplits, Dataset } from '../data/dataset.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import { numericKey } from '../backends/variant.ts';
import type { EpochMetrics } from './hooks.ts';
import type { TrialConfig } from './config.ts';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.ts';
import { readLayersOfShapes, readStackLayers, stackLayerCount, stackTensors, type SavedStack } from './pretrain-checkpoint.ts';

/** The cache's version: part of every key, so a change of format or meaning never matches old files. */
const CACHE_VERSION = 1;

/** SHA-256 (hex) of a data set's inputs and shape: what the stack was trained on. */
export function inputsFingerprint(ds: Dataset): string {
  const h = createHash('sha256');
  h.update(`${ds.n}x${ds.dim}:`);
  h.update(new Uint8Array(ds.x.buffer, ds.x.byteOffset, ds.x.byteLength));
  return h.digest('hex');
}

/** SHA-256 (hex) of every split's inputs, labels, class count and image shape: what a supervised run reads. */
export function splitsFingerprint(s: DataSplits): string {
  const h = createHash('sha256');
  for (const [name, ds] of [['train', s.train], ['valid', s.valid], ['test', s.test]] as const) {
    h.update(`${name}:${ds.n}x${ds.dim}:${ds.nClasses}:${ds.image ? `${ds.image.height}x${ds.image.width}` : '-'}:`);
    h.update(new Uint8Array(ds.x.buffer, ds.x.byteOffset, ds.x.byteLength));
    h.update(new Uint8Array(ds.y.buffer, ds.y.byteOffset, ds.y.byteLength));
  }
  return h.digest('hex');
}

/**
 * The key of a trial's source network (supervised pre-training on `pretrain.source`, see
 * `source-pretrain.ts`): the seed (its `source-init` and `source-order` streams), backend and
 * numeric variant, the network's layers, the source run's settings and a SHA-256 of the source
 * data. The target's data, `pretrain.layers` (how many layers are copied) and `finetune.trainTop`
 * (the transfer mode) are not in it: every transfer mode and labelled fraction of one seed shares
 * one source network.
 * @param spec the source network's `MlpSpec`; @param sourceRun its `finetune`-shaped settings
 */
export function sourceCacheKey(cfg: TrialConfig, variant: NumericVariant, spec: unknown, sourceRun: unknown, source: DataSplits): string {
  return JSON.stringify({ cache: CACHE_VERSION, kind: 'source-network', seed: cfg.seed, backend: cfg.backend, variant: numericKey(variant), spec, run: sourceRun, source: splitsFingerprint(source) });
}

/**
 * Everything a greedy stack depends on but its layer sizes (see the module comment).
 * @param inputs the examples pre-training reads (`data.unlabeled ?? data.train`)
 */
export function stackCacheKey(cfg: TrialConfig, variant: NumericVariant, inputs: Dataset): string {
  const { use: _use, layers: _layers, ...pretrain } = cfg.pretrain;
  const units = cfg.model.activation === 'sigmoid' ? {} : { activation: cfg.model.activation };
  return JSON.stringify({ cache: CACHE_VERSION, seed: cfg.seed, backend: cfg.backend, variant: numericKey(variant), inputs: inputsFingerprint(inputs), pretrain, ...units });
}

/**
 * The key of the greedy pre-training of a network written as layers (`model.layers`, pre-trained
 * in place by `pretrainNetwork`): as {@link stackCacheKey}, with the whole model section in place
 * of the layer sizes (the layers below a pre-trained one, normalisation and pooling included,
 * shape its input). `pretrain.layers` is not in it: a network pre-trained on fewer of its layers
 * takes the bottom of the stack.
 */
export function networkCacheKey(cfg: TrialConfig, variant: NumericVariant, inputs: Dataset): string {
  const { use: _use, layers: _layers, ...pretrain } = cfg.pretrain;
  return JSON.stringify({ cache: CACHE_VERSION, kind: 'network-stack', seed: cfg.seed, backend: cfg.backend, variant: numericKey(variant), inputs: inputsFingerprint(inputs), pretrain, model: cfg.model });
}

/**
 * The bottom pre-trained layers of a written network the cache holds for `key` (at most
 * `shapes.length`: the W shapes of the layers wanted, bottom first), with their epochs and
 * seconds; null when it holds none or the file cannot be read.
 */
export function readCachedNetworkStack(backend: Backend, dir: string, key: string, shapes: readonly (readonly [number, number])[]): SavedStack | null {
  return readNetworkStackFile(backend, cachedNetworkPath(dir, key), key, shapes);
}

/** {@link readCachedNetworkStack} of a given file (also a trial's own `network-pretrain.safetensors`). */
export function readNetworkStackFile(backend: Backend, path: string, key: string, shapes: readonly (readonly [number, number])[]): SavedStack | null {
  if (!existsSync(path)) return null;
  try {
    const ck = readCheckpoint(path);
    if (ck.metadata['kind'] !== 'pretrained-network' || ck.metadata['key'] !== key) return null;
    const stored = stackLayerCount(ck);
    const j = Math.min(stored, shapes.length);
    if (j === 0) return null;
    return { layers: readLayersOfShapes(backend, ck, path, shapes.slice(0, j)), ...bottomHistory(ck, j, stored) };
  } catch {
    return null;
  }
}

/** Stores a written network's pre-trained bottom layers for `key`, unless the cache holds as many or more. */
export function writeCachedNetworkStack(dir: string, key: string, layers: readonly DenseParams[], history: readonly EpochMetrics[], seconds: number): void {
  writeNetworkStackFile(cachedNetworkPath(dir, key), key, layers, history, seconds);
}

/** {@link writeCachedNetworkStack} to a given file (atomic). */
export function writeNetworkStackFile(path: string, key: string, layers: readonly DenseParams[], history: readonly EpochMetrics[], seconds: number): void {
  if (existsSync(path)) {
    try {
      const ck = readCheckpoint(path);
      if (ck.metadata['kind'] === 'pretrained-network' && ck.metadata['key'] === key && stackLayerCount(ck) >= layers.length) return;
    } catch {
      /* unreadable: replaced */
    }
  }
  writeCheckpoint(path, stackTensors(layers, 'layer.'), { kind: 'pretrained-network', key, history: JSON.stringify(history), seconds: String(seconds) });
}

function cachedNetworkPath(dir: string, key: string): string {
  return join(dir, `network-${createHash('sha256').update(key).digest('hex')}.safetensors`);
}

/** The file of a source network of `key` in `dir` (`source-<sha256>.safetensors`), and the key. */
export function cachedSourcePath(dir: string, key: string): { path: string; key: string } {
  return { path: join(dir, `source-${createHash('sha256').update(key).digest('hex')}.safetensors`), key };
}

/** The file that holds the stack of `key` in `dir`. */
export function cachedStackPath(dir: string, key: string): string {
  return join(dir, `${createHash('sha256').update(key).digest('hex')}.safetensors`);
}

/** A readable cache file of `key`: its checkpoint and layer sizes; null when absent, unreadable or of another key. */
function readEntry(path: string, key: string): { ck: Checkpoint; sizes: number[] } | null {
  if (!existsSync(path)) return null;
  try {
    const ck = readCheckpoint(path);
    if (ck.metadata['kind'] !== 'pretrained-stack' || ck.metadata['key'] !== key) return null;
    const sizes = JSON.parse(ck.metadata['sizes'] ?? 'null') as unknown;
    if (!Array.isArray(sizes) || sizes.length !== stackLayerCount(ck) || !sizes.every((s) => Number.isInteger(s) && s > 0)) return null;
    return { ck, sizes: sizes as number[] };
  } catch {
    return null;
  }
}

/** The pre-training epochs of a stored stack's bottom `j` of its `stored` layers, and their seconds (the file's total when all are taken). */
function bottomHistory(ck: Checkpoint, j: number, stored: number): { history: EpochMetrics[]; seconds: number } {
  const all = JSON.parse(ck.metadata['history'] ?? '[]') as EpochMetrics[];
  const history = all.filter((m) => m.layer === undefined || m.layer < j);
  return { history, seconds: j === stored ? Number(ck.metadata['seconds'] ?? 0) : history.reduce((s, m) => s + m.seconds, 0) };
}

/** Length of the common bottom prefix of two layer-size lists. */
function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let j = 0;
  while (j < a.length && j < b.length && a[j] === b[j]) j++;
  return j;
}

/**
 * The bottom layers of `sizes` the cache holds for `key` (as many as the cached stack shares
 * with `sizes`, at most all of them), with their pre-training epochs (as recorded when they were
 * trained) and seconds; null when it holds none.
 * @param nIn the inputs' dimension
 */
export function readCachedStack(backend: Backend, dir: string, key: string, sizes: readonly number[], nIn: number): SavedStack | null {
  const path = cachedStackPath(dir, key);
  const entry = readEntry(path, key);
  if (!entry) return null;
  const j = commonPrefix(entry.sizes, sizes);
  if (j === 0) return null;
  let layers: DenseParams[];
  try {
    layers = readStackLayers(backend, entry.ck, path, sizes, nIn, j);
  } catch {
    return null;
  }
  return { layers, ...bottomHistory(entry.ck, j, entry.sizes.length) };
}

/**
 * Stores a finished stack for `key` (atomically), unless the cache already holds one that covers
 * it (the same bottom sizes, at least as many layers) or one at least as long that branches off
 * (other sizes higher up: the longer stack serves more trials).
 * @param layers the encoders, bottom first, before any marginal resampling (`[nIn, sizes[0]]`, ...)
 */
export function writeCachedStack(dir: string, key: string, sizes: readonly number[], layers: readonly DenseParams[], history: readonly EpochMetrics[], seconds: number): void {
  const path = cachedStackPath(dir, key);
  const entry = readEntry(path, key);
  // Kept when it covers this stack, and when it is at least as long (another branch of sizes).
  if (entry && (commonPrefix(entry.sizes, sizes) >= layers.length || entry.sizes.length >= layers.length)) return;
  writeCheckpoint(path, stackTensors(layers, 'layer.'), {
    kind: 'pretrained-stack',
    key,
    sizes: JSON.stringify(sizes.slice(0, layers.length)),
    history: JSON.stringify(history),
    seconds: String(seconds),
  });
}
