import type { Activation, Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { ShapeError } from '../tensor/shapes.ts';
import type { Layer, Param } from './layer.ts';

/**
 * An element-wise non-linearity as a layer of its own, `y = f(x)`, for placing a normalisation
 * between an affine map and its activation (`conv 32 5x5 linear, bn, relu`; Ioffe & Szegedy 2015
 * normalise the pre-activation). `x`, `y`: `[batch, n]`. Backward: `dx = dy * f'(a)`, written in
 * terms of the output as the `activationBackward` kernel defines it. No parameters.
 */
export class ActivationLayer implements Layer {
  readonly nIn: number;
  readonly nOut: number;
  private readonly ys = new Map<number, { y: Matrix; dx: Matrix | null }>();
  private last: { y: Matrix; dx: Matrix | null } | null = null;

  constructor(
    private readonly backend: Backend,
    n: number,
    readonly activation: Activation,
  ) {
    this.nIn = this.nOut = n;
  }

  forward(x: Matrix, _train: boolean): Matrix {
    if (x.cols !== this.nIn) throw new ShapeError(`ActivationLayer.forward: input has ${x.cols} features but the layer expects ${this.nIn}`);
    let buf = this.ys.get(x.rows);
    if (!buf) {
      buf = { y: this.backend.zeros(x.rows, this.nOut), dx: null };
      this.ys.set(x.rows, buf);
    }
    this.backend.activation(this.activation, x, buf.y);
    this.last = buf;
    return buf.y;
  }

  backward(dy: Matrix, needInputGrad: boolean): Matrix | null {
    const buf = this.last;
    if (!buf) throw new Error('ActivationLayer.backward: call forward first');
    if (!needInputGrad) return null;
    buf.dx ??= this.backend.zeros(buf.y.rows, this.nIn);
    this.backend.activationBackward(this.activation, buf.y, dy, buf.dx);
    return buf.dx;
  }

  params(): readonly Param[] {
    return [];
  }

  dispose(): void {
    for (const b of this.ys.values()) {
      b.y.dispose();
      b.dx?.dispose();
    }
    this.ys.clear();
    this.last = null;
  }
}
