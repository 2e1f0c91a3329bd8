import type { Backend } from '../tensor/kernels.ts';
import type { Param } from './layer.ts';

/**
 * Gradient clipping by global norm (Pascanu, Mikolov & Bengio 2013; PyTorch's
 * `clip_grad_norm_`): with `n = sqrt(sum over params of ||grad||^2)`, when `n > maxNorm` every
 * `grad` is scaled by `maxNorm / n` (the direction is kept, the norm becomes `maxNorm`); otherwise
 * nothing changes. Clips the loss gradients the params' `grad` buffers hold; the optimiser adds
 * its penalty terms afterwards.
 * @param maxNorm the threshold (> 0)
 * @returns `n`, the norm before clipping (NaN or infinite when a gradient is)
 */
export function clipGradientNorm(backend: Backend, params: readonly Param[], maxNorm: number): number {
  let sumSquares = 0;
  for (const p of params) sumSquares += backend.sumSquares(p.grad);
  const norm = Math.sqrt(sumSquares);
  if (norm > maxNorm) {
    const k = maxNorm / norm;
    for (const p of params) backend.scale(k, p.grad);
  }
  return norm;
}
