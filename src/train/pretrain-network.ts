/**
 * Greedy layer-wise pre-training of a general network (Erhan et al. 2010, Section 5.1.2's
 * stacked DAEs, carried over to the layer lists of `model.layers`: conv, pooling, normalisation,
 * dropout and activation layers among the dense ones). For each of the bottom k trainable layers
 * (Dense or Conv2d) of `network.body`, in order:
 *
 * 1. its input: the data seen through the body layers below it, forward in evaluation mode
 *    (dropout off, batch norm on its running statistics), batch by batch, materialised as
 *    `[n, nIn]` (the layers below include those already pre-trained, with their new weights);
 * 2. a DAE is trained on it for `cfg.epochs` epochs by the same epoch loop and learners as the
 *    MLP's stack (`src/train/pretrain.ts`): a dense layer, the dense DAE (`cfg.tied`, tied by
 *    default) through `createLayerLearner`; a conv layer, the convolutional DAE
 *    (`src/models/conv-dae.ts`) through `createConvLayerLearner`; the encoder's non-linearity is
 *    the layer's own (a linear layer, as in `conv 32 5x5 linear, bn, relu`, gets a linear encoder);
 * 3. the encoder's W and b are copied into the layer.
 *
 * The criterion (`daeLayerOptions`) depends on what the layer's input is: the data (any layers
 * below it have no parameters, e.g. a pooling layer) or sigmoid codes take `cfg.loss` and
 * `cfg.decoder`; codes of other units (tanh, relu, linear, or a normalisation layer's output)
 * take the squared loss with an identity decoder. Walking down from the layer, the units are those
 * of the nearest dense, conv or activation layer; a parameter-free layer (pooling, dropout)
 * keeps them; a normalisation layer makes them unbounded (linear).
 *
 * Layers above the k-th trainable one are not touched, and no random stream of the network is
 * drawn from. Random streams: pre-trained layer j uses `layerStreams(rng, j)` (`init`, `order`,
 * `noise`), as layer j of the MLP's stack. Metrics: `hooks.onEpoch` with phase 'pretrain',
 * `layer` j, values `reconstruction` and `corruption`; the context's `layers` are the pre-trained
 * encoders so far (live, in the network) and the live one being trained.
 *
 * Only the SDAE is offered: `pretrain.kind 'dbn'` is refused (RBMs for conv nets are not offered),
 * as is `pretrain.propagate 'sample'` (codes are the network's forward pass). A conv layer must be
 * invertible by the conv DAE's decoder (stride 1, square kernel, pad <= k - 1: `convDaeProblem`).
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Dataset } from '../data/dataset.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import { Dense } from '../nn/dense.ts';
import { Conv2d } from '../nn/conv2d.ts';
import type { Layer } from '../nn/layer.ts';
import { ActivationLayer } from '../nn/activation-layer.ts';
import type { Rng } from '../rng/rng.ts';
import type { Mlp } from '../models/mlp.ts';
import { layerCorruption, layerStreams } from '../models/stack.ts';
import { convDaeProblem } from '../models/conv-dae.ts';
import { ConfigError, type PretrainConfig } from './config.ts';
import type { TrainingHooks } from './hooks.ts';
import { createLayerLearner, type LayerInputUnits } from './layer-learner.ts';
import { createConvLayerLearner } from './conv-layer-learner.ts';
import { trainLayer, validatePretrain, type EpochLearner } from './pretrain.ts';

/** Rows per forward pass when materialising a layer's input (small: conv layers cache `[rows * oh * ow, kh kw C]` columns). */
export const NETWORK_PROPAGATE_CHUNK = 100;

/** A trainable layer of a network's body, with its index in the body. */
export type TrainableLayer = { kind: 'dense'; index: number; layer: Dense } | { kind: 'conv'; index: number; layer: Conv2d };

/** The Dense and Conv2d layers of `network.body`, bottom first, with their body index. */
export function trainableLayers(network: Mlp): TrainableLayer[] {
  const out: TrainableLayer[] = [];
  network.body.forEach((layer, index) => {
    if (layer instanceof Dense) out.push({ kind: 'dense', index, layer });
    else if (layer instanceof Conv2d) out.push({ kind: 'conv', index, layer });
  });
  return out;
}

/**
 * What flows into body layer `index`: `'data'` when every layer below has no parameters (or there
 * is none), else the units of the nearest dense / conv / activation layer below (a parameter-free
 * layer in between keeps them, a normalisation layer makes them `identity`).
 */
export function inputUnits(body: readonly Layer[], trainable: readonly TrainableLayer[], index: number): LayerInputUnits {
  for (let i = index - 1; i >= 0; i--) {
    const layer = body[i]!;
    const t = trainable.find((x) => x.index === i);
    if (t) return t.layer.activation;
    if (layer instanceof ActivationLayer) return layer.activation;
    if (layer.params().length > 0) return 'identity'; // a normalisation layer: unbounded codes
  }
  return 'data';
}

/**
 * `ds` seen through `layers` (forward in evaluation mode), in chunks of `chunk` rows (the last one
 * completed by wrapping round to the first rows, so every layer sees one batch size); labels kept.
 * Returns `ds` itself when `layers` is empty.
 */
export function propagateThrough(backend: Backend, layers: readonly Layer[], ds: Dataset, name: string, chunk = NETWORK_PROPAGATE_CHUNK): Dataset {
  if (layers.length === 0) return ds;
  const n = ds.n, dim = ds.dim, nOut = layers.at(-1)!.nOut;
  const rows = Math.max(1, Math.min(chunk, n));
  const out = new Float32Array(n * nOut);
  const x = backend.zeros(rows, dim);
  try {
    for (let s = 0; s < n; s += rows) {
      const m = Math.min(rows, n - s);
      x.data.set(ds.x.subarray(s * dim, (s + m) * dim));
      for (let r = m; r < rows; r++) x.data.set(ds.x.subarray(((s + r) % n) * dim, ((s + r) % n + 1) * dim), r * dim);
      let h = x;
      for (const layer of layers) h = layer.forward(h, false);
      out.set(h.data.subarray(0, m * nOut), s * nOut);
    }
  } finally {
    x.dispose();
  }
  return { name, n, dim: nOut, nClasses: ds.nClasses, x: out, y: ds.y };
}

/** Resuming {@link pretrainNetwork}: layers already pre-trained, and a callback after each newly trained one. */
export interface NetworkPretrainOptions {
  /**
   * The bottom `done` trainable layers already hold their pre-trained W and b (loaded from a
   * checkpoint or the study's cache): they are not trained again. The inputs of the layers above
   * are computed through them in the same chunks as in an uninterrupted run, and every layer has
   * its own streams, so the layers trained after them are bit-identical to an uninterrupted run's.
   */
  done?: number;
  /** Called after each newly trained layer with the pre-trained layers so far, bottom first (live W and b). */
  onLayer?: (layers: readonly DenseParams[]) => void | Promise<void>;
}

/**
 * Greedy pre-training of the bottom `k` trainable layers of `network` on `data` (module comment);
 * updates those layers' W and b in place.
 * @throws ConfigError before any training: `cfg.kind` not 'sdae', `propagate` 'sample', k larger
 *   than the trainable layers, a conv layer the conv DAE cannot invert, or data the criterion
 *   cannot take (see `validatePretrain`)
 */
export async function pretrainNetwork(network: Mlp, data: Dataset, cfg: PretrainConfig, rng: Rng, k: number, hooks?: TrainingHooks, opts: NetworkPretrainOptions = {}): Promise<void> {
  const backend = network.backend;
  const trainable = trainableLayers(network);
  checkNetworkPretrain(network, trainable, data, cfg, k);
  const resumed = Math.min(opts.done ?? 0, k);
  const done: DenseParams[] = trainable.slice(0, resumed).map((t) => ({ W: t.layer.W, b: t.layer.b }));
  let input = data, from = 0;
  for (let j = resumed; j < k; j++) {
    const t = trainable[j]!;
    const below = network.body.slice(from, t.index);
    input = propagateThrough(backend, below, input, `${data.name}/l${j}`);
    const streams = layerStreams(rng, j);
    const units = inputUnits(network.body, trainable, t.index);
    const learner: EpochLearner =
      t.kind === 'dense'
        ? createLayerLearner(backend, cfg, { layer: j, nIn: t.layer.nIn, nHidden: t.layer.nOut, streams, activation: t.layer.activation, input: units })
        : createConvLayerLearner(backend, cfg, { layer: j, input: t.layer.input, filters: t.layer.W.cols, window: t.layer.window, activation: t.layer.activation, inputUnits: units, streams });
    const level = layerCorruption(cfg.corruption, j);
    const enc = await trainLayer(backend, { layer: j, input, streams, below: done }, cfg, hooks, learner, () => ({ corruption: level }));
    backend.copy(enc.W, t.layer.W);
    backend.copy(enc.b, t.layer.b);
    enc.W.dispose();
    enc.b.dispose();
    done.push({ W: t.layer.W, b: t.layer.b });
    from = t.index;
    await opts.onLayer?.(done);
  }
}

/** The ConfigErrors of {@link pretrainNetwork}, before any work. */
function checkNetworkPretrain(network: Mlp, trainable: readonly TrainableLayer[], data: Dataset, cfg: PretrainConfig, k: number): void {
  if (cfg.kind !== 'sdae') {
    throw new ConfigError(`pretrain.kind is '${cfg.kind}' but a network given by model.layers is pre-trained with denoising auto-encoders only (RBMs for conv nets are not offered); use pretrain.kind 'sdae'`);
  }
  if (cfg.propagate !== 'mean') {
    throw new ConfigError(`pretrain.propagate is '${cfg.propagate}' but a network given by model.layers passes its own forward pass up; use pretrain.propagate 'mean'`);
  }
  if (!(Number.isInteger(k) && k >= 0 && k <= trainable.length)) {
    throw new ConfigError(`pretrain.layers is ${k} but the network has ${trainable.length} dense and conv layers; allowed: 0..${trainable.length}`);
  }
  if (data.dim !== network.spec.nIn) {
    throw new ConfigError(`${data.name}: ${data.dim} features per example but the network takes ${network.spec.nIn}`);
  }
  let conv = 0;
  for (const t of trainable.slice(0, k)) {
    if (t.kind !== 'conv') continue;
    conv++;
    const problem = convDaeProblem(t.layer.window);
    if (problem) throw new ConfigError(`model.layers: conv layer ${conv} cannot be pre-trained: ${problem}; or pre-train fewer layers (pretrain.layers)`);
  }
  validatePretrain(data, trainable.slice(0, k).map((t) => t.layer.nOut), cfg);
}
