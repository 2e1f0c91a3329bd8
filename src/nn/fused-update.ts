import type { Matrix } from '../tensor/matrix.ts';
import type { Param } from './layer.ts';

/**
 * Where a kernel that computes a parameter's gradient `g` should write it so that an optimiser
 * step happens in the same pass: `out <- alpha * g + beta * out`. Both gradient kernels of a
 * dense layer take this form (`gemm(true, false, alpha, x, da, beta, out)` for `g = x^T da`,
 * `colSums(da, out, alpha, beta)` for `g = colSums(da)`).
 *
 * Plain SGD, for example, targets the parameter itself with `alpha = -lr, beta = 1`
 * (`W <- W - lr g`: no gradient buffer is written and no separate update pass is made).
 */
export interface GradientTarget {
  out: Matrix;
  alpha: number;
  beta: number;
}

/**
 * An optimiser that can take its update of one parameter straight from the kernel that
 * computes the gradient (see {@link GradientTarget}). For each parameter, in any order, a
 * caller does: `t = begin(i)`, writes `t.out <- t.alpha * g_i + t.beta * t.out`, then
 * `finish(i)`. The result equals `step()` after a full gradient pass up to float rounding.
 * A layer must call `begin` only once the old parameter value is no longer needed (e.g. after
 * `dx = da W^T` has used the old W).
 */
export interface FusedUpdater {
  /** Prepares the update of param `index` (its position in the optimiser's list); returns where to write. */
  begin(index: number): GradientTarget;
  /** Completes the update of param `index` after its gradient has been written to the target. */
  finish(index: number): void;
}

/**
 * A {@link FusedUpdater} that updates nothing: param `i`'s gradient is written into
 * `params[i].grad` (`alpha = 1, beta = 0`, overwriting). For gradient checks, and for callers
 * that want the gradients themselves (then `optimizer.step()`).
 */
export function gradientsOnly(params: readonly Param[]): FusedUpdater {
  const targets = params.map((p): GradientTarget => ({ out: p.grad, alpha: 1, beta: 0 }));
  return { begin: (i) => targets[i]!, finish: () => {} };
}

/** `t = updater.begin(index)`, `write(t)` (which must set `t.out <- t.alpha g + t.beta t.out`), `updater.finish(index)`. */
export function writeGradient(updater: FusedUpdater, index: number, write: (t: GradientTarget) => void): void {
  write(updater.begin(index));
  updater.finish(index);
}
