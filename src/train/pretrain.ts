/**
 * Greedy layer-wise unsupervised pre-training (Erhan et al. 2010, Sections 5.1.1 and 5.1.2):
 * a stack of denoising auto-encoders (`sdae`) or of RBMs (`dbn`), one layer at a time
 * (`src/models/stack.ts`), each layer trained by minibatch SGD for `cfg.epochs` epochs.
 * The units are the network's (`model.activation`, passed as `stackOptions.activation`): a DBN's
 * are sigmoid; an SDAE's encoders are sigmoid, tanh or relu, and the codes passed up are theirs
 * (a DAE above a tanh / relu layer reconstructs with the squared loss and an identity decoder,
 * see `src/train/layer-learner.ts`).
 *
 * Per layer: a layer learner (`src/train/layer-learner.ts`, shared with streamed pre-training,
 * `stream-pretrain.ts`) takes each minibatch update: the model (`src/models/rbm.ts`, `dae.ts`)
 * computes gradients and the one optimiser (`Sgd`, `src/nn/sgd.ts`) updates them: learning rate `lr / (1 + lrDecay t)` after t epochs,
 * momentum, and the penalty `l1 ||W||_1 + l2 ||W||_2^2` on the weights (the fine-tuning
 * convention; the bias vectors are never penalized). Without momentum the update is fused into
 * the gradient kernels; with momentum the gradient is written to the param's `grad` buffer and the
 * `sgdUpdate` kernel applies it (`fuseMomentum: false`, the numbers pre-training always had).
 *
 * Examples are visited in a fresh random order each epoch ('order' stream); an epoch has
 * ceil(n / batchSize) minibatches, the last one completed by wrapping round to the start of the
 * permutation, so every batch has exactly `batchSize` rows and work matrices are allocated once
 * per layer. Metrics (`hooks.onEpoch`, phase 'pretrain'):
 * - `reconstruction`: mean per example over the epoch of the criterion measured on each
 *   minibatch before its update. SDAE: the denoising loss (`cfg.loss`, summed over units; the
 *   squared loss above a tanh / relu layer);
 *   DBN: cross-entropy of the mean-field reconstruction v -> E[h|v] -> E[v|h].
 * - `pseudoLikelihood` (DBN): stochastic log pseudo-likelihood per example on the layer's first
 *   min(n, 1000) inputs after the epoch (stream 'sampling' forked by epoch, so monitoring never
 *   changes the training numbers).
 * The epoch context (`onEpoch`'s second argument) holds `layers`: the frozen encoders below and
 * the live encoder of the layer being trained (copy what you keep).
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { gatherBatch, type Dataset } from '../data/dataset.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import type { Rng } from '../rng/rng.ts';
import { ConfigError, type PretrainConfig } from './config.ts';
import type { TrainingHooks } from './hooks.ts';
import { DivergenceError } from './divergence.ts';
import { greedyStack, layerCorruption, type GreedyStackOptions, type LayerTask } from '../models/stack.ts';
import { createPseudoLikelihoodWork, pseudoLikelihood } from '../models/rbm.ts';
import { createLayerLearner, type LayerLearner } from './layer-learner.ts';
import type { DaeEncoder } from '../models/dae.ts';


/** Examples on which the DBN's pseudo-likelihood is estimated after each epoch. */
export const PSEUDO_LIKELIHOOD_EXAMPLES = 1000;
const PL_CHUNK = 250;
/** `hooks.onProgress` is called about every this many examples (and at the end of each epoch). */
export const PROGRESS_EXAMPLES = 500;

/**
 * Greedy layer-wise pre-training of `sizes.length` hidden layers (the caller passes only the
 * bottom k sizes when only k layers are pre-trained) on `train.x` (`[n, dim]`, values in [0, 1]
 * for cross-entropy and RBMs).
 *
 * @returns per layer, bottom first, the encoder W `[nIn, nOut]`, b `[1, nOut]` owned by
 *   `backend`: the layer's W and hiddenBias (the DAE's `h = s(x W + hiddenBias)`, the
 *   RBM's `P(h=1|v) = sigmoid(v W + hiddenBias)`); the visible bias and an untied V are dropped.
 * @throws ConfigError for invalid hyperparameters or data, before any training
 * @throws DivergenceError when the criterion becomes NaN/inf (layer, epoch, last finite value)
 *
 * Random streams: layer l uses `rng.fork('layer<l>', 'init' | 'order' | 'noise' | 'sampling')`.
 * `stackOptions` gives the units (`activation`, default sigmoid), resumes from layers already
 * trained and reports each finished layer (see `greedyStack`).
 */
export async function pretrainStack(
  backend: Backend,
  train: Dataset,
  sizes: number[],
  cfg: PretrainConfig,
  rng: Rng,
  hooks?: TrainingHooks,
  stackOptions: GreedyStackOptions = {},
): Promise<DenseParams[]> {
  validatePretrain(train, sizes, cfg, stackOptions.activation);
  return greedyStack(backend, train, sizes, rng, (task) =>
    cfg.kind === 'sdae' ? trainDaeLayer(backend, task, cfg, hooks) : trainRbmLayer(backend, task, cfg, hooks),
  stackOptions);
}

/**
 * The checks the config schema (`src/train/config.ts`, which has already checked every key's
 * type and range) cannot make: those across keys, against the layer sizes and against the data.
 * Throws a ConfigError naming the parameter, the value and what is allowed.
 */
export function validatePretrain(train: Dataset, sizes: readonly number[], cfg: PretrainConfig, activation: DaeEncoder = 'sigmoid'): void {
  validatePretrainSettings(sizes, cfg, activation);
  if (!(train.n >= 1 && train.dim >= 1)) {
    throw new ConfigError(`${train.name}: pre-training needs at least one example of at least one feature (n = ${train.n}, dim = ${train.dim})`);
  }
  if (train.x.length !== train.n * train.dim) {
    throw new ConfigError(`${train.name}: data dim mismatch: ${train.x.length} values are not ${train.n} examples of dim ${train.dim}`);
  }
  const needUnit = cfg.kind === 'dbn' ? cfg.visible === 'bernoulli' : cfg.loss === 'cross-entropy';
  for (let i = 0; i < train.x.length; i++) {
    const v = train.x[i]!;
    if (!Number.isFinite(v)) throw new ConfigError(`${train.name}: feature value ${v} at index ${i} is not finite; clean the data before pre-training`);
    if (needUnit && (v < 0 || v > 1)) {
      throw new ConfigError(
        `${train.name}: feature value ${v} at index ${i} is outside [0, 1], but ` +
          (cfg.kind === 'dbn' ? 'Bernoulli RBM visibles' : "the DAE's cross-entropy loss") +
          ' need values in [0, 1]; scale the data' + (cfg.kind === 'sdae' ? " or use pretrain.loss 'squared'" : ''),
      );
    }
  }
}

/**
 * The checks of {@link validatePretrain} that do not look at data (across keys, against the
 * layer sizes and the units `activation`, the network's `model.activation`); streamed
 * pre-training (`pretrainStream`) makes them too. Throws a ConfigError.
 */
export function validatePretrainSettings(sizes: readonly number[], cfg: PretrainConfig, activation: DaeEncoder = 'sigmoid'): void {
  const bad = (key: string, v: unknown, allowed: string): never => {
    throw new ConfigError(`pretrain.${key} is ${JSON.stringify(v)}; it must be ${allowed}`);
  };
  if (cfg.kind === 'none') bad('kind', cfg.kind, "'sdae' or 'dbn' to pre-train (use 'none' only to skip pretrainStack)");
  if (Array.isArray(cfg.corruption) && cfg.corruption.length < sizes.length) {
    bad('corruption', cfg.corruption, `a list of at least ${sizes.length} levels (one per pre-trained layer)`);
  }
  if (cfg.kind === 'sdae' && cfg.decoder === 'identity' && cfg.loss === 'cross-entropy') {
    bad('decoder', cfg.decoder, "'sigmoid' with pretrain.loss 'cross-entropy' (an identity decoder needs pretrain.loss 'squared')");
  }
  if (activation !== 'sigmoid' && cfg.kind === 'dbn') {
    throw new ConfigError(
      `model.activation is '${activation}' but pretrain.kind 'dbn' learns sigmoid units (rectified, noisy-ReLU RBMs are not offered); ` +
        `use model.activation 'sigmoid' with a DBN, or pretrain.kind 'sdae' for a ${activation} network`,
    );
  }
  if (activation !== 'sigmoid' && cfg.propagate === 'sample' && sizes.length > 1) {
    bad('propagate', cfg.propagate, `'mean' with model.activation '${activation}' (Bernoulli samples need sigmoid codes in [0, 1])`);
  }
  sizes.forEach((s, l) => {
    if (!(Number.isInteger(s) && s >= 1)) throw new ConfigError(`hidden layer ${l + 1} has size ${s}; every pre-trained layer size must be an integer >= 1`);
  });
}

/**
 * What the epoch loop needs of a learner: a {@link LayerLearner}, or the convolutional DAE's
 * (`src/train/conv-layer-learner.ts`).
 */
export type EpochLearner = Pick<LayerLearner, 'encoder' | 'setEpoch' | 'step' | 'finish' | 'dispose'>;

/** What the epoch loop needs of a layer's task (a {@link LayerTask} has it). */
export type EpochTask = Pick<LayerTask, 'layer' | 'input' | 'streams' | 'below'>;

/** The shared epoch loop of one layer: order, minibatches, divergence, hooks; each update is `learner.step`. */
async function runEpochs(
  backend: Backend,
  task: EpochTask,
  cfg: PretrainConfig,
  hooks: TrainingHooks | undefined,
  learner: EpochLearner,
  afterEpoch: (epoch: number) => Record<string, number>,
): Promise<void> {
  const { input, layer, streams } = task;
  const n = input.n, B = cfg.batchSize, nBatches = Math.ceil(n / B);
  const x = backend.zeros(B, input.dim); // [B, nIn]
  const idx = new Int32Array(B);
  const progressEvery = Math.max(1, Math.round(PROGRESS_EXAMPLES / B));
  let lastFinite: number | null = null;
  try {
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      const t0 = performance.now();
      learner.setEpoch(epoch - 1);
      const perm = streams.order.permutation(n);
      let total = 0;
      for (let bi = 0; bi < nBatches; bi++) {
        for (let i = 0; i < B; i++) idx[i] = perm[(bi * B + i) % n]!;
        gatherBatch(input, idx, x, null);
        const loss = learner.step(x);
        if (!Number.isFinite(loss)) {
          throw new DivergenceError('pretrain', epoch, bi > 0 ? total / (bi * B) : lastFinite, layer,
            `(minibatch ${bi + 1} of ${nBatches}; criterion: reconstruction)`);
        }
        total += loss * B;
        if ((bi + 1) % progressEvery === 0 || bi + 1 === nBatches) {
          hooks?.onProgress?.({ phase: 'pretrain', layer, epoch, epochs: cfg.epochs, done: Math.min(n, (bi + 1) * B), total: n });
        }
      }
      const reconstruction = total / (nBatches * B);
      lastFinite = reconstruction;
      const values = { reconstruction, ...afterEpoch(epoch) };
      const metrics = { phase: 'pretrain' as const, layer, epoch, seconds: (performance.now() - t0) / 1000, values };
      await hooks?.onEpoch?.(metrics, { layers: [...task.below, learner.encoder] });
    }
  } finally {
    x.dispose();
  }
}

/**
 * Trains `learner` for `cfg.epochs` epochs on `task.input` (a fresh order per epoch from
 * `task.streams.order`, minibatches of `cfg.batchSize`, the last one wrapped round; metrics as in
 * the module comment, plus `afterEpoch`'s) and returns its encoder (frees it all on error).
 */
export async function trainLayer(
  backend: Backend,
  task: EpochTask,
  cfg: PretrainConfig,
  hooks: TrainingHooks | undefined,
  learner: EpochLearner,
  afterEpoch: (epoch: number) => Record<string, number>,
): Promise<DenseParams> {
  try {
    await runEpochs(backend, task, cfg, hooks, learner, afterEpoch);
  } catch (e) {
    learner.dispose();
    throw e;
  }
  return learner.finish();
}

/** The learner of `task`'s layer (see `createLayerLearner`). */
function learnerOf(backend: Backend, task: LayerTask, cfg: PretrainConfig): LayerLearner {
  return createLayerLearner(backend, cfg, { layer: task.layer, nIn: task.input.dim, nHidden: task.nHidden, streams: task.streams, activation: task.activation });
}

/** Trains one denoising auto-encoder on `task.input`; returns its encoder `{W, b: hiddenBias}`. */
export async function trainDaeLayer(backend: Backend, task: LayerTask, cfg: PretrainConfig, hooks?: TrainingHooks): Promise<DenseParams> {
  const level = layerCorruption(cfg.corruption, task.layer);
  return trainLayer(backend, task, cfg, hooks, learnerOf(backend, task, cfg), () => ({ corruption: level }));
}

/** Trains one RBM by CD-k / PCD-k on `task.input`; returns its hidden side `{W, b: hiddenBias}`. */
export async function trainRbmLayer(backend: Backend, task: LayerTask, cfg: PretrainConfig, hooks?: TrainingHooks): Promise<DenseParams> {
  const learner = learnerOf(backend, task, cfg);
  if (learner.model.kind !== 'rbm') throw new RangeError(`trainRbmLayer: pretrain.kind is '${cfg.kind}', not 'dbn'`);
  const p = learner.model.params, nIn = task.input.dim;
  const nMon = Math.min(task.input.n, PSEUDO_LIKELIHOOD_EXAMPLES), chunk = Math.min(PL_CHUNK, nMon);
  const mon = backend.zeros(chunk, nIn);
  const monTail = nMon % chunk ? backend.zeros(nMon % chunk, nIn) : null;
  const plWork = createPseudoLikelihoodWork(backend, p, chunk);
  const plTail = monTail ? createPseudoLikelihoodWork(backend, p, monTail.rows) : null;
  const monitor = (epoch: number): Record<string, number> => {
    if (p.visible === 'gaussian') return {}; // pseudo-likelihood flips bits: defined for binary visibles only
    const r = task.streams.sampling.fork('pseudo-likelihood', epoch);
    let s = 0;
    for (let start = 0; start < nMon; start += chunk) {
      const m = Math.min(chunk, nMon - start);
      const v = m === chunk ? mon : monTail!;
      v.data.set(task.input.x.subarray(start * nIn, (start + m) * nIn));
      s += pseudoLikelihood(backend, p, v, r, m === chunk ? plWork : plTail!) * m;
    }
    return { pseudoLikelihood: s / nMon };
  };
  try {
    return await trainLayer(backend, task, cfg, hooks, learner, monitor);
  } finally {
    disposeAll(mon, monTail);
    for (const w of [plWork, plTail]) if (w) disposeAll(w.flipped, ...Object.values(w.fe));
  }
}

function disposeAll(...ms: (Matrix | null | undefined)[]): void {
  for (const m of ms) m?.dispose();
}
