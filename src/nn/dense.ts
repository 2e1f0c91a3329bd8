import type { Activation, Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { ShapeError } from '../tensor/shapes.ts';
import type { DenseParams } from './dense-params.ts';
import type { FusedUpdater } from './fused-update.ts';
import type { Layer, Param } from './layer.ts';

interface DenseBuffers {
  y: Matrix; // [batch, nOut] output f(a)
  da: Matrix; // [batch, nOut] dL/da
  dx: Matrix | null; // [batch, nIn], allocated on first need
}

/**
 * A fully connected layer `y = f(x W + b)` (Erhan et al. 2010, Section 2: each hidden layer
 * computes `h^l = sigmoid(b^l + W^l h^{l-1})`; we store `W` as `[nIn, nOut]`, so rows multiply).
 *
 * forward: `a = x W` (gemm), `y = f(a + b)` (fused `biasActivation`).
 * backward: `da = dy * f'(a)` (`activationBackward`, from y), `dW = x^T da`, `db = colSums(da)`,
 * `dx = da W^T`. `backwardUpdate` does the same with the optimiser's update fused into the
 * gradient kernels (no dW/db pass when the optimiser allows it).
 */
export class Dense implements Layer {
  readonly nIn: number;
  readonly nOut: number;
  /** `[nIn, nOut]` weights and `[1, nOut]` biases (live; owned by this layer). */
  readonly W: Matrix;
  readonly b: Matrix;
  readonly dW: Matrix;
  readonly db: Matrix;
  private readonly cache = new Map<number, DenseBuffers>();
  private lastX: Matrix | null = null;
  private lastBuf: DenseBuffers | null = null;
  private readonly paramList: readonly Param[];

  /**
   * Takes ownership of `params` (the matrices are used in place, not copied).
   * @param activation `f`; `identity` for the pre-softmax output layer.
   */
  constructor(
    private readonly backend: Backend,
    params: DenseParams,
    readonly activation: Activation,
  ) {
    const { W, b } = params;
    if (b.rows !== 1 || b.cols !== W.cols) {
      throw new ShapeError(`Dense: bias must be [1, ${W.cols}] to match W [${W.rows}, ${W.cols}], but is [${b.rows}, ${b.cols}]`);
    }
    for (const m of [W, b]) {
      if (m.backend !== backend.name) {
        throw new ShapeError(`Dense: parameters live on backend '${m.backend}' but the layer runs on '${backend.name}'; create them with that backend`);
      }
    }
    this.W = W;
    this.b = b;
    this.nIn = W.rows;
    this.nOut = W.cols;
    this.dW = backend.zeros(this.nIn, this.nOut);
    this.db = backend.zeros(1, this.nOut);
    this.paramList = [
      { name: 'W', value: this.W, grad: this.dW, penalized: true },
      { name: 'b', value: this.b, grad: this.db, penalized: false },
    ];
  }

  private buffersFor(batch: number): DenseBuffers {
    let buf = this.cache.get(batch);
    if (!buf) {
      buf = { y: this.backend.zeros(batch, this.nOut), da: this.backend.zeros(batch, this.nOut), dx: null };
      this.cache.set(batch, buf);
    }
    return buf;
  }

  /** `x`: `[batch, nIn]` -> `y = f(x W + b)`: `[batch, nOut]`. */
  forward(x: Matrix, _train: boolean): Matrix {
    if (x.cols !== this.nIn) {
      throw new ShapeError(`Dense.forward: input has ${x.cols} features but the layer expects ${this.nIn} ([batch, ${this.nIn}])`);
    }
    const buf = this.buffersFor(x.rows);
    this.backend.gemm(false, false, 1, x, this.W, 0, buf.y);
    this.backend.biasActivation(this.activation, buf.y, this.b, buf.y);
    this.lastX = x;
    this.lastBuf = buf;
    return buf.y;
  }

  /** The saved input and buffers of the last forward, after checking dy: `[batch, nOut]`. */
  private saved(op: string, dy: Matrix): { x: Matrix; buf: DenseBuffers } {
    const x = this.lastX, buf = this.lastBuf;
    if (!x || !buf) throw new Error(`Dense.${op}: call forward first (backward uses the saved input and output)`);
    if (dy.rows !== x.rows || dy.cols !== this.nOut) {
      throw new ShapeError(`Dense.${op}: dy must be [${x.rows}, ${this.nOut}] like the last output, but is [${dy.rows}, ${dy.cols}]`);
    }
    return { x, buf };
  }

  /** `dy`: `[batch, nOut]` -> writes dW, db; returns `dx = (dy * f'(a)) W^T`: `[batch, nIn]` or null. */
  backward(dy: Matrix, needInputGrad: boolean): Matrix | null {
    const { x, buf } = this.saved('backward', dy);
    const be = this.backend;
    be.activationBackward(this.activation, buf.y, dy, buf.da);
    be.gemm(true, false, 1, x, buf.da, 0, this.dW);
    be.colSums(buf.da, this.db);
    if (!needInputGrad) return null;
    buf.dx ??= be.zeros(x.rows, this.nIn);
    be.gemm(false, true, 1, buf.da, this.W, 0, buf.dx);
    return buf.dx;
  }

  /**
   * Backward pass with the parameter update fused in: `da = dy * f'(a)`, then `dx = da W^T`
   * (with the weights before the update), then the update of W from `g = x^T da` and of b from
   * `g = colSums(da)`, each written by its gradient kernel into `updater`'s target
   * ({@link FusedUpdater}; `wIndex`, `bIndex`: this layer's W and b in the updater's list).
   * dW and db are written only if the updater targets them.
   * `dy`: `[batch, nOut]`; returns dx `[batch, nIn]`, or null when `needInputGrad` is false.
   */
  backwardUpdate(dy: Matrix, needInputGrad: boolean, updater: FusedUpdater, wIndex: number, bIndex: number): Matrix | null {
    const { x, buf } = this.saved('backwardUpdate', dy);
    const be = this.backend;
    be.activationBackward(this.activation, buf.y, dy, buf.da);
    let dx: Matrix | null = null;
    if (needInputGrad) {
      dx = buf.dx ??= be.zeros(x.rows, this.nIn);
      be.gemm(false, true, 1, buf.da, this.W, 0, dx);
    }
    const tw = updater.begin(wIndex);
    be.gemm(true, false, tw.alpha, x, buf.da, tw.beta, tw.out);
    updater.finish(wIndex);
    const tb = updater.begin(bIndex);
    be.colSums(buf.da, tb.out, tb.alpha, tb.beta);
    updater.finish(bIndex);
    return dx;
  }

  params(): readonly Param[] {
    return this.paramList;
  }

  dispose(): void {
    for (const m of [this.W, this.b, this.dW, this.db]) m.dispose();
    for (const buf of this.cache.values()) {
      buf.y.dispose();
      buf.da.dispose();
      buf.dx?.dispose();
    }
    this.cache.clear();
    this.lastX = this.lastBuf = null;
  }
}
