/**
 * The greedily pre-trained stack on disk: `pretrain.safetensors` in a trial's checkpoint
 * directory, rewritten atomically after every finished layer, so that a trial killed during
 * pre-training (a DBN's 100 CD-1 epochs per layer take an hour here) resumes from its last
 * finished layer instead of from scratch. Layers trained after the resumed ones are
 * bit-identical to an uninterrupted run's (see `greedyStack`).
 *
 * Format: tensors `layer.<l>.W` `[nIn, nOut]` and `layer.<l>.b` `[1, nOut]` (the encoder
 * `h = sigmoid(x W + b)` of layer l, bottom first, before any marginal resampling), metadata
 * `kind` = 'pretrained-stack', `key` (everything the stack depends on, see {@link pretrainKey}),
 * `history` (the pre-training epoch metrics so far, JSON) and `seconds` (pre-training time so far).
 */
import type { Backend } from '../tensor/kernels.ts';
import type { NumericVariant } from '../tensor/numeric-variant.ts';
import { numericKey } from '../backends/variant.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import type { EpochMetrics } from './hooks.ts';
import type { TrialConfig } from './config.ts';
import { CheckpointError, checkpointTensor, StaleStateError, readCheckpoint, writeCheckpoint, type Checkpoint, type Tensor } from './checkpoint.ts';
import { setMatrix } from './model-checkpoint.ts';

export const PRETRAIN_FILE = 'pretrain.safetensors';
/** A written network's greedily pre-trained layers so far (`pretrainNetwork`), in a trial's checkpoint directory. */
export const NETWORK_PRETRAIN_FILE = 'network-pretrain.safetensors';

/**
 * What a saved stack was trained with and on, numeric variant and units (`model.activation`, named
 * only when not sigmoid, so older sigmoid stacks keep their key) included; it may be resumed only by the same.
 */
export function pretrainKey(cfg: TrialConfig, sizes: readonly number[], variant: NumericVariant): string {
  const { use: _use, ...pretrain } = cfg.pretrain; // marginal resampling happens after the stack is saved
  const units = cfg.model.activation === 'sigmoid' ? {} : { activation: cfg.model.activation };
  return JSON.stringify({ seed: cfg.seed, backend: cfg.backend, variant: numericKey(variant), data: cfg.data, sizes, pretrain, ...units });
}

/** The stack so far, with its pre-training history and time. */
export interface SavedStack {
  layers: DenseParams[];
  history: EpochMetrics[];
  seconds: number;
}

/** A stack's encoders as checkpoint tensors `<prefix><l>.W`, `<prefix><l>.b`, bottom first (live views). */
export function stackTensors(layers: readonly DenseParams[], prefix: string): Record<string, Tensor> {
  const tensors: Record<string, Tensor> = {};
  layers.forEach((p, l) => {
    tensors[`${prefix}${l}.W`] = p.W;
    tensors[`${prefix}${l}.b`] = p.b;
  });
  return tensors;
}

/** Writes `layers` (bottom first) with `key`, `history` and `seconds` to `path`, atomically. */
export function savePretrainedStack(path: string, layers: readonly DenseParams[], key: string, history: readonly EpochMetrics[], seconds: number): void {
  writeCheckpoint(path, stackTensors(layers, 'layer.'), { kind: 'pretrained-stack', key, history: JSON.stringify(history), seconds: String(seconds) });
}

/**
 * Reads a stack written by {@link savePretrainedStack} into matrices of `backend`.
 * @param sizes the trial's pre-trained layer sizes, bottom first; the file may hold fewer layers
 * @param nIn the data's dimension
 * @throws CheckpointError when the file was written for another key (another config), or holds
 *   more layers or other shapes than `sizes`, naming the file and what to do
 */
export function loadPretrainedStack(backend: Backend, path: string, key: string, sizes: readonly number[], nIn: number): SavedStack {
  const ck = readCheckpoint(path);
  if (ck.metadata['kind'] !== 'pretrained-stack') throw new CheckpointError(`${path} is not a pre-trained stack (kind '${ck.metadata['kind'] ?? ''}')`);
  if (ck.metadata['key'] !== key) {
    throw new StaleStateError(`cannot resume pre-training from ${path}: it was written by a different config (seed, data, layer sizes or pretrain settings) or numeric variant; delete it to pre-train from scratch`);
  }
  const count = stackLayerCount(ck);
  if (count > sizes.length) throw new CheckpointError(`${path} holds ${count} layers but the trial pre-trains ${sizes.length}`);
  const layers = readStackLayers(backend, ck, path, sizes, nIn, count);
  return { layers, history: JSON.parse(ck.metadata['history'] ?? '[]') as EpochMetrics[], seconds: Number(ck.metadata['seconds'] ?? 0) };
}

/** How many layers (`layer.<l>.W` tensors) a stack file holds. */
export function stackLayerCount(ck: Checkpoint): number {
  return [...ck.tensors.keys()].filter((k) => k.startsWith('layer.') && k.endsWith('.W')).length;
}

/**
 * The bottom `count` layers of a stack file as matrices of `backend` (`layer.<l>.W` `[fanIn, sizes[l]]`,
 * `layer.<l>.b` `[1, sizes[l]]`); nothing is left allocated when a tensor is missing or misshapen.
 * @throws CheckpointError naming the file and the tensor
 */
export function readStackLayers(backend: Backend, ck: Checkpoint, path: string, sizes: readonly number[], nIn: number, count: number): DenseParams[] {
  const shapes: [number, number][] = [];
  for (let l = 0, fanIn = nIn; l < count; fanIn = sizes[l]!, l++) shapes.push([fanIn, sizes[l]!]);
  return readLayersOfShapes(backend, ck, path, shapes);
}

/**
 * Layers `layer.<l>.W` `shapes[l]` and `layer.<l>.b` `[1, shapes[l][1]]`, l < shapes.length, as
 * matrices of `backend` (a conv layer's W is `[kH kW Cin, filters]`); nothing is left allocated on error.
 * @throws CheckpointError naming the file and the tensor that is missing or misshapen
 */
export function readLayersOfShapes(backend: Backend, ck: Checkpoint, path: string, shapes: readonly (readonly [number, number])[]): DenseParams[] {
  const layers: DenseParams[] = [];
  try {
    shapes.forEach(([rows, cols], l) => {
      const W = backend.zeros(rows, cols), b = backend.zeros(1, cols);
      layers.push({ W, b });
      setMatrix(W, checkpointTensor(ck, `layer.${l}.W`, [rows, cols], path));
      setMatrix(b, checkpointTensor(ck, `layer.${l}.b`, [1, cols], path));
    });
  } catch (e) {
    for (const p of layers) {
      p.W.dispose();
      p.b.dispose();
    }
    throw e;
  }
  return layers;
}
