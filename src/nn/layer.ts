import type { Matrix } from '../tensor/matrix.ts';

/**
 * One trainable tensor of a layer with its gradient buffer (same shape).
 * `penalized` marks weights that L1/L2 penalties apply to; biases are not penalized
 * (Erhan et al. 2010, footnote 5: the penalty is on the weights).
 */
export interface Param {
  /** Name within its owner, e.g. `W`, `b`; models prefix it (`hidden.0.W`). */
  readonly name: string;
  readonly value: Matrix;
  /** Gradient of the loss w.r.t. `value`, written by `backward`. */
  readonly grad: Matrix;
  readonly penalized: boolean;
}

/**
 * A differentiable layer with explicit forward and backward passes (micrograd style: each
 * op's backward beside its forward). Room for dropout and normalisation: `train` tells
 * stochastic or batch-statistics layers which mode they are in.
 *
 * Buffers are owned by the layer and cached per batch size, so a training step allocates
 * nothing; a returned matrix is valid until the next call with the same batch size.
 */
export interface Layer {
  readonly nIn: number;
  readonly nOut: number;
  /** `x`: `[batch, nIn]` -> `[batch, nOut]`. Remembers what `backward` needs. */
  forward(x: Matrix, train: boolean): Matrix;
  /**
   * `dy`: `[batch, nOut]`, the gradient of the loss w.r.t. the last forward output. Writes
   * every parameter gradient (overwriting) and returns `dL/dx` `[batch, nIn]`, or null when
   * `needInputGrad` is false (the first layer skips that product).
   */
  backward(dy: Matrix, needInputGrad: boolean): Matrix | null;
  /** The trainable parameters, with live values and gradients. */
  params(): readonly Param[];
  /**
   * Non-trainable state that belongs to the network and is saved with it (checkpoints, the best
   * network of early stopping), e.g. batch normalisation's running mean and variance; live
   * matrices, named within the layer. Absent or empty for most layers.
   */
  buffers?(): readonly { name: string; value: Matrix }[];
  /** Frees every matrix the layer owns. */
  dispose(): void;
}
