import type { Activation, Backend, ConvGeometry } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { ShapeError } from '../tensor/shapes.ts';
import { convGeometry, imageSize, type ConvWindow } from './conv-geometry.ts';
import type { DenseParams } from './dense-params.ts';
import type { ImageShape } from './image-shape.ts';
import type { Layer, Param } from './layer.ts';

interface ConvBuffers {
  g: ConvGeometry;
  /** `[batch*oh*ow, kh*kw*Cin]`: im2col of the input, reused for dcols in backward. */
  cols: Matrix;
  /** Whether `cols` holds the im2col of the last input (backward overwrites it with dcols). */
  colsOfX: boolean;
  y: Matrix; // [batch, oh*ow*F] output f(a)
  yPixels: Matrix; // view of y: [batch*oh*ow, F]
  da: Matrix; // [batch, oh*ow*F] dL/da
  daPixels: Matrix; // view of da: [batch*oh*ow, F]
  dx: Matrix | null; // [batch, H*W*Cin], allocated on first need
}

/**
 * A 2-D convolution over NHWC images with a per-channel bias and an activation,
 * `y[n, oy, ox, f] = act(b[f] + sum_{ky, kx, c} x[n, oy*s - p + ky, ox*s - p + kx, c] W[(ky, kx, c), f])`
 * (LeCun et al. 1998; as cross-correlation, like every framework), computed as im2col + GEMM:
 *
 * forward: `cols = im2col(x)` `[batch*oh*ow, kh*kw*Cin]`, `a = cols W` `[batch*oh*ow, F]` (which is
 * `[batch, oh*ow*F]` in NHWC, one pixel per row), `y = f(a + b)` (`biasActivation` on that view).
 * backward: `da = dy * f'(a)` (`activationBackward`, from y), `dW = cols^T da`, `db = colSums(da)`
 * over the pixel view, `dcols = da W^T` and `dx = col2im(dcols)` (the adjoint of im2col).
 *
 * `W`: `[kernelH*kernelW*Cin, F]` (row `(ky*kernelW + kx)*Cin + c`), `b`: `[1, F]`; params `W`
 * (penalized) and `b`. `nIn = H*W*Cin`, `nOut = oh*ow*F`. Buffers are cached per batch size; the
 * im2col buffer doubles as dcols in backward (a second backward after one forward recomputes it).
 */
export class Conv2d implements Layer {
  readonly nIn: number;
  readonly nOut: number;
  /** `[kernelH*kernelW*Cin, F]` weights and `[1, F]` biases (live; owned by this layer). */
  readonly W: Matrix;
  readonly b: Matrix;
  readonly dW: Matrix;
  readonly db: Matrix;
  readonly input: ImageShape;
  /** `{height: outH, width: outW, channels: F}`. */
  readonly output: ImageShape;
  readonly window: ConvWindow;
  private readonly cache = new Map<number, ConvBuffers>();
  private lastX: Matrix | null = null;
  private lastBuf: ConvBuffers | null = null;
  private readonly paramList: readonly Param[];

  /**
   * Takes ownership of `params` (used in place, not copied); initialise them with
   * `initDense(backend, scheme, kernelH*kernelW*Cin, F, rng)` (fan-in `kernelH*kernelW*Cin`).
   * @throws RangeError when the window does not fit (`conv 5x5 on 4x4 input: spatial size reaches zero`),
   *   ShapeError when W or b do not match the input channels and the kernel.
   */
  constructor(
    private readonly backend: Backend,
    params: DenseParams,
    input: ImageShape,
    window: ConvWindow,
    readonly activation: Activation,
  ) {
    const { W, b } = params;
    const g = convGeometry(1, { ...input, ...window }, 'conv');
    const k = window.kernelH * window.kernelW * input.channels;
    if (W.rows !== k) {
      throw new ShapeError(
        `Conv2d: W must have kernelH * kernelW * channels = ${window.kernelH} * ${window.kernelW} * ${input.channels} = ${k} rows ` +
          `(one per (ky, kx, c)), but is [${W.rows}, ${W.cols}]; create it with initDense(backend, scheme, ${k}, filters, rng)`,
      );
    }
    if (b.rows !== 1 || b.cols !== W.cols) {
      throw new ShapeError(`Conv2d: bias must be [1, ${W.cols}] to match W [${W.rows}, ${W.cols}], but is [${b.rows}, ${b.cols}]`);
    }
    for (const m of [W, b]) {
      if (m.backend !== backend.name) {
        throw new ShapeError(`Conv2d: parameters live on backend '${m.backend}' but the layer runs on '${backend.name}'; create them with that backend`);
      }
    }
    this.W = W;
    this.b = b;
    this.input = { height: input.height, width: input.width, channels: input.channels };
    this.window = { kernelH: window.kernelH, kernelW: window.kernelW, stride: window.stride, pad: window.pad };
    this.output = { height: g.outH, width: g.outW, channels: W.cols };
    this.nIn = imageSize(this.input);
    this.nOut = imageSize(this.output);
    this.dW = backend.zeros(W.rows, W.cols);
    this.db = backend.zeros(1, W.cols);
    this.paramList = [
      { name: 'W', value: this.W, grad: this.dW, penalized: true },
      { name: 'b', value: this.b, grad: this.db, penalized: false },
    ];
  }

  private buffersFor(batch: number): ConvBuffers {
    let buf = this.cache.get(batch);
    if (!buf) {
      const be = this.backend;
      const g = convGeometry(batch, { ...this.input, ...this.window });
      const pixels = batch * g.outH * g.outW, filters = this.output.channels;
      const y = be.zeros(batch, this.nOut), da = be.zeros(batch, this.nOut);
      buf = {
        g,
        cols: be.zeros(pixels, this.W.rows),
        colsOfX: false,
        y,
        yPixels: be.reshape(y, pixels, filters),
        da,
        daPixels: be.reshape(da, pixels, filters),
        dx: null,
      };
      this.cache.set(batch, buf);
    }
    return buf;
  }

  /** `x`: `[batch, H*W*Cin]` -> `y = f(im2col(x) W + b)`: `[batch, oh*ow*F]`. */
  forward(x: Matrix, _train: boolean): Matrix {
    if (x.cols !== this.nIn) {
      const { height, width, channels } = this.input;
      throw new ShapeError(`Conv2d.forward: input has ${x.cols} features but the layer expects ${height}x${width}x${channels} = ${this.nIn} ([batch, ${this.nIn}])`);
    }
    const be = this.backend;
    const buf = this.buffersFor(x.rows);
    be.im2col(x, buf.g, buf.cols);
    buf.colsOfX = true;
    be.gemm(false, false, 1, buf.cols, this.W, 0, buf.yPixels);
    be.biasActivation(this.activation, buf.yPixels, this.b, buf.yPixels);
    this.lastX = x;
    this.lastBuf = buf;
    return buf.y;
  }

  /** `dy`: `[batch, oh*ow*F]` -> writes dW, db; returns `dx = col2im(da W^T)`: `[batch, H*W*Cin]`, or null. */
  backward(dy: Matrix, needInputGrad: boolean): Matrix | null {
    const x = this.lastX, buf = this.lastBuf;
    if (!x || !buf) throw new Error('Conv2d.backward: call forward first (backward uses the saved input and output)');
    if (dy.rows !== x.rows || dy.cols !== this.nOut) {
      throw new ShapeError(`Conv2d.backward: dy must be [${x.rows}, ${this.nOut}] like the last output, but is [${dy.rows}, ${dy.cols}]`);
    }
    const be = this.backend;
    be.activationBackward(this.activation, buf.y, dy, buf.da);
    if (!buf.colsOfX) {
      be.im2col(x, buf.g, buf.cols);
      buf.colsOfX = true;
    }
    be.gemm(true, false, 1, buf.cols, buf.daPixels, 0, this.dW);
    be.colSums(buf.daPixels, this.db);
    if (!needInputGrad) return null;
    // cols is not needed again until the next forward: it receives dcols = da W^T.
    be.gemm(false, true, 1, buf.daPixels, this.W, 0, buf.cols);
    buf.colsOfX = false;
    buf.dx ??= be.zeros(x.rows, this.nIn);
    be.col2im(buf.cols, buf.g, buf.dx);
    return buf.dx;
  }

  params(): readonly Param[] {
    return this.paramList;
  }

  dispose(): void {
    for (const m of [this.W, this.b, this.dW, this.db]) m.dispose();
    for (const buf of this.cache.values()) {
      for (const m of [buf.yPixels, buf.daPixels, buf.y, buf.da, buf.cols]) m.dispose();
      buf.dx?.dispose();
    }
    this.cache.clear();
    this.lastX = this.lastBuf = null;
  }
}
