import type { Backend } from '../tensor/kernels.ts';
import type { Param } from './layer.ts';

/**
 * Penalty strengths added to the supervised objective (Erhan et al. 2010, footnote 5 and
 * Section 7.5): `l1 * ||W||_1 + l2 * ||W||_2^2`, summed over weight matrices only (biases
 * are not penalized).
 */
export interface Penalties {
  l1: number;
  l2: number;
}

/** `l1 * sum |W| + l2 * sum W^2` over the `penalized` params. */
export function penaltyValue(backend: Backend, params: readonly Param[], p: Penalties): number {
  let s = 0;
  for (const q of params) {
    if (!q.penalized) continue;
    if (p.l1 !== 0) s += p.l1 * backend.sumAbs(q.value);
    if (p.l2 !== 0) s += p.l2 * backend.sumSquares(q.value);
  }
  return s;
}

/** `grad += l1 * sign(W) + 2 * l2 * W` for every `penalized` param (the penalty's gradient). */
export function addPenaltyGradients(backend: Backend, params: readonly Param[], p: Penalties): void {
  for (const q of params) {
    if (!q.penalized) continue;
    if (p.l1 !== 0) backend.signAxpy(p.l1, q.value, q.grad);
    if (p.l2 !== 0) backend.axpy(2 * p.l2, q.value, q.grad);
  }
}
