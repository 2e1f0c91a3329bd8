import type { FloatArray } from '../../tensor/matrix.ts';

/**
 * The `adamUpdate` kernel (`src/tensor/kernels.ts`) as one obvious loop over the elements, in
 * the dtype of the arrays (float32 or float64): Adam's moment updates and step (Kingma & Ba 2015,
 * Algorithm 1, with the bias corrections `c1 = 1 - beta1^t`, `c2 = 1 - beta2^t` passed in) plus
 * AdamW's decoupled decay (Loshchilov & Hutter 2019, Algorithm 2, line 12):
 *
 *   g' = g + l2 w
 *   m <- beta1 m + (1 - beta1) g'
 *   v <- beta2 v + (1 - beta2) g'^2
 *   w <- w - lr (m / c1) / (sqrt(v / c2) + eps) - lr decay w
 *
 * `m` and `v` are read back after they are stored, so a float32 run uses the rounded moments the
 * next step will see, as the fast backends do.
 */
export function adamUpdateLoop(
  W: FloatArray, G: FloatArray, M: FloatArray, V: FloatArray,
  lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number, l2: number, decay: number,
): void {
  for (let i = 0; i < W.length; i++) {
    const w = W[i]!, g = G[i]! + l2 * w;
    M[i] = beta1 * M[i]! + (1 - beta1) * g;
    V[i] = beta2 * V[i]! + (1 - beta2) * g * g;
    W[i] = w - (lr * (M[i]! / c1)) / (Math.sqrt(V[i]! / c2) + eps) - lr * decay * w;
  }
}
