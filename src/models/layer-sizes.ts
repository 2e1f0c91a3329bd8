/**
 * The sizes of a written network's layers (`src/models/layer-spec.ts`), worked out from the specs
 * and the input alone, without building anything: what flows in and out of each layer per
 * example, the parameters it holds and, for a conv layer, its im2col matrix per example. The
 * memory estimate (`src/train/memory-estimate.ts`) and the disk estimate of a kept network read
 * them. The geometry is `buildLayers`'s (`convGeometry`); a spec that `buildLayers` would refuse
 * gives null here, and the build then names the problem.
 */
import { convGeometry, imageSize, type ImageShape } from '../nn/conv-geometry.ts';
import type { LayerSpec } from './layer-spec.ts';

/** One layer's sizes, per example. */
export interface LayerSize {
  spec: LayerSpec;
  /** Features in and out (`[batch, nIn]` -> `[batch, nOut]`). */
  nIn: number;
  nOut: number;
  /** Parameters (weights and biases; a norm layer's scale and shift) as `[rows, cols]`, or null. */
  weights: readonly [number, number] | null;
  /** A conv layer's im2col matrix per example (`outH * outW` rows of `kH * kW * Cin`); 0 for others. */
  cols: number;
}

/**
 * The layers' sizes, bottom to top, then the softmax output layer (a dense layer to `nClasses`).
 * @param input the data's features and image shape (NHWC), as `buildLayers` gets them
 * @returns null when a spec does not fit its input (a conv on flat data, a window that reaches zero)
 */
export function layerSizes(specs: readonly LayerSpec[], input: { nIn: number; image?: ImageShape | undefined }, nClasses: number): LayerSize[] | null {
  const out: LayerSize[] = [];
  let n = input.nIn;
  let image = input.image;
  try {
    for (const spec of specs) {
      switch (spec.kind) {
        case 'dense':
          out.push({ spec, nIn: n, nOut: spec.units, weights: [n + 1, spec.units], cols: 0 });
          n = spec.units;
          image = undefined;
          break;
        case 'conv':
        case 'pool': {
          if (!image) return null;
          const window = spec.kind === 'conv' ? { kernelH: spec.kernelH, kernelW: spec.kernelW, stride: spec.stride, pad: spec.pad } : { kernelH: spec.size, kernelW: spec.size, stride: spec.stride, pad: spec.pad };
          const g = convGeometry(1, { ...image, ...window }, spec.kind);
          const channels = spec.kind === 'conv' ? spec.filters : image.channels;
          const next = { height: g.outH, width: g.outW, channels };
          const fanIn = window.kernelH * window.kernelW * image.channels;
          out.push({
            spec,
            nIn: n,
            nOut: imageSize(next),
            weights: spec.kind === 'conv' ? [fanIn + 1, spec.filters] : null,
            cols: spec.kind === 'conv' ? g.outH * g.outW * fanIn : 0,
          });
          image = next;
          n = imageSize(next);
          break;
        }
        case 'batchnorm':
        case 'groupnorm':
        case 'layernorm':
          out.push({ spec, nIn: n, nOut: n, weights: [2, image ? image.channels : n], cols: 0 });
          break;
        case 'dropout':
        case 'activation':
          out.push({ spec, nIn: n, nOut: n, weights: null, cols: 0 });
          break;
        case 'flatten':
          image = undefined;
          break;
      }
    }
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
  out.push({ spec: { kind: 'dense', units: nClasses, activation: 'identity' }, nIn: n, nOut: nClasses, weights: [n + 1, nClasses], cols: 0 });
  return out;
}

/** Number of parameters of the layers (weights, biases, norm scales and shifts). */
export function parameterCount(sizes: readonly LayerSize[]): number {
  return sizes.reduce((s, l) => s + (l.weights ? l.weights[0] * l.weights[1] : 0), 0);
}
