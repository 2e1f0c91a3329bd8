/**
 * Layer specs (`src/models/layer-spec.ts`) into layers, bottom to top, with the shape of what
 * flows between them checked on the way: a conv or pooling layer needs an image below it, a
 * spatial size that reaches zero, a group count that does not divide the channels, a layer
 * after `flatten` that needs an image: each is a LayerSpecError naming the layer and the fix.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Rng } from '../rng/rng.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import { Dense } from '../nn/dense.ts';
import { initDense, type InitScheme } from '../nn/init.ts';
import type { Layer } from '../nn/layer.ts';
import type { ImageShape } from '../nn/image-shape.ts';
import { ActivationLayer } from '../nn/activation-layer.ts';
import { Conv2d } from '../nn/conv2d.ts';
import { Pool2d } from '../nn/pool2d.ts';
import { BatchNorm } from '../nn/batch-norm.ts';
import { GroupNorm } from '../nn/group-norm.ts';
import { layerNorm } from '../nn/layer-norm.ts';
import { Dropout } from '../nn/dropout.ts';
import { LayerSpecError, type LayerSpec } from './layer-spec.ts';

/** A built layer and the name its params carry (`hidden.0`, `conv.1`, `norm.0`, ...). */
export interface NamedLayer {
  layer: Layer;
  name: string;
  spec: LayerSpec;
}

/** What flows into a layer: `nIn` features, an image of that size when `image` is set. */
export interface LayerInput {
  nIn: number;
  image?: ImageShape | undefined;
}

export interface BuildOptions {
  init: InitScheme;
  /** The `init` stream: dense and conv weights draw from it bottom to top. */
  rng: Rng;
  /** Parameters for the bottom dense layers (a pre-trained stack), copied. */
  stack: readonly DenseParams[];
  /** The one stream every dropout layer draws from (null when there is none). */
  dropoutRng: Rng | null;
}

/** Builds `specs` on `input`; returns the named layers and the top's feature count. */
export function buildLayers(backend: Backend, specs: readonly LayerSpec[], input: LayerInput, opts: BuildOptions): { layers: NamedLayer[]; nOut: number } {
  const layers: NamedLayer[] = [];
  let n = input.nIn;
  let image = input.image;
  let dense = 0;
  const counters = { conv: 0, norm: 0 };
  // Every kind is handled (the switch is exhaustive over LayerSpec).
  specs.forEach((spec, i) => {
    const where = `model layer ${i + 1} (${spec.kind})`;
    switch (spec.kind) {
      case 'dense': {
        const given = opts.stack[dense];
        let params: DenseParams;
        if (given) {
          params = { W: backend.zeros(n, spec.units), b: backend.zeros(1, spec.units) };
          backend.copy(given.W, params.W);
          backend.copy(given.b, params.b);
        } else {
          params = initDense(backend, opts.init, n, spec.units, opts.rng);
        }
        layers.push({ layer: new Dense(backend, params, spec.activation), name: `hidden.${dense}`, spec });
        dense++;
        n = spec.units;
        image = undefined;
        break;
      }
      case 'conv': {
        const im = needImage(where, image);
        const fanIn = spec.kernelH * spec.kernelW * im.channels;
        const window = { kernelH: spec.kernelH, kernelW: spec.kernelW, stride: spec.stride, pad: spec.pad };
        const layer = guard(where, () => new Conv2d(backend, initDense(backend, opts.init, fanIn, spec.filters, opts.rng), im, window, spec.activation));
        layers.push({ layer, name: `conv.${counters.conv++}`, spec });
        image = layer.output;
        n = layer.nOut;
        break;
      }
      case 'pool': {
        const im = needImage(where, image);
        const layer = guard(where, () => new Pool2d(backend, spec.op, im, { size: spec.size, stride: spec.stride, pad: spec.pad }));
        layers.push({ layer, name: `pool.${i}`, spec });
        image = layer.output;
        n = layer.nOut;
        break;
      }
      case 'batchnorm':
      case 'groupnorm':
      case 'layernorm': {
        // Per channel on images (S = H * W positions of C channels), per feature on flat inputs (S = 1).
        const channels = image ? image.channels : n, spatial = image ? image.height * image.width : 1;
        const layer = guard(where, () =>
          spec.kind === 'batchnorm' ? new BatchNorm(backend, channels, spatial) : spec.kind === 'groupnorm' ? new GroupNorm(backend, channels, spatial, spec.groups) : layerNorm(backend, channels, spatial),
        );
        layers.push({ layer, name: `norm.${counters.norm++}`, spec });
        break;
      }
      case 'dropout': {
        if (!opts.dropoutRng) throw new LayerSpecError(`${where}: no dropout stream was given`);
        const rng = opts.dropoutRng;
        layers.push({ layer: guard(where, () => new Dropout(backend, n, spec.rate, rng)), name: `dropout.${i}`, spec });
        break;
      }
      case 'activation':
        layers.push({ layer: new ActivationLayer(backend, n, spec.activation), name: `act.${i}`, spec });
        break;
      case 'flatten':
        image = undefined;
        break;
    }
  });
  return { layers, nOut: n };
}

/** The image a conv or pooling layer needs, or a LayerSpecError saying why there is none. */
function needImage(where: string, image: ImageShape | undefined): ImageShape {
  if (image) return image;
  throw new LayerSpecError(
    `${where} needs an image below it, but its input is flat (the data are not images, or a dense layer or flatten comes before it); ` +
      `put conv and pool layers first, on image data (mnist, infinite-mnist, shapeset, or idx: images)`,
  );
}

/** Runs a layer constructor, turning its RangeError (a window that does not fit, a bad group count) into a LayerSpecError naming the layer. */
function guard<T>(where: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof RangeError) throw new LayerSpecError(`${where}: ${e.message}`);
    throw e;
  }
}
