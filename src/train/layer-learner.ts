/**
 * One layer of greedy pre-training as a learner that is fed minibatches (Erhan et al. 2010,
 * Sections 5.1.1-5.1.2, and Section 8's online setting): create, `step` on each minibatch,
 * `snapshot` to checkpoint, `finish` to keep the encoder. A DAE layer corrupts its input
 * (`src/models/corruption.ts`, stream `noise`) and takes a denoising gradient step
 * (`daeGradients`); an RBM layer takes a CD-k / PCD-k step (`cdGradients`, stream `sampling`,
 * persistent chains kept between steps). Both write their gradients into the layer's one
 * optimiser ({@link pretrainOptimizer}: `Sgd`, momentum through the `sgdUpdate` kernel).
 *
 * The materialised, epoch-based path (`trainDaeLayer` / `trainRbmLayer` in `pretrain.ts`) and the
 * streamed path (`pretrainStream` in `stream-pretrain.ts`) both run every update through
 * {@link LayerLearner.step}, so the two cannot drift: fed the same rows in the same order they
 * give the same numbers.
 *
 * Units (`task.activation`, the network's `model.activation`): a DAE encodes with sigmoid (the
 * paper's), tanh or relu. Layer 0 reconstructs the data with `cfg.loss` and `cfg.decoder`; a
 * layer above a tanh / relu layer reconstructs codes that are not in [0, 1] (tanh: (-1, 1), relu:
 * [0, inf)), for which cross-entropy is unbounded below, so it takes the squared loss with an
 * identity (affine) decoder whatever `cfg.loss` says (Vincent et al. 2010's choice for real-valued
 * inputs; as an RBM above the first has Bernoulli visibles whatever `cfg.visible` says); a layer of
 * a general network says what its input is with `task.input` (`src/train/pretrain-network.ts`,
 * {@link daeLayerOptions}). RBMs are
 * sigmoid only: rectified (noisy-ReLU, Nair & Hinton 2010) RBMs were a stretch goal, not done.
 *
 * Sampled propagation (`propagate: 'sample'`, layers above the first): the learner is given the
 * mean-field codes of the layers below and draws its Bernoulli input `x ~ P(h | codes)` itself,
 * one uniform per entry from the layer's `sampling` stream, before the update's own draws.
 *
 * Random streams (see `layerStreams`): `init` at creation only (W, then an untied V), `noise`
 * (DAE corruption) and `sampling` (sampled propagation, Gibbs chains) at every step; `order` is
 * the caller's.
 */
import type { Activation, Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { assertShape } from '../tensor/shapes.ts';
import { Rng, type RngState } from '../rng/rng.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import type { Param } from '../nn/layer.ts';
import { Sgd } from '../nn/sgd.ts';
import { layerCorruption, type LayerStreams } from '../models/stack.ts';
import { corrupt, createCorruptionWork } from '../models/corruption.ts';
import { createDae, createDaeWork, daeGradients, disposeDae, type DaeEncoder, type DaeOptions, type DaeParams } from '../models/dae.ts';
import { cdGradients, createRbm, createRbmState, disposeRbm, disposeRbmState, type RbmParams } from '../models/rbm.ts';
import type { PretrainConfig } from './config.ts';
import { CheckpointError, type Tensor } from './safetensors.ts';
import { setMatrix } from './model-tensors.ts';

/**
 * A layer's optimiser: `Sgd` over the layer's `params` with the pretrain section's `lr`,
 * `momentum`, `lrDecay`, `l1`, `l2` (penalty `l1 ||W||_1 + l2 ||W||_2^2` on the weights only),
 * momentum taken through the `sgdUpdate` kernel (`fuseMomentum: false`, the numbers
 * pre-training always had).
 */
export function pretrainOptimizer(backend: Backend, params: readonly Param[], cfg: PretrainConfig): Sgd {
  const { lr, momentum, lrDecay, l1, l2 } = cfg;
  return new Sgd(backend, params, { lr, momentum, lrDecay, l1, l2 }, { fuseMomentum: false });
}

/** What a learner is asked to train. */
export interface LayerLearnerTask {
  /** 0-based layer index (layer 0 sees the data; sampled propagation applies above it). */
  layer: number;
  /** Inputs per example (the data's dim for layer 0, the size of the layer below otherwise). */
  nIn: number;
  /** Units of this layer. */
  nHidden: number;
  /** The layer's random streams, `layerStreams(rng, layer)`. */
  streams: LayerStreams;
  /**
   * The encoder non-linearity of this layer and of the layers below (their codes are its input):
   * `sigmoid` (default), or for a DAE `tanh` / `relu` (see the module comment: which loss a layer
   * above a tanh / relu one takes). An RBM refuses anything but sigmoid.
   */
  activation?: DaeEncoder;
  /**
   * What the layer's input is, for the DAE's criterion ({@link daeLayerOptions}): the data, or the
   * codes of units of this kind. Default: the data for layer 0, codes of `activation` above.
   */
  input?: LayerInputUnits;
}

/** A layer's input: the data itself, or codes of units with this non-linearity. */
export type LayerInputUnits = 'data' | Activation;

/**
 * Everything a learner needs to continue bit-identically, as checkpoint material: `tensors`
 * (copies, safe to keep) named `W`, `hiddenBias`, `visibleBias`, `V` (untied DAE), `<param>.velocity`
 * (momentum), `chain.h` `[batchSize, nHidden]` (PCD's persistent hidden states); `meta` (strings):
 * `kind`, `layer`, `nIn`, `nHidden`, `batchSize`, `updates`, `epoch`, `rng.noise`, `rng.sampling`
 * (JSON {@link RngState}), and `activation` when it is not sigmoid (absent: sigmoid).
 */
export interface LearnerSnapshot {
  tensors: Record<string, Tensor>;
  meta: Record<string, string>;
}

/** The model a learner trains, live (for monitoring only: do not update it). */
export type LearnerModel = { kind: 'dae'; params: DaeParams } | { kind: 'rbm'; params: RbmParams };

export interface LayerLearner {
  readonly layer: number;
  readonly nIn: number;
  readonly nHidden: number;
  readonly batchSize: number;
  /** The live encoder `{W [nIn, nHidden], b [1, nHidden]}` (views: copy what you keep). */
  readonly encoder: DenseParams;
  /** The DAE or RBM being trained, live. */
  readonly model: LearnerModel;
  /** Updates taken so far (restored ones included). */
  readonly updates: number;
  /**
   * Sets the learning rate to `lr / (1 + lrDecay t)` after t completed epochs (the materialised
   * path calls it before each epoch; a streamed layer never does: constant rate).
   */
  setEpoch(t: number): void;
  /**
   * One minibatch update on x `[batchSize, nIn]` (the layer's input, already propagated through
   * the frozen layers below; with cfg.propagate 'sample' and layer > 0 the learner draws the
   * Bernoulli sample itself from its `sampling` stream). x is not modified. Returns the criterion
   * per example measured before the update: DAE, the denoising loss (`cfg.loss`, summed over
   * units); RBM, the cross-entropy of the mean-field reconstruction (squared error for Gaussian
   * visibles). Non-finite when training diverged (the caller decides what to throw).
   */
  step(x: Matrix): number;
  /** Everything needed to continue bit-identically: params, optimizer state, persistent chains, rng states. */
  snapshot(): LearnerSnapshot;
  /** Ends training and returns the encoder {W [nIn, nHidden], b [1, nHidden]} (caller owns it); frees the rest. */
  finish(): DenseParams;
  /** Frees everything, the encoder included (after an error). Safe after `finish` (then frees nothing of the encoder). */
  dispose(): void;
}

/**
 * The criterion of a DAE with `encoder` units whose input is `input`: `cfg.loss` and `cfg.decoder`
 * for the data and for sigmoid codes (in [0, 1]); the squared loss with an identity decoder for
 * codes of any other units (tanh, relu, linear: not in [0, 1], see the module comment).
 */
export function daeLayerOptions(cfg: PretrainConfig, encoder: DaeEncoder, input: LayerInputUnits): DaeOptions {
  const units = encoder === 'sigmoid' ? {} : { encoder };
  if (input === 'data' || input === 'sigmoid') return { loss: cfg.loss, decoder: cfg.decoder, ...units };
  return { loss: 'squared', decoder: 'identity', ...units };
}

/**
 * A learner for layer `task.layer` of a `cfg.kind` stack (`sdae`: a DAE with `task.activation`
 * encoders; `dbn`: a sigmoid RBM, Gaussian
 * visibles only for layer 0 with `cfg.visible` 'gaussian'). Initial weights are drawn from
 * `task.streams.init`; with `restore` (a {@link LearnerSnapshot} of a learner of the same layer,
 * shapes and config) they and every other state are taken from it instead, and the learner
 * continues exactly where the snapshotted one stopped.
 * @throws CheckpointError when `restore` is for another kind, layer, shape, batch size or activation
 * @throws RangeError for an RBM with non-sigmoid units, or sampled propagation of non-sigmoid codes
 */
export function createLayerLearner(
  backend: Backend,
  cfg: PretrainConfig,
  task: LayerLearnerTask,
  restore?: LearnerSnapshot,
): LayerLearner {
  const { layer, nIn, nHidden } = task;
  const B = cfg.batchSize;
  const kind = cfg.kind === 'dbn' ? 'rbm' : cfg.kind === 'sdae' ? 'dae' : null;
  if (!kind) throw new RangeError(`createLayerLearner: pretrain.kind '${cfg.kind}' has no layer learner; use 'sdae' or 'dbn'`);
  const activation = task.activation ?? 'sigmoid';
  if (activation !== 'sigmoid' && kind === 'rbm') {
    throw new RangeError(`createLayerLearner: an RBM has sigmoid hidden units, not '${activation}' (rectified RBMs are not offered); use pretrain.kind 'sdae' for a ${activation} network`);
  }
  if (activation !== 'sigmoid' && layer > 0 && cfg.propagate === 'sample') {
    throw new RangeError(`createLayerLearner: pretrain.propagate 'sample' draws Bernoulli inputs from sigmoid codes, but the layers below are ${activation}; use pretrain.propagate 'mean'`);
  }
  if (restore) {
    checkSnapshotHeader(restore, { kind, layer: String(layer), nIn: String(nIn), nHidden: String(nHidden), batchSize: String(B) });
    if ((restore.meta['activation'] ?? 'sigmoid') !== activation) {
      throw new CheckpointError(`cannot restore the layer learner: the snapshot's activation is '${restore.meta['activation'] ?? 'sigmoid'}' but this learner's is '${activation}' (a snapshot of another config)`);
    }
  }
  const noise = restore ? Rng.fromState(rngState(restore, 'rng.noise')) : task.streams.noise;
  const sampling = restore ? Rng.fromState(rngState(restore, 'rng.sampling')) : task.streams.sampling;
  const sample = layer > 0 && cfg.propagate === 'sample';
  const u = sample ? backend.zeros(B, nIn) : null; // [B, nIn] uniforms of the sampled input
  const xs = sample ? backend.zeros(B, nIn) : null; // [B, nIn] the sampled input
  const free: Matrix[] = [...(u ? [u] : []), ...(xs ? [xs] : [])];
  let update: (x: Matrix) => number;
  let model: LearnerModel;
  let params: readonly Param[];
  let disposeModel: (keep: readonly Matrix[]) => void;
  let chainH: Matrix | null = null;
  let setChainUpdates = (_n: number): void => {};

  if (kind === 'dae') {
    const level = layerCorruption(cfg.corruption, layer);
    const p = createDae(backend, nIn, nHidden, cfg.tied, task.streams.init);
    const work = createDaeWork(backend, p, B);
    const cwork = createCorruptionWork(backend, B, nIn);
    const xt = backend.zeros(B, nIn); // [B, nIn] corrupted input
    const opts = daeLayerOptions(cfg, activation, task.input ?? (layer === 0 ? 'data' : activation));
    free.push(xt, cwork.keep, cwork.values, ...Object.values(work));
    model = { kind: 'dae', params: p };
    params = p.params;
    disposeModel = (keep) => disposeDae(p, keep);
    update = (x) => {
      corrupt(backend, cfg.noise, level, x, xt, noise, cwork);
      return daeGradients(backend, p, xt, x, work, opts, optimizer);
    };
  } else {
    // Only the bottom RBM sees the data; the ones above model sigmoid outputs in [0, 1].
    const visible = layer === 0 ? cfg.visible : 'bernoulli';
    const p = createRbm(backend, nIn, nHidden, task.streams.init, visible);
    const state = createRbmState(backend, p, B);
    const chain = { k: cfg.cdK, persistent: cfg.persistent };
    if (cfg.persistent) chainH = state.hChain;
    setChainUpdates = (n) => void (state.updates = n);
    model = { kind: 'rbm', params: p };
    params = p.params;
    disposeModel = (keep) => {
      disposeRbm(p, keep);
      disposeRbmState(state);
    };
    update = (x) => cdGradients(backend, p, state, x, sampling, chain, optimizer) / B;
  }
  const optimizer = pretrainOptimizer(backend, params, cfg);
  const encoder: DenseParams = { W: model.params.W, b: model.params.hiddenBias };
  let updates = 0, epoch = 0, finished = false, disposed = false;

  if (restore) {
    try {
      for (const q of params) setMatrix(q.value, snapshotTensor(restore, q.name, q.value));
      for (const v of optimizer.state()) setMatrix(v.value, snapshotTensor(restore, v.name, v.value));
      if (chainH) setMatrix(chainH, snapshotTensor(restore, 'chain.h', chainH));
      updates = Number(restore.meta['updates']);
      epoch = Number(restore.meta['epoch'] ?? 0);
      setChainUpdates(updates);
      optimizer.setEpoch(epoch);
    } catch (e) {
      releaseAll([]);
      throw e;
    }
  }

  function releaseAll(keep: readonly Matrix[]): void {
    if (disposed) return;
    disposed = true;
    disposeModel(keep);
    optimizer.dispose();
    for (const m of free) m.dispose();
  }

  const copy = (m: Matrix): Tensor => ({ shape: m.shape, data: m.data.slice() });
  return {
    layer,
    nIn,
    nHidden,
    batchSize: B,
    encoder,
    model,
    get updates() {
      return updates;
    },
    setEpoch(t) {
      epoch = t;
      optimizer.setEpoch(t);
    },
    step(x) {
      assertShape('LayerLearner.step', 'x', x, B, nIn);
      let input = x;
      if (u && xs) {
        sampling.fillUniform(u.data);
        backend.bernoulli(x, u, xs);
        input = xs;
      }
      const loss = update(input);
      updates++;
      return loss;
    },
    snapshot() {
      const tensors: Record<string, Tensor> = {};
      for (const q of params) tensors[q.name] = copy(q.value);
      for (const v of optimizer.state()) tensors[v.name] = copy(v.value);
      if (chainH) tensors['chain.h'] = copy(chainH);
      const meta: Record<string, string> = {
        kind,
        layer: String(layer),
        nIn: String(nIn),
        nHidden: String(nHidden),
        batchSize: String(B),
        updates: String(updates),
        epoch: String(epoch),
        'rng.noise': JSON.stringify(noise.getState()),
        'rng.sampling': JSON.stringify(sampling.getState()),
      };
      if (activation !== 'sigmoid') meta['activation'] = activation;
      return { tensors, meta };
    },
    finish() {
      if (finished || disposed) throw new Error('LayerLearner.finish: the learner was already finished or disposed');
      finished = true;
      releaseAll([encoder.W, encoder.b]);
      return encoder;
    },
    dispose() {
      releaseAll(finished ? [encoder.W, encoder.b] : []);
    },
  };
}

function checkSnapshotHeader(s: LearnerSnapshot, want: Record<string, string>): void {
  for (const [k, v] of Object.entries(want)) {
    if (s.meta[k] !== v) {
      throw new CheckpointError(`cannot restore the layer learner: the snapshot's ${k} is '${s.meta[k] ?? ''}' but this learner's is '${v}' (a snapshot of another layer or config)`);
    }
  }
  if (!Number.isInteger(Number(s.meta['updates']))) throw new CheckpointError(`cannot restore the layer learner: the snapshot has no update count`);
}

function rngState(s: LearnerSnapshot, key: string): RngState {
  const raw = s.meta[key];
  if (raw === undefined) throw new CheckpointError(`cannot restore the layer learner: the snapshot has no '${key}' stream state`);
  return JSON.parse(raw) as RngState;
}

function snapshotTensor(s: LearnerSnapshot, name: string, like: Matrix): ArrayLike<number> {
  const t = s.tensors[name];
  if (!t) throw new CheckpointError(`cannot restore the layer learner: the snapshot has no tensor '${name}' (it holds: ${Object.keys(s.tensors).join(', ')})`);
  if (t.shape.length !== 2 || t.shape[0] !== like.rows || t.shape[1] !== like.cols) {
    throw new CheckpointError(`cannot restore the layer learner: tensor '${name}' has shape [${t.shape.join(', ')}], expected [${like.rows}, ${like.cols}]`);
  }
  return t.data;
}
