import type { Backend, ConvGeometry } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { ShapeError } from '../tensor/shapes.ts';
import { convGeometry, imageSize } from './conv-geometry.ts';
import type { ImageShape } from './image-shape.ts';
import type { Layer, Param } from './layer.ts';

/** A square pooling window: `size x size`, moved by `stride`, `pad` on every side. */
export interface PoolWindow {
  readonly size: number;
  readonly stride: number;
  readonly pad: number;
}

interface PoolBuffers {
  g: ConvGeometry;
  y: Matrix; // [batch, oh*ow*C]
  argmax: Int32Array; // max pooling: flat index into x of each y (empty for avg)
  dx: Matrix | null; // [batch, H*W*C], allocated on first need
}

/**
 * Max or average pooling over NHWC images, per channel (no parameters).
 * - `max`: `y[n, oy, ox, c] = max` over the window of `x[n, iy, ix, c]`, padding skipped; the
 *   backward pass routes each `dy` to its window's maximum (`maxPoolBackward`). At a tie the
 *   subgradient convention is "the first maximum wins" (window order ky, then kx), as in PyTorch.
 * - `avg`: the window mean with padding counted as zeros (PyTorch's `count_include_pad=True`);
 *   backward spreads each `dy` evenly over its window.
 * `x`: `[batch, H*W*C]` -> `[batch, oh*ow*C]`, `oh = floor((H + 2 pad - size) / stride) + 1`.
 */
export class Pool2d implements Layer {
  readonly nIn: number;
  readonly nOut: number;
  readonly input: ImageShape;
  /** `{height: outH, width: outW, channels: C}`. */
  readonly output: ImageShape;
  readonly window: PoolWindow;
  private readonly cache = new Map<number, PoolBuffers>();
  private last: PoolBuffers | null = null;

  /**
   * @throws RangeError for an unknown kind, a window that does not fit the input (spatial size
   *   reaches zero), or max pooling with `pad >= size` (windows wholly in the padding).
   */
  constructor(
    private readonly backend: Backend,
    readonly kind: 'max' | 'avg',
    input: ImageShape,
    window: PoolWindow,
  ) {
    if (kind !== 'max' && kind !== 'avg') throw new RangeError(`Pool2d: kind must be 'max' or 'avg', got '${String(kind)}'`);
    const { size, stride, pad } = window;
    const g = convGeometry(1, { ...input, kernelH: size, kernelW: size, stride, pad }, `${kind} pool`);
    if (kind === 'max' && pad >= size) {
      throw new RangeError(`Pool2d: pad ${pad} with a ${size}x${size} max-pooling window leaves windows with no image pixel; use pad < size (at most size / 2)`);
    }
    this.input = { height: input.height, width: input.width, channels: input.channels };
    this.window = { size, stride, pad };
    this.output = { height: g.outH, width: g.outW, channels: input.channels };
    this.nIn = imageSize(this.input);
    this.nOut = imageSize(this.output);
  }

  private buffersFor(batch: number): PoolBuffers {
    let buf = this.cache.get(batch);
    if (!buf) {
      const { size, stride, pad } = this.window;
      const g = convGeometry(batch, { ...this.input, kernelH: size, kernelW: size, stride, pad });
      buf = {
        g,
        y: this.backend.zeros(batch, this.nOut),
        argmax: new Int32Array(this.kind === 'max' ? batch * this.nOut : 0),
        dx: null,
      };
      this.cache.set(batch, buf);
    }
    return buf;
  }

  /** `x`: `[batch, H*W*C]` -> `[batch, oh*ow*C]`. */
  forward(x: Matrix, _train: boolean): Matrix {
    if (x.cols !== this.nIn) {
      const { height, width, channels } = this.input;
      throw new ShapeError(`Pool2d.forward: input has ${x.cols} features but the layer expects ${height}x${width}x${channels} = ${this.nIn} ([batch, ${this.nIn}])`);
    }
    const buf = this.buffersFor(x.rows);
    if (this.kind === 'max') this.backend.maxPool(x, buf.g, buf.y, buf.argmax);
    else this.backend.avgPool(x, buf.g, buf.y);
    this.last = buf;
    return buf.y;
  }

  /** `dy`: `[batch, oh*ow*C]` -> `dx`: `[batch, H*W*C]`, or null when `needInputGrad` is false. */
  backward(dy: Matrix, needInputGrad: boolean): Matrix | null {
    const buf = this.last;
    if (!buf) throw new Error('Pool2d.backward: call forward first (backward uses the saved window maxima)');
    if (dy.rows !== buf.y.rows || dy.cols !== this.nOut) {
      throw new ShapeError(`Pool2d.backward: dy must be [${buf.y.rows}, ${this.nOut}] like the last output, but is [${dy.rows}, ${dy.cols}]`);
    }
    if (!needInputGrad) return null;
    buf.dx ??= this.backend.zeros(dy.rows, this.nIn);
    if (this.kind === 'max') this.backend.maxPoolBackward(dy, buf.argmax, buf.dx);
    else this.backend.avgPoolBackward(dy, buf.g, buf.dx);
    return buf.dx;
  }

  params(): readonly Param[] {
    return [];
  }

  dispose(): void {
    for (const buf of this.cache.values()) {
      buf.y.dispose();
      buf.dx?.dispose();
    }
    this.cache.clear();
    this.last = null;
  }
}
