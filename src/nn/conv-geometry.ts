import type { ConvGeometry } from '../tensor/kernels.ts';
import type { ImageShape } from './image-shape.ts';

export type { ImageShape } from './image-shape.ts';

/** A window sliding over an image: `kernelH x kernelW`, moved by `stride`, `pad` zeros on every side. */
export interface ConvWindow {
  readonly kernelH: number;
  readonly kernelW: number;
  readonly stride: number;
  readonly pad: number;
}

/** The number of values of one example of `shape`: `height * width * channels`. */
export function imageSize(shape: ImageShape): number {
  return shape.height * shape.width * shape.channels;
}

/** Throws a RangeError naming `key` unless `value` is an integer >= `min`. */
function integerAtLeast(op: string, key: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`${op}: ${key} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * The geometry of a convolution or pooling window over a batch of NHWC images:
 * `outH = floor((height + 2 pad - kernelH) / stride) + 1`, likewise `outW` (the usual formula,
 * e.g. Dumoulin & Visin 2016, "A guide to convolution arithmetic", relationship 6).
 * @param batch examples in the batch (>= 0)
 * @param spec the image shape and the window
 * @param op what the window is, for messages (`conv`, `pool`)
 * @throws RangeError naming the key when a size is not an integer in range, and naming the sizes
 *   when the output would have no rows or columns ("conv 5x5 on 4x4 input: spatial size reaches zero").
 */
export function convGeometry(batch: number, spec: ImageShape & ConvWindow, op = 'conv'): ConvGeometry {
  const { height, width, channels, kernelH, kernelW, stride, pad } = spec;
  integerAtLeast(op, 'batch', batch, 0);
  integerAtLeast(op, 'height', height, 1);
  integerAtLeast(op, 'width', width, 1);
  integerAtLeast(op, 'channels', channels, 1);
  integerAtLeast(op, 'kernelH', kernelH, 1);
  integerAtLeast(op, 'kernelW', kernelW, 1);
  integerAtLeast(op, 'stride', stride, 1);
  integerAtLeast(op, 'pad', pad, 0);
  const outH = Math.floor((height + 2 * pad - kernelH) / stride) + 1;
  const outW = Math.floor((width + 2 * pad - kernelW) / stride) + 1;
  if (outH < 1 || outW < 1) {
    const padded = pad > 0 ? ` (padded by ${pad} to ${height + 2 * pad}x${width + 2 * pad})` : '';
    throw new RangeError(
      `${op} ${kernelH}x${kernelW} on ${height}x${width} input${padded}: spatial size reaches zero; ` +
        `use a smaller kernel, more padding, or fewer layers/pooling before it`,
    );
  }
  return { batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW };
}
