/**
 * The convergence criterion of training without early stopping (Erhan et al. 2010, Section 7.4,
 * Experiment 4 / Fig. 10: networks "run to convergence" so that early stopping, itself a
 * regularizer, does not decide the training error). Training has converged after epoch e when
 * the training NLL improved by less than the fraction `tol` over the last `window` epochs:
 *
 *     (nll[e - window] - nll[e]) / nll[e - window] < tol
 *
 * A training NLL that went up over the window has converged too (no progress is being made).
 * Before epoch `window + 1` there is no window to judge, so training never stops before it.
 */
import type { EpochMetrics } from './hooks.ts';

/** The training NLL of one epoch: on the whole training set when evaluated, else the epoch's mean training objective. */
export function epochTrainNll(m: EpochMetrics): number | undefined {
  return m.values['trainNll'] ?? m.values['trainObjective'];
}

/**
 * True when the fine-tuning `history` (oldest first, one entry per epoch) has converged by the
 * criterion above at its last epoch.
 * @param window W >= 1 epochs
 * @param tol relative improvement threshold in (0, 1)
 */
export function hasConverged(history: readonly EpochMetrics[], window: number, tol: number): boolean {
  const ft = history.filter((h) => h.phase === 'finetune');
  if (ft.length <= window) return false;
  const now = epochTrainNll(ft[ft.length - 1]!), then = epochTrainNll(ft[ft.length - 1 - window]!);
  if (now === undefined || then === undefined || !(then > 0)) return false;
  return (then - now) / then < tol;
}
