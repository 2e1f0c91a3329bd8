/**
 * The network a trial config describes: the paper's depth/hidden MLP, the same with the modern
 * shorthands (`model.norm`, `model.dropout`), or any network written as `model.layers`
 * (`src/models/layer-spec.ts`). One place turns the model section and the data's shape into an
 * `MlpSpec`, so fine-tuning, pre-training, `eval` and the online setting build the same network.
 */
import type { ImageShape } from '../nn/image-shape.ts';
import type { MlpSpec } from '../models/mlp.ts';
import { mlpLayerSpecs, parseLayerSpec, withNormalization, type LayerSpec } from '../models/layer-spec.ts';
import { hiddenSizes, type ModelConfig } from './config.ts';

/** What the model needs to know of the data: features, classes, and the image shape if any. */
export interface DataShape {
  dim: number;
  nClasses: number;
  image?: { height: number; width: number } | undefined;
}

/**
 * The layer specs of the model section, or undefined for the paper's plain MLP (built as it always
 * was). A written network takes the `norm` shorthand too (`withNormalization`: after every dense and
 * conv layer's affine map); `dropout` only on the depth/hidden form.
 */
export function modelLayerSpecs(m: ModelConfig): LayerSpec[] | undefined {
  if (m.layers !== null) return withNormalization(parseLayerSpec(m.layers, m.activation), m.norm, m.groups);
  if (m.norm === 'none' && (m.dropout === 0 || (Array.isArray(m.dropout) && m.dropout.every((r) => r === 0)))) return undefined;
  return mlpLayerSpecs({ hidden: hiddenSizes(m), activation: m.activation, norm: m.norm, groups: m.groups, dropout: m.dropout });
}

/** The NHWC image shape of the data (channels = dim / (height * width)), or undefined when they are not images. */
export function imageShape(data: DataShape): ImageShape | undefined {
  const im = data.image;
  if (!im) return undefined;
  const channels = data.dim / (im.height * im.width);
  return Number.isInteger(channels) && channels >= 1 ? { height: im.height, width: im.width, channels } : undefined;
}

/** The MlpSpec of a model section on data of this shape. */
export function mlpSpec(m: ModelConfig, data: DataShape): MlpSpec {
  const layers = modelLayerSpecs(m);
  const image = imageShape(data);
  const hidden = layers ? layers.filter((l) => l.kind === 'dense').map((l) => (l as { units: number }).units) : hiddenSizes(m);
  return {
    nIn: data.dim,
    hidden,
    nClasses: data.nClasses,
    activation: m.activation,
    init: m.init,
    ...(layers ? { layers } : {}),
    ...(layers && image ? { image } : {}),
  };
}

/** The layers greedy pre-training can train, bottom first: dense and conv layers (their count bounds `pretrain.layers`). */
export function trainableLayerCount(m: ModelConfig): number {
  const layers = modelLayerSpecs(m);
  return layers ? layers.filter((l) => l.kind === 'dense' || l.kind === 'conv').length : hiddenSizes(m).length;
}
