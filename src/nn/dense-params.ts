import type { Matrix } from '../tensor/matrix.ts';

/**
 * The parameters of one dense layer, `y = f(x W + b)`.
 * This is what greedy pre-training (`src/train/pretrain.ts`) hands to the MLP
 * (`src/models/mlp.ts`): the encoder of a DAE or the hidden side of an RBM.
 */
export interface DenseParams {
  /** `[nIn, nOut]` weights (row i holds the weights out of input i). */
  W: Matrix;
  /** `[1, nOut]` biases. */
  b: Matrix;
}

/** Frees every W and b of `stack` (e.g. a pre-trained stack once the MLP has copied it). */
export function disposeStack(stack: readonly DenseParams[]): void {
  for (const p of stack) {
    p.W.dispose();
    p.b.dispose();
  }
}
