/**
 * How much memory a trial needs, estimated from its config before anything is allocated, and the
 * guard that refuses a trial whose estimate exceeds a limit (Issue 12, case 6: `--hidden=2000000`
 * must be refused at once, naming `model.hidden`, not grow until the machine swaps).
 *
 * The estimate is the peak of float32 storage (4 bytes a number) over a trial's phases; every
 * term is a matrix shape times the number of copies alive at once, and names the config keys that
 * drive it. With `d` features, `C` classes, hidden sizes `h_1..h_L`, `n` training examples:
 *
 * - data: every split `[n_split, d]` (x) plus labels, once more when a `trainSize` subset is copied
 *   out of the full set, and once more when binarised;
 * - pre-training of layer l (`nIn = h_{l-1}` or `d`, `nOut = h_l`): `W [nIn, nOut]` (and `V` of an
 *   untied DAE) with its gradient and, when `pretrain.momentum > 0`, its velocity; the input
 *   representation `[n, nIn]` (l > 1) and the output one `[n, nOut]` computed for the next layer;
 *   work matrices for `pretrain.batchSize` rows (inputs, corrupted inputs or Gibbs samples,
 *   hidden and visible activations and their deltas) and the 500-row monitoring chunk; the layers
 *   already trained stay alive;
 * - fine-tuning: every layer's `W [fanIn, fanOut]` and bias with its gradient, the best epoch's
 *   copy (early stopping) and, when `finetune.momentum > 0`, a velocity (Adam: two moments); the pre-trained stack
 *   while the MLP is built from it; activations and deltas for `finetune.batchSize` rows (twice:
 *   the full batch and the last, shorter one) and for the evaluation batch of 500 rows.
 *
 * - a network of layers (`model.layers`, or the `norm` / `dropout` shorthand; sizes from
 *   `layerSizes`): every layer's parameters (conv `[kH kW Cin + 1, F]`) with the copies above, and
 *   per example of a batch each layer's output, gradients, im2col matrix (conv: `oh ow` rows of
 *   `kH kW Cin`) and mask or arg-max; greedy pre-training of its layer j in place: the training
 *   set seen through the layers below, materialised `[n, nIn_j]`, and the DAE's work matrices.
 *
 * - online (`cfg.online`): no training or validation split (the stream is read a minibatch at a time),
 *   the stream's source images, the test set and the online-error rings instead.
 *
 * Measured against the reference backend's ArrayBuffer growth over a real small trial, the
 * estimate is within a factor of 2 of the measured peak (test/train/memory-estimate.test.ts; the
 * measurement also counts garbage not yet collected). It ignores JavaScript objects and the code itself (tens of MB).
 */
import * as os from 'node:os';
import { MNIST_DIM, MNIST_TEST, MNIST_TRAIN, MNIST_VALID } from '../data/mnist.ts';
import { SHAPESET_3X2_DEFAULTS } from '../data/shapeset.ts';
import { ConfigError, hiddenSizes, type TrialConfig } from './config.ts';
import { pretrainedLayerCount } from './validate.ts';
import { imageShape, modelLayerSpecs } from './model-spec.ts';
import { layerSizes, parameterCount, type LayerSize } from '../models/layer-sizes.ts';

/** Bytes of one stored number (float32). */
const BYTES = 4;
/** Rows of an evaluation batch (`evaluate`) and of a propagation / monitoring chunk. */
const EVAL_BATCH = 500;

/** The shape of a trial's data, as far as memory is concerned. */
export interface DataShape {
  /** Training examples actually used (after `data.trainSize`). */
  nTrain: number;
  nValid: number;
  nTest: number;
  /** Training examples held before the subset is drawn (the full training split). */
  nTrainFull: number;
  /** Features per example. */
  dim: number;
  nClasses: number;
  /** Image height and width when the examples are images (conv and pooling layers need them). */
  image?: { height: number; width: number } | undefined;
}

/** One term of an estimate: `copies` matrices of `shape` float32 numbers. */
export interface MemoryTerm {
  /** What it is, e.g. `W of hidden layer 1 in fine-tuning`. */
  what: string;
  /** `[rows, cols]` of one copy. */
  shape: readonly [number, number];
  /** How many copies are alive at once (value, gradient, velocity, ...). */
  copies: number;
  /** The config keys whose values set this term's size, e.g. `['model.hidden', 'data.name']`. */
  keys: readonly string[];
  /** `shape[0] * shape[1] * copies * 4`. */
  bytes: number;
}

/** A trial's estimated peak memory and the terms of the phase where it peaks. */
export interface MemoryEstimate {
  /** Estimated peak bytes. */
  bytes: number;
  /** The phase of the peak: `pre-training layer <l>` or `fine-tuning`. */
  phase: string;
  /** The terms alive at the peak, largest first. */
  terms: MemoryTerm[];
}

function term(what: string, rows: number, cols: number, copies: number, keys: readonly string[]): MemoryTerm {
  return { what, shape: [rows, cols], copies, keys, bytes: rows * cols * copies * BYTES };
}

/**
 * The data shape of a built-in data set (`mnist`, `infinite-mnist`, `shapeset`, `shapeset-3x2`)
 * without loading it, or null for user files (`idx:`, `csv:`), whose shape is known after loading.
 */
export function knownDataShape(cfg: TrialConfig['data']): DataShape | null {
  const sized = (full: readonly [number, number, number], dim: number, nClasses: number, generated: boolean): DataShape => {
    const pick = (size: number | null, avail: number): number => (size === null ? avail : generated ? size : Math.min(size, avail));
    const nTrain = pick(cfg.trainSize, full[0]);
    const side = Math.round(Math.sqrt(dim)); // every built-in data set is of square one-channel images
    return { nTrain, nValid: pick(cfg.validSize, full[1]), nTest: pick(cfg.testSize, full[2]), nTrainFull: generated ? nTrain : full[0], dim, nClasses, image: { height: side, width: side } };
  };
  switch (cfg.name) {
    case 'mnist':
      return sized([MNIST_TRAIN, MNIST_VALID, MNIST_TEST], MNIST_DIM, 10, false);
    case 'infinite-mnist': {
      const s = sized([50000, MNIST_VALID, MNIST_TEST], MNIST_DIM, 10, false);
      const n = cfg.trainSize ?? 50000;
      return { ...s, nTrain: n, nTrainFull: n + MNIST_TRAIN };
    }
    case 'shapeset':
      return sized([50000, 10000, 10000], 100, 2, false);
    case 'shapeset-3x2': {
      const d = SHAPESET_3X2_DEFAULTS.sizes;
      const side = SHAPESET_3X2_DEFAULTS.side;
      const full = [Math.max(d[0], cfg.trainSize ?? 0), Math.max(d[1], cfg.validSize ?? 0), Math.max(d[2], cfg.testSize ?? 0)] as const;
      return sized(full, side * side, 6, false);
    }
    default:
      return null;
  }
}

/** The data terms: every split's x and labels, the full training split when subset, binarised copies. */
function dataTerms(cfg: TrialConfig, s: DataShape): MemoryTerm[] {
  const keys = ['data.name', 'data.trainSize', 'data.validSize', 'data.testSize'];
  const n = s.nTrain + s.nValid + s.nTest;
  const terms = [term('the data set (x and labels of every split)', n, s.dim + 1, 1, keys)];
  if (s.nTrainFull > s.nTrain) terms.push(term('the full training split the data.trainSize subset is drawn from', s.nTrainFull, s.dim + 1, 1, ['data.name']));
  if (cfg.data.binarize !== 'none') terms.push(term('the binarised copy of the data', n, s.dim, 1, ['data.binarize', ...keys]));
  return terms;
}

/**
 * An online trial (`cfg.online`) holds no training set: only minibatches of the stream, so its
 * "training set" is one minibatch (no validation split); the test set is as configured.
 */
function streamedShape(cfg: TrialConfig, s: DataShape): DataShape {
  const batch = Math.max(cfg.finetune.batchSize, cfg.pretrain.batchSize);
  return { ...s, nTrain: batch, nTrainFull: batch, nValid: 0 };
}

/** The data terms of an online trial: the stream's source digits (InfiniteMNIST: all 70,000 MNIST images), the test set, the online-error rings. */
function streamTerms(cfg: TrialConfig, s: DataShape): MemoryTerm[] {
  return [
    term("the stream's source images (MNIST training and test digits)", MNIST_TRAIN + MNIST_VALID + MNIST_TEST, s.dim + 1, 1, ['data.name']),
    term('the test set (x and labels)', s.nTest, s.dim + 1, 1, ['data.testSize']),
    term('the online error rings (a wrong flag and an NLL per example of the selection window)', cfg.online!.selectWindow, 3, 1, ['online.selectWindow']),
  ];
}

/** A layer's name in keys: its hidden size comes from `model.hidden`, its input from the layer below or the data. */
function layerKeys(l: number): string[] {
  return l === 0 ? ['model.hidden', 'data.name'] : ['model.hidden'];
}

/** The terms of pre-training layer `l` (0-based), the layers below it already trained. */
function pretrainTerms(cfg: TrialConfig, s: DataShape, sizes: readonly number[], l: number): MemoryTerm[] {
  const p = cfg.pretrain;
  const nIn = l === 0 ? s.dim : sizes[l - 1]!;
  const nOut = sizes[l]!;
  const B = Math.min(p.batchSize, s.nTrain);
  const copies = 2 + (p.momentum > 0 ? 1 : 0); // value, gradient, velocity
  const why = p.momentum > 0 ? 'value, gradient and velocity' : 'value and gradient';
  const terms: MemoryTerm[] = [];
  for (let k = 0; k < l; k++) terms.push(term(`W of pre-trained layer ${k + 1} (kept)`, k === 0 ? s.dim : sizes[k - 1]!, sizes[k]! + 1, 1, layerKeys(k)));
  terms.push(term(`W of layer ${l + 1} in pre-training (${why})`, nIn, nOut + 1, copies, layerKeys(l)));
  if (p.kind === 'sdae' && !p.tied) terms.push(term(`V of layer ${l + 1} (untied decoder; ${why})`, nOut, nIn + 1, copies, ['pretrain.tied', ...layerKeys(l)]));
  if (l > 0) terms.push(term(`the training set's representation fed to layer ${l + 1}`, s.nTrain, nIn, 1, ['model.hidden', 'data.trainSize']));
  if (l < sizes.length - 1) terms.push(term(`the training set's representation computed by layer ${l + 1}`, s.nTrain, nOut, 1, ['model.hidden', 'data.trainSize']));
  const chains = p.kind === 'dbn' && p.persistent ? 1 : 0;
  terms.push(term(`pre-training work matrices of layer ${l + 1} (visible side)`, B, nIn, 4 + chains, ['pretrain.batchSize', ...layerKeys(l)]));
  terms.push(term(`pre-training work matrices of layer ${l + 1} (hidden side)`, B, nOut, 3 + chains, ['pretrain.batchSize', 'model.hidden']));
  terms.push(term(`reconstruction monitoring chunk of layer ${l + 1}`, Math.min(EVAL_BATCH, s.nTrain), nIn, 2, layerKeys(l)));
  return terms;
}

/** The terms of fine-tuning (the pre-trained stack of `k` layers still alive while the MLP is built). */
function finetuneTerms(cfg: TrialConfig, s: DataShape, sizes: readonly number[], k: number): MemoryTerm[] {
  const f = cfg.finetune;
  const state = f.optimizer === 'sgd' ? (f.momentum > 0 ? 1 : 0) : 2; // SGD's velocity, Adam's two moments
  const copies = 3 + state; // value, gradient, best epoch's copy, optimiser state
  const why = f.optimizer !== 'sgd' ? 'value, gradient, best-epoch copy and Adam\'s two moments' : f.momentum > 0 ? 'value, gradient, best-epoch copy and velocity' : 'value, gradient and best-epoch copy';
  const terms: MemoryTerm[] = [];
  const fans = [s.dim, ...sizes, s.nClasses];
  for (let l = 0; l < fans.length - 1; l++) {
    const name = l < sizes.length ? `W of hidden layer ${l + 1}` : 'W of the output layer';
    terms.push(term(`${name} in fine-tuning (${why})`, fans[l]!, fans[l + 1]! + 1, copies, l < sizes.length ? layerKeys(l) : ['model.hidden']));
  }
  for (let l = 0; l < k; l++) terms.push(term(`W of pre-trained layer ${l + 1} (copied into the MLP)`, fans[l]!, fans[l + 1]! + 1, 1, layerKeys(l)));
  const width = s.dim + 2 * s.nClasses + 3 * sizes.reduce((a, b) => a + b, 0); // x, probs and grad, activations and deltas
  terms.push(term('fine-tuning activations and deltas (full and last batch)', Math.min(f.batchSize, s.nTrain), width, 2, ['finetune.batchSize', 'model.hidden', 'model.depth']));
  const evalWidth = s.dim + 2 * s.nClasses + 2 * sizes.reduce((a, b) => a + b, 0); // x, probs, activations
  terms.push(term('evaluation activations (500-row batches: full and last)', Math.min(EVAL_BATCH, Math.max(s.nTrain, s.nValid, s.nTest)), evalWidth, 2, ['model.hidden', 'model.depth']));
  return terms;
}

/** The rows of every distinct batch size that passes over sets of `ns` examples in batches of `batch` use (full batches and each last, shorter one). */
function batchRows(batch: number, ns: readonly number[]): number {
  const sizes = new Set<number>();
  for (const n of ns) {
    if (n <= 0) continue;
    sizes.add(Math.min(batch, n));
    if (n > batch && n % batch !== 0) sizes.add(n % batch);
  }
  let rows = 0;
  for (const r of sizes) rows += r;
  return rows;
}

/** A layer as the estimate names it: `layer 2 (conv 32 5x5)`. */
function layerName(l: LayerSize, i: number): string {
  const sp = l.spec;
  const what = sp.kind === 'conv' ? `conv ${sp.filters} ${sp.kernelH}x${sp.kernelW}` : sp.kind === 'dense' ? `dense ${sp.units}` : sp.kind;
  return `layer ${i + 1} (${what})`;
}

/** Per-example numbers a layer keeps for a training step: output, pre-activation gradient, im2col matrix, mask or arg-max, input gradient. */
function trainWidth(l: LayerSize): number {
  const k = l.spec.kind;
  return l.nOut + l.nIn + l.cols + (k === 'dense' || k === 'conv' || k === 'dropout' || (k === 'pool' && l.spec.op === 'max') ? l.nOut : 0);
}

/** The terms of fine-tuning a network of layers (`model.layers`, or the `norm` / `dropout` shorthand), as `finetuneTerms` for the plain MLP. */
function networkFinetuneTerms(cfg: TrialConfig, s: DataShape, layers: readonly LayerSize[]): MemoryTerm[] {
  const f = cfg.finetune;
  const state = f.optimizer === 'sgd' ? (f.momentum > 0 ? 1 : 0) : 2;
  const copies = 3 + state;
  const why = f.optimizer !== 'sgd' ? 'value, gradient, best-epoch copy and Adam\'s two moments' : f.momentum > 0 ? 'value, gradient, best-epoch copy and velocity' : 'value, gradient and best-epoch copy';
  const keys = cfg.model.layers !== null ? ['model.layers'] : ['model.hidden', 'model.norm'];
  const terms: MemoryTerm[] = [];
  layers.forEach((l, i) => {
    if (l.weights) terms.push(term(`parameters of ${i === layers.length - 1 ? 'the output layer' : layerName(l, i)} in fine-tuning (${why})`, l.weights[0], l.weights[1], copies, keys));
  });
  const io = s.dim + 2 * s.nClasses;
  const train = io + layers.reduce((a, l) => a + trainWidth(l), 0);
  const evaluation = io + layers.reduce((a, l) => a + l.nOut + l.cols, 0);
  // Layers keep buffers per batch size: the rows of every distinct batch size a pass uses.
  terms.push(term('fine-tuning activations, gradients and im2col matrices (every batch size used)', batchRows(f.batchSize, [s.nTrain]), train, 1, ['finetune.batchSize', ...keys]));
  terms.push(term('evaluation activations and im2col matrices (500-row batches, every size used)', batchRows(EVAL_BATCH, [s.nTrain, s.nValid, s.nTest]), evaluation, 1, keys));
  return terms;
}

/**
 * The terms of greedily pre-training trainable layer `j` (0-based among dense and conv layers) of a
 * written network in place (`pretrainNetwork`): the network, the training set seen through the
 * layers below materialised as `[n, nIn]`, the 500-row propagation chunk, and the layer's DAE (its
 * weights with gradients, untied decoder, and work matrices at `pretrain.batchSize`: for a conv
 * layer, encoder and decoder im2col matrices).
 */
function networkPretrainTerms(cfg: TrialConfig, s: DataShape, layers: readonly LayerSize[], j: number): MemoryTerm[] {
  const p = cfg.pretrain;
  const trainable = layers.slice(0, -1).map((l, i) => ({ l, i })).filter(({ l }) => l.spec.kind === 'dense' || l.spec.kind === 'conv');
  const { l, i } = trainable[j]!;
  const B = Math.min(p.batchSize, s.nTrain);
  const copies = 2 + (p.momentum > 0 ? 1 : 0);
  const keys = ['model.layers'];
  const params = layers.reduce((a, x) => a + (x.weights ? x.weights[0] * x.weights[1] : 0), 0);
  const terms = [term('the network (every layer\'s parameters)', params, 1, 1, keys)];
  terms.push(term(`weights of ${layerName(l, i)} in pre-training (encoder${p.tied ? '' : ' and decoder'}; value and gradient${p.momentum > 0 ? ' and velocity' : ''})`, l.weights![0], l.weights![1], copies * (p.tied ? 1 : 2), keys));
  if (i > 0) terms.push(term(`the training set seen through the layers below ${layerName(l, i)}`, s.nTrain, l.nIn, 1, ['data.trainSize', ...keys]));
  const below = layers.slice(0, i).reduce((a, x) => a + x.nOut + x.cols, 0);
  if (i > 0) terms.push(term(`propagation chunk through the layers below ${layerName(l, i)}`, Math.min(EVAL_BATCH, s.nTrain), s.dim + below, 1, keys));
  terms.push(term(`pre-training work matrices of ${layerName(l, i)} (corrupted input, code, reconstruction, gradients, im2col)`, B, 3 * l.nIn + 2 * l.nOut + 2 * l.cols, 1, ['pretrain.batchSize', ...keys]));
  terms.push(term(`reconstruction monitoring chunk of ${layerName(l, i)}`, Math.min(EVAL_BATCH, s.nTrain), 2 * l.nIn + l.nOut + l.cols, 1, keys));
  return terms;
}

/** A network's layer sizes when it is written as layers (or uses the norm / dropout shorthand) and they fit its input; else null (the plain MLP's terms apply). */
function networkLayers(cfg: TrialConfig, s: DataShape): LayerSize[] | null {
  const specs = modelLayerSpecs(cfg.model);
  if (!specs) return null;
  return layerSizes(specs, { nIn: s.dim, image: imageShape(s) }, s.nClasses);
}

const total = (ts: readonly MemoryTerm[]): number => ts.reduce((a, t) => a + t.bytes, 0);

/**
 * The estimated peak memory of a trial (see the module comment), over pre-training of each layer
 * and fine-tuning, data included.
 * @param cfg a resolved, validated trial config (`validateTrialConfig` has passed)
 * @param data the data's shape: `knownDataShape(cfg.data)`, or the loaded data's
 */
export function estimateTrialMemory(cfg: TrialConfig, shape: DataShape): MemoryEstimate {
  const sizes = hiddenSizes(cfg.model);
  const k = Math.min(pretrainedLayerCount(cfg), sizes.length);
  const data = cfg.online ? streamedShape(cfg, shape) : shape;
  const dataT = cfg.online ? streamTerms(cfg, data) : dataTerms(cfg, data);
  const phases: { phase: string; terms: MemoryTerm[] }[] = [];
  const network = networkLayers(cfg, data);
  if (network && cfg.model.layers !== null) {
    // A written network is pre-trained in place, layer by layer (pretrainNetwork; supervised pre-training is its fine-tuning on the source).
    const trainable = network.slice(0, -1).filter((l) => l.spec.kind === 'dense' || l.spec.kind === 'conv').length;
    if (cfg.pretrain.kind !== 'supervised') for (let j = 0; j < Math.min(pretrainedLayerCount(cfg), trainable); j++) phases.push({ phase: `pre-training layer ${j + 1}`, terms: networkPretrainTerms(cfg, data, network, j) });
  } else {
    for (let l = 0; l < k; l++) phases.push({ phase: `pre-training layer ${l + 1}`, terms: pretrainTerms(cfg, data, sizes, l) });
  }
  phases.push({ phase: 'fine-tuning', terms: network ? networkFinetuneTerms(cfg, data, network) : finetuneTerms(cfg, data, sizes, k) });
  let peak = phases[0]!;
  for (const p of phases) if (total(p.terms) > total(peak.terms)) peak = p;
  const terms = [...dataT, ...peak.terms].sort((a, b) => b.bytes - a.bytes);
  return { bytes: total(terms), phase: peak.phase, terms };
}

/** The environment variable that sets the memory limit, in GB (the same as `--memory-limit=<GB>`). */
export const MEMORY_LIMIT_ENV = 'PRETRAIN_LAB_MEMORY_LIMIT';
/** Default limit: this fraction of physical memory (`os.totalmem()`) for one trial, shared by the workers of a run. */
export const DEFAULT_MEMORY_FRACTION = 0.5;

/** A memory limit and where it comes from (for the error message). */
export interface MemoryLimit {
  bytes: number;
  /** E.g. `50% of physical memory (32 GB)` or `--memory-limit / PRETRAIN_LAB_MEMORY_LIMIT = 8 GB`. */
  source: string;
}

/**
 * The memory limit for one trial: `PRETRAIN_LAB_MEMORY_LIMIT` (GB) when set, else 50% of physical
 * memory; divided by `workers` when that many trials run at once.
 * @throws ConfigError when the variable is not a positive number
 */
export function memoryLimit(workers = 1, env: NodeJS.ProcessEnv = process.env): MemoryLimit {
  const raw = env[MEMORY_LIMIT_ENV];
  const share = workers > 1 ? `, divided among ${workers} workers` : '';
  if (raw !== undefined && raw !== '') {
    const gb = Number(raw);
    if (!(gb > 0) || !Number.isFinite(gb)) throw new ConfigError(`${MEMORY_LIMIT_ENV} (--memory-limit) is '${raw}'; allowed: a positive number of GB, e.g. 16`);
    return { bytes: (gb * 2 ** 30) / workers, source: `--memory-limit / ${MEMORY_LIMIT_ENV} = ${gb} GB${share}` };
  }
  const totalMem = os.totalmem();
  return { bytes: (totalMem * DEFAULT_MEMORY_FRACTION) / workers, source: `${DEFAULT_MEMORY_FRACTION * 100}% of physical memory (${gbText(totalMem)})${share}` };
}

/** Bytes as GB with two significant digits, e.g. `48 GB`, `0.37 GB`. */
export function gbText(bytes: number): string {
  const gb = bytes / 2 ** 30;
  return `${gb >= 10 ? Math.round(gb) : Number(gb.toPrecision(2))} GB`;
}

/** The value of a dotted key of the config, short, for the message. */
function keyValue(cfg: TrialConfig, key: string): string {
  let cur: unknown = cfg;
  for (const part of key.split('.')) cur = (cur as Record<string, unknown> | null)?.[part];
  return `${key} = ${JSON.stringify(cur)}`;
}

/**
 * Refuses a trial whose estimated memory exceeds `limit`, before anything is allocated.
 * @throws ConfigError naming the keys that drive the largest terms, their shapes, the estimate,
 *   the limit and how to raise it (`--memory-limit=<GB>` or `PRETRAIN_LAB_MEMORY_LIMIT`)
 */
export function assertTrialFits(cfg: TrialConfig, data: DataShape, limit: MemoryLimit = memoryLimit(), where = 'this trial'): MemoryEstimate {
  const est = estimateTrialMemory(cfg, data);
  if (est.bytes <= limit.bytes) return est;
  const top = est.terms.slice(0, 3);
  const keys = [...new Set(top.flatMap((t) => t.keys))].filter((k) => k !== 'data.name' || top.length === 1);
  const lines = top.map((t) => `  ${t.what}: [${t.shape.join(', ')}]${t.copies > 1 ? ` x ${t.copies}` : ''} needs ~${gbText(t.bytes)} (${t.keys.slice(0, 2).join(', ')})`);
  throw new ConfigError(
    `${keys.map((k) => keyValue(cfg, k)).join(', ')}: ${where} needs ~${gbText(est.bytes)} of memory (peak in ${est.phase}) but the limit is ${gbText(limit.bytes)} (${limit.source}). Largest parts:\n` +
      `${lines.join('\n')}\n` +
      `Make the model or batches smaller (${keys.includes('model.layers') ? 'e.g. fewer filters in model.layers, a pooling layer sooner, or a smaller data.trainSize' : 'e.g. model.hidden'}), or raise the limit with --memory-limit=<GB> or ${MEMORY_LIMIT_ENV}=<GB> if the machine has the memory.`,
  );
}

/**
 * About the bytes of a trial's kept network (`final.safetensors`): float32 weights and biases of
 * every layer (`[dim -> hidden... -> classes]`, or a written network's conv, dense and norm
 * layers), plus a few KB of metadata; for the plan line's expected disk use.
 */
export function estimateNetworkBytes(cfg: TrialConfig, shape: DataShape): number {
  const network = networkLayers(cfg, shape);
  if (network) return parameterCount(network) * BYTES + 8 * 1024;
  const fans = [shape.dim, ...hiddenSizes(cfg.model), shape.nClasses];
  let params = 0;
  for (let l = 0; l < fans.length - 1; l++) params += (fans[l]! + 1) * fans[l + 1]!;
  return params * BYTES + 8 * 1024;
}
