/**
 * Greedy layer-wise pre-training from a stream (Erhan et al. 2010, Section 8: InfiniteMNIST,
 * every example seen once, constant learning rate; the paper spends 2.5 million unsupervised
 * updates split over the layers before the supervised ones). Layer l trains on stream positions
 * `[l * perLayer, (l + 1) * perLayer)`: layer 1 on raw examples, layer l on the mean-field codes
 * `s(x W + b)` of the frozen layers below (`s` = `activation`: sigmoid, or an SDAE's tanh / relu),
 * computed per minibatch, so nothing is
 * materialised and memory stays flat however long the stream. Each update is the one the
 * materialised path takes (`LayerLearner.step`, `src/train/layer-learner.ts`): fed the same rows
 * in the same order, `pretrainStream` and `pretrainStack` give identical layers.
 *
 * Not used here: `pretrain.epochs` (each layer sees `examplesPerLayer` examples once) and the
 * `order` random stream (the order is the stream's, or the `order` given); `pretrain.lrDecay`
 * must be 0 (a constant rate, as the paper's online runs).
 *
 * Reporting: per layer, every `blockSize` examples (and after the layer's last, possibly partial,
 * block) `hooks.onEpoch` with `phase: 'pretrain'`, `layer`, `epoch` = the 1-based block number
 * within the layer, values `reconstruction` (mean per example of the criterion measured before
 * each update, as `pretrainStack`'s), `examplesSeen` (the layer's examples so far) and
 * `streamPosition` (stream positions consumed so far, earlier layers included); the context holds
 * the frozen layers and the live encoder. `hooks.onProgress` about every `PROGRESS_EXAMPLES`.
 *
 * Checkpoints (`checkpointPath`): safetensors, rewritten atomically every `checkpointEvery`
 * updates inside a layer and after each layer, holding tensors `layer.<l>.W` / `layer.<l>.b` of
 * the finished layers and `learner.<name>` of the live learner (`LearnerSnapshot`), and metadata:
 * the caller's `metadata` verbatim plus `kind` ('stream-pretrain'), `streamPretrain` (JSON: the
 * key of everything the numbers depend on, the position, the block accumulators, the learner's
 * metadata) and `history` (JSON). The keys `kind`, `streamPretrain` and `history` are reserved.
 * With `resume` the run continues from the file bit-identically: every random stream a learner
 * draws from is restored at its position, with the optimizer's velocity and PCD's chains.
 */
import { existsSync } from 'node:fs';
import type { Backend } from '../tensor/kernels.ts';
import { numericKey } from '../backends/variant.ts';
import type { Matrix } from '../tensor/matrix.ts';
import type { ExampleStream } from '../data/dataset.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import type { Rng } from '../rng/rng.ts';
import { layerStreams } from '../models/stack.ts';
import type { DaeEncoder } from '../models/dae.ts';
import { ConfigError, type PretrainConfig } from './config.ts';
import { DivergenceError } from './divergence.ts';
import type { EpochMetrics, TrainingHooks } from './hooks.ts';
import { checkNoTestExamples } from './held-out-examples.ts';
import { createLayerLearner, type LearnerSnapshot, type LayerLearner } from './layer-learner.ts';
import { PROGRESS_EXAMPLES, validatePretrainSettings } from './pretrain.ts';
import { checkpointTensor, readCheckpoint, StaleStateError, writeCheckpoint, type Tensor } from './checkpoint.ts';
import { stackTensors } from './pretrain-checkpoint.ts';
import { setMatrix } from './model-checkpoint.ts';

/** `metadata.kind` of a streamed pre-training checkpoint. */
export const STREAM_PRETRAIN_KIND = 'stream-pretrain';

export interface StreamPretrainOptions {
  backend: Backend;
  stream: ExampleStream;
  /** Units of the pre-trained layers, bottom first. */
  sizes: readonly number[];
  /** The pretrain section (kind 'sdae' or 'dbn'; `epochs` unused; `lrDecay` must be 0). */
  cfg: PretrainConfig;
  /**
   * The units (`model.activation`): the encoders' non-linearity and the codes passed up; `sigmoid`
   * (default), or `tanh` / `relu` with kind 'sdae' (see `src/train/layer-learner.ts`).
   */
  activation?: DaeEncoder;
  /** The trial's root.fork('pretrain'); layer l uses layerStreams(rng, l). */
  rng: Rng;
  /**
   * Examples each layer trains on (a multiple of cfg.batchSize): layer l consumes stream positions
   * [l * perLayer, (l + 1) * perLayer), layer 1 on raw examples, layer l on mean-field codes of the
   * layers below of those examples (computed per minibatch, nothing materialised).
   */
  examplesPerLayer: number;
  /** Position p -> stream index: `order[p]` when given (Fig. 13's resampled orders), else `start + p`. */
  start: number;
  order?: Int32Array;
  /**
   * Metrics every `blockSize` examples of a layer (a multiple of cfg.batchSize; phase 'pretrain',
   * `layer`, `epoch` = block number, values.reconstruction = mean criterion over the block,
   * values.examplesSeen), and onProgress.
   */
  blockSize: number;
  hooks?: TrainingHooks;
  /**
   * Mid-layer checkpoints: every `checkpointEvery` updates and after each layer, atomically rewrite
   * `checkpointPath` (safetensors: finished layers, the live learner's snapshot, position, history,
   * `metadata` verbatim). With `resume` and an existing file whose metadata.config equals
   * metadata.config, continue from it bit-identically; a file from another config is refused (StaleStateError).
   */
  checkpointPath?: string;
  checkpointEvery?: number;
  resume?: boolean;
  metadata?: Record<string, string>;
  /** As trainOnline: refuses the stream's testIndices unless set. */
  allowTestExamples?: boolean;
}

export interface StreamPretrainResult {
  /** Per layer, bottom first, the encoder W `[nIn, nOut]`, b `[1, nOut]` (caller owns them). */
  layers: DenseParams[];
  /** Every block's metrics, restored ones included, oldest first. */
  history: EpochMetrics[];
  /** Stream positions consumed: sizes.length * examplesPerLayer. */
  examplesUsed: number;
  /** Pre-training time, time before a resume included. */
  seconds: number;
}

/** Where a run stands; saved in the checkpoint (numbers as JSON round-trip exactly). */
interface StreamState {
  /** Finished layers. */
  layersDone: number;
  /** Examples of the live layer done (0 when no learner is live). */
  position: number;
  blockSum: number;
  blockN: number;
  lastFinite: number | null;
  seconds: number;
}

interface Saved {
  layers: DenseParams[];
  history: EpochMetrics[];
  state: StreamState;
  learner: LearnerSnapshot | null;
}

/** Greedy pre-training of `sizes.length` layers from `o.stream`; see the module comment. */
export async function pretrainStream(o: StreamPretrainOptions): Promise<StreamPretrainResult> {
  checkStreamPretrain(o);
  const t0 = performance.now();
  const key = streamKey(o);
  const saved = o.resume && o.checkpointPath && existsSync(o.checkpointPath) ? loadStreamCheckpoint(o, key) : null;
  const layers: DenseParams[] = saved ? saved.layers : [];
  const history: EpochMetrics[] = saved ? saved.history : [];
  const secondsBefore = saved ? saved.state.seconds : 0;
  const seconds = (): number => secondsBefore + (performance.now() - t0) / 1000;
  const save = (state: Omit<StreamState, 'seconds'>, learner: LayerLearner | null): void => {
    if (!o.checkpointPath) return;
    const snap = learner?.snapshot();
    const tensors: Record<string, Tensor> = stackTensors(layers, 'layer.');
    for (const [name, t] of Object.entries(snap?.tensors ?? {})) tensors[`learner.${name}`] = t;
    writeCheckpoint(o.checkpointPath, tensors, {
      ...o.metadata,
      kind: STREAM_PRETRAIN_KIND,
      streamPretrain: JSON.stringify({ key, state: { ...state, seconds: seconds() }, learner: snap?.meta ?? null }),
      history: JSON.stringify(history),
    });
  };
  try {
    for (let l = layers.length; l < o.sizes.length; l++) {
      const resumeHere = saved && saved.learner && saved.state.layersDone === l ? saved : null;
      layers.push(await trainStreamLayer(o, l, layers, history, save, resumeHere));
      save({ layersDone: l + 1, position: 0, blockSum: 0, blockN: 0, lastFinite: null }, null);
    }
  } catch (e) {
    for (const p of layers) {
      p.W.dispose();
      p.b.dispose();
    }
    throw e;
  }
  return { layers, history, examplesUsed: o.sizes.length * o.examplesPerLayer, seconds: seconds() };
}

/** Trains layer `l` on its stream positions (continuing `saved` when given); returns its encoder. */
async function trainStreamLayer(
  o: StreamPretrainOptions,
  l: number,
  below: readonly DenseParams[],
  history: EpochMetrics[],
  save: (state: Omit<StreamState, 'seconds'>, learner: LayerLearner | null) => void,
  saved: Saved | null,
): Promise<DenseParams> {
  const { backend: be, stream, cfg, hooks } = o;
  const B = cfg.batchSize, per = o.examplesPerLayer, dim = stream.dim;
  const nIn = l === 0 ? dim : o.sizes[l - 1]!;
  const activation = o.activation ?? 'sigmoid';
  const learner = createLayerLearner(be, cfg, { layer: l, nIn, nHidden: o.sizes[l]!, streams: layerStreams(o.rng, l), activation }, saved?.learner ?? undefined);
  const raw = be.zeros(B, dim); // [B, dim] stream examples
  const codes = below.map((p) => be.zeros(B, p.W.cols)); // [B, n_i] mean-field codes of layer i
  const scratch = new Float32Array(dim);
  const nBlocks = Math.ceil(per / o.blockSize);
  const progressEvery = Math.max(1, Math.round(PROGRESS_EXAMPLES / B));
  let pos = saved?.state.position ?? 0;
  let blockSum = saved?.state.blockSum ?? 0, blockN = saved?.state.blockN ?? 0, lastFinite = saved?.state.lastFinite ?? null;
  let tBlock = performance.now();
  const fill = (p: number): void => {
    const xd = raw.data;
    if (!o.order && stream.batch) {
      stream.batch(o.start + p, B, xd, null);
      return;
    }
    for (let r = 0; r < B; r++) {
      stream.example(o.order ? o.order[p + r]! : o.start + p + r, scratch);
      xd.set(scratch, r * dim);
    }
  };
  try {
    while (pos < per) {
      fill(l * per + pos);
      let x: Matrix = raw;
      below.forEach((p, i) => {
        be.gemm(false, false, 1, x, p.W, 0, codes[i]!);
        be.biasActivation(activation, codes[i]!, p.b, codes[i]!);
        x = codes[i]!;
      });
      const loss = learner.step(x);
      const block = Math.floor(pos / o.blockSize) + 1;
      if (!Number.isFinite(loss)) {
        throw new DivergenceError('pretrain', block, blockN > 0 ? blockSum / blockN : lastFinite, l,
          `(streamed, after ${pos} examples of the layer; criterion: reconstruction)`);
      }
      blockSum += loss * B;
      blockN += B;
      pos += B;
      if (pos % o.blockSize === 0 || pos === per) {
        const reconstruction = blockSum / blockN;
        const m: EpochMetrics = {
          phase: 'pretrain', layer: l, epoch: block, seconds: (performance.now() - tBlock) / 1000,
          values: { reconstruction, examplesSeen: pos, streamPosition: l * per + pos },
        };
        history.push(m);
        lastFinite = reconstruction;
        blockSum = blockN = 0;
        await hooks?.onEpoch?.(m, { layers: [...below, learner.encoder] });
        tBlock = performance.now();
      }
      if (o.checkpointEvery && learner.updates % o.checkpointEvery === 0 && pos < per) {
        save({ layersDone: l, position: pos, blockSum, blockN, lastFinite }, learner);
      }
      if (hooks?.onProgress && (learner.updates % progressEvery === 0 || pos % o.blockSize === 0 || pos === per)) {
        const done = pos - (block - 1) * o.blockSize;
        hooks.onProgress({ phase: 'pretrain', layer: l, epoch: block, epochs: nBlocks, done, total: Math.min(o.blockSize, per - (block - 1) * o.blockSize) });
      }
    }
  } catch (e) {
    learner.dispose();
    throw e;
  } finally {
    raw.dispose();
    for (const c of codes) c.dispose();
  }
  return learner.finish();
}

/** The ConfigErrors of a bad call, before any work (the schema has checked each key's range). */
function checkStreamPretrain(o: StreamPretrainOptions): void {
  const B = o.cfg.batchSize, L = o.sizes.length;
  const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;
  const bad = (what: string): never => {
    throw new ConfigError(`pretrainStream: ${what}`);
  };
  validatePretrainSettings(o.sizes, o.cfg, o.activation);
  if (L < 1) bad('sizes is empty; give at least one layer to pre-train');
  if (o.cfg.lrDecay !== 0) bad(`pretrain.lrDecay is ${o.cfg.lrDecay}; streamed pre-training has no epochs and uses a constant rate: set it to 0`);
  if (!isInt(o.examplesPerLayer, 1) || o.examplesPerLayer % B !== 0) {
    bad(`examplesPerLayer must be a positive multiple of pretrain.batchSize ${B}, got ${o.examplesPerLayer}`);
  }
  if (!isInt(o.blockSize, 1) || o.blockSize % B !== 0) bad(`blockSize must be a positive multiple of pretrain.batchSize ${B}, got ${o.blockSize}`);
  if (o.checkpointEvery !== undefined && !isInt(o.checkpointEvery, 1)) bad(`checkpointEvery must be an integer >= 1 (updates), got ${o.checkpointEvery}`);
  if (!isInt(o.start, 0)) bad(`start must be an integer >= 0, got ${o.start}`);
  if (!isInt(o.stream.dim, 1)) bad(`the stream ${o.stream.name} has ${o.stream.dim} features; it needs at least one`);
  const total = L * o.examplesPerLayer;
  if (o.order && o.order.length < total) bad(`order has ${o.order.length} indices but ${L} layers of ${o.examplesPerLayer} examples need ${total}`);
  if (!o.order && !Number.isSafeInteger(o.start + total)) bad(`start ${o.start} + ${total} examples is past the largest safe integer`);
  checkNoTestExamples('pretrainStream', { stream: o.stream, start: o.start, order: o.order, total, allowTestExamples: o.allowTestExamples });
}

/** Everything the numbers depend on besides the caller's metadata; a checkpoint resumes only the same. */
function streamKey(o: StreamPretrainOptions): string {
  return JSON.stringify({
    stream: { name: o.stream.name, dim: o.stream.dim },
    sizes: o.sizes,
    cfg: o.cfg,
    ...(o.activation && o.activation !== 'sigmoid' ? { activation: o.activation } : {}), // sigmoid keys as before
    rng: { seed: o.rng.seed, path: o.rng.path },
    examplesPerLayer: o.examplesPerLayer,
    blockSize: o.blockSize,
    start: o.order ? null : o.start,
    order: o.order ? orderFingerprint(o.order.subarray(0, o.sizes.length * o.examplesPerLayer)) : null,
    backend: { name: o.backend.name, dtype: o.backend.dtype, variant: numericKey(o.backend.variant) },
  });
}

/** FNV-1a over the indices: tells two orders apart without storing them. */
function orderFingerprint(order: Int32Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < order.length; i++) {
    const v = order[i]!;
    for (let s = 0; s < 32; s += 8) {
      h ^= (v >>> s) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return `${order.length}:${h.toString(16)}`;
}

/** Reads `o.checkpointPath`, refusing a file of another kind (ConfigError), config or run (StaleStateError). */
function loadStreamCheckpoint(o: StreamPretrainOptions, key: string): Saved {
  const path = o.checkpointPath!;
  const ck = readCheckpoint(path);
  const md = ck.metadata;
  const message = (why: string): string => `cannot resume streamed pre-training from ${path}: ${why}; delete the file to pre-train from scratch, or resume with the config that wrote it`;
  if (md['kind'] !== STREAM_PRETRAIN_KIND) throw new ConfigError(message(`it is not a streamed pre-training checkpoint (kind '${md['kind'] ?? ''}')`));
  if ((md['config'] ?? null) !== (o.metadata?.['config'] ?? null)) throw new StaleStateError(message('it was written by another config (metadata.config differs)'));
  const info = JSON.parse(md['streamPretrain'] ?? '{}') as { key?: string; state?: StreamState; learner?: Record<string, string> | null };
  if (info.key !== key) throw new StaleStateError(message('it was written for other layer sizes, pretrain settings, stream, order, seed or backend'));
  const state = info.state!;
  const layers: DenseParams[] = [];
  try {
    let nIn = o.stream.dim;
    for (let l = 0; l < state.layersDone; l++) {
      const nOut = o.sizes[l]!;
      const p = { W: o.backend.zeros(nIn, nOut), b: o.backend.zeros(1, nOut) };
      layers.push(p);
      setMatrix(p.W, checkpointTensor(ck, `layer.${l}.W`, [nIn, nOut], path));
      setMatrix(p.b, checkpointTensor(ck, `layer.${l}.b`, [1, nOut], path));
      nIn = nOut;
    }
  } catch (e) {
    for (const p of layers) {
      p.W.dispose();
      p.b.dispose();
    }
    throw e;
  }
  let learner: LearnerSnapshot | null = null;
  if (info.learner) {
    const tensors: Record<string, Tensor> = {};
    for (const [name, t] of ck.tensors) if (name.startsWith('learner.')) tensors[name.slice('learner.'.length)] = t;
    learner = { tensors, meta: info.learner };
  }
  return { layers, history: JSON.parse(md['history'] ?? '[]') as EpochMetrics[], state, learner };
}
