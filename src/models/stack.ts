/**
 * Greedy layer-wise stacking (Erhan et al. 2010, Sections 5.1.1-5.1.2; Hinton et al. 2006;
 * Bengio et al. 2007): layer l is trained, alone, on the representation computed by the already
 * trained layers 0..l-1, then frozen. A DBN stacks RBMs, an SDAE stacks DAEs; what one layer's
 * training is, is supplied by the caller (`src/train/pretrain.ts`).
 *
 * Memory: the representation fed to layer l is computed ONCE per layer, mean-field
 * `s(x W + b)` (`s` the stack's units: sigmoid, or a DAE stack's tanh / relu, see
 * {@link GreedyStackOptions.activation}), and kept as a Float32Array `[n, nOut]`
 * (50,000 x 1,000 = 200 MB at worst); the previous one is dropped. With `propagate: 'sample'`, the trainer draws fresh Bernoulli
 * samples from these stored probabilities for every minibatch, which is the same as sampling
 * h ~ P(h | x) through the frozen lower layers each time the example is visited.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Dataset } from '../data/dataset.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import type { Rng } from '../rng/rng.ts';
import { assertShape } from '../tensor/shapes.ts';
import type { DaeEncoder } from './dae.ts';

/** Rows per backend call when propagating a data set. */
export const PROPAGATE_CHUNK = 500;

/** The named random streams of one layer's training. */
export interface LayerStreams {
  /** Initial weights. */
  init: Rng;
  /** Order of examples, one permutation per epoch. */
  order: Rng;
  /** DAE corruption. */
  noise: Rng;
  /** Gibbs sampling, sampled propagation, monitoring estimates. */
  sampling: Rng;
}

/** Layer l's streams: `rng.fork('layer<l>', name)`, independent across layers and purposes. */
export function layerStreams(rng: Rng, layer: number): LayerStreams {
  const r = rng.fork(`layer${layer}`);
  return { init: r.fork('init'), order: r.fork('order'), noise: r.fork('noise'), sampling: r.fork('sampling') };
}

/**
 * The corruption level of layer l (0-based): a single number applies to every layer, a list
 * gives one per layer (e.g. `[0.1, 0.2, 0.3]`, as the DLT SdA.py example).
 */
export function layerCorruption(corruption: number | readonly number[], layer: number): number {
  if (typeof corruption === 'number') return corruption;
  const c = corruption[layer];
  if (c === undefined) {
    throw new RangeError(`corruption lists ${corruption.length} levels but layer ${layer + 1} is pre-trained; give one level per pre-trained layer`);
  }
  return c;
}

/** What one layer's training is told. */
export interface LayerTask {
  /** 0-based layer index. */
  layer: number;
  /** The layer's input: the data set itself for layer 0, mean-field codes of the layers below above that. */
  input: Dataset;
  /** Units of this layer. */
  nHidden: number;
  streams: LayerStreams;
  /** The encoders of the layers already trained (0..layer-1), frozen. */
  below: readonly DenseParams[];
  /** The stack's units: the encoder non-linearity of this layer and of those below (sigmoid unless a DAE stack says otherwise). */
  activation: DaeEncoder;
}

/**
 * Trains one layer and returns its encoder (W `[nIn, nOut]`, b `[1, nOut]`): for an RBM or a
 * DAE, its `W` and `hiddenBias` (the `visibleBias`, and a DAE's untied `V`, serve only the layer's
 * own training and are not kept).
 */
export type LayerTrainer = (task: LayerTask) => Promise<DenseParams>;

/**
 * Mean-field codes of one layer for every example: `s(x W + b)` with `s = activation` (default
 * sigmoid), computed in chunks of `chunk` rows on the backend. x: `[n, nIn]` row-major; returns `[n, nOut]`.
 */
export function propagateUp(
  backend: Backend,
  x: Float32Array,
  n: number,
  layer: DenseParams,
  chunk = PROPAGATE_CHUNK,
  activation: DaeEncoder = 'sigmoid',
): Float32Array {
  const nIn = layer.W.rows, nOut = layer.W.cols;
  assertShape('propagateUp', 'b', layer.b, 1, nOut);
  if (x.length !== n * nIn) {
    throw new RangeError(`propagateUp: ${x.length} input values are not ${n} rows of ${nIn} (the layer's W is [${nIn}, ${nOut}])`);
  }
  const out = new Float32Array(n * nOut);
  const rows = Math.max(1, Math.min(chunk, n));
  const xin = backend.zeros(rows, nIn), h = backend.zeros(rows, nOut);
  const xin1 = n % rows ? backend.zeros(n % rows, nIn) : null, h1 = n % rows ? backend.zeros(n % rows, nOut) : null;
  for (let s = 0; s < n; s += rows) {
    const m = Math.min(rows, n - s);
    const xi = m === rows ? xin : xin1!, hi = m === rows ? h : h1!;
    xi.data.set(x.subarray(s * nIn, (s + m) * nIn));
    backend.gemm(false, false, 1, xi, layer.W, 0, hi);
    backend.biasActivation(activation, hi, layer.b, hi);
    out.set(hi.data, s * nOut);
  }
  for (const m of [xin, h, xin1, h1]) m?.dispose();
  return out;
}

/** The data set `ds` seen through the trained layers (mean-field codes `s(x W + b)` of the top one, `s = activation`); labels kept. */
export function propagateDataset(backend: Backend, ds: Dataset, layers: readonly DenseParams[], activation: DaeEncoder = 'sigmoid'): Dataset {
  let x = ds.x, dim = ds.dim;
  for (const layer of layers) {
    x = propagateUp(backend, x, ds.n, layer, PROPAGATE_CHUNK, activation);
    dim = layer.W.cols;
  }
  return { name: `${ds.name}/h${layers.length}`, n: ds.n, dim, nClasses: ds.nClasses, x, y: ds.y };
}

/** A stack's units, and resuming it: layers already trained, and a callback after each newly trained layer. */
export interface GreedyStackOptions {
  /**
   * The encoder non-linearity of every layer, which also computes the codes passed up
   * ({@link propagateUp}): `sigmoid` (default; RBMs and the paper's DAEs), or `tanh` / `relu`
   * for a stack of DAEs that initialises a tanh / ReLU network. Handed to each layer's trainer
   * as {@link LayerTask.activation}.
   */
  activation?: DaeEncoder;
  /**
   * Encoders of the bottom layers, already trained (e.g. loaded from a checkpoint); they are
   * not trained again, and the stack takes ownership of them. Because every layer has its own
   * random streams and the codes are computed layer by layer as in an uninterrupted run, the
   * layers trained after them are bit-identical to an uninterrupted run's.
   */
  done?: readonly DenseParams[];
  /** Called after each newly trained layer with every layer so far, bottom first (e.g. to checkpoint them). */
  onLayer?: (layers: readonly DenseParams[]) => void | Promise<void>;
}

/**
 * Greedy layer-wise training of `sizes.length` layers: train layer 0 on `train`, propagate,
 * train layer 1 on the codes, and so on. Returns every layer's encoder, bottom first.
 * Random streams: {@link layerStreams}`(rng, l)` for layer l.
 */
export async function greedyStack(
  backend: Backend,
  train: Dataset,
  sizes: readonly number[],
  rng: Rng,
  trainLayer: LayerTrainer,
  opts: GreedyStackOptions = {},
): Promise<DenseParams[]> {
  const done = opts.done ?? [];
  const activation = opts.activation ?? 'sigmoid';
  if (done.length > sizes.length) throw new RangeError(`greedyStack: ${done.length} layers are already trained but the stack has only ${sizes.length}`);
  let nIn = train.dim;
  done.forEach((p, l) => {
    assertShape('greedyStack', `done[${l}].W`, p.W, nIn, sizes[l]!);
    assertShape('greedyStack', `done[${l}].b`, p.b, 1, sizes[l]!);
    nIn = sizes[l]!;
  });
  const layers: DenseParams[] = [];
  let input = train;
  for (let l = 0; l < sizes.length; l++) {
    const resumed = done[l];
    const params = resumed ?? (await trainLayer({ layer: l, input, nHidden: sizes[l]!, streams: layerStreams(rng, l), below: [...layers], activation }));
    layers.push(params);
    if (!resumed) await opts.onLayer?.(layers);
    if (l + 1 < sizes.length) input = { ...propagateDataset(backend, input, [params], activation), name: `${train.name}/h${l + 1}` };
  }
  return layers;
}
