/**
 * The convergence criterion of training without early stopping (Erhan et al. 2010, Section 7.4,
 * Experiment 4 / Fig. 10: networks "run to convergence" so that early stopping, itself a
 * regularizer, does not decide the training error). Training has converged after epoch e when the
 * last `window` epochs brought less than the fraction `tol` of the whole decrease of the training
 * NLL since the first epoch:
 *
 *     nll[e - window] - nll[e] < tol * (nll[1] - nll[e])
 *
 * Scale-free where a relative criterion ((nll[e - W] - nll[e]) / nll[e - W] < tol) is not: a
 * network that fits its training set drives the NLL towards 0 by a roughly constant factor per
 * epoch and never passes a relative test, while a network still on the plateau at chance of its
 * first epochs (the NLL creeping down from log(#classes)) passes it at once. Here a creeping
 * plateau has made all of its (small) progress in the last few epochs, so it does not pass either
 * (a plateau longer than the window after an early drop still can: choose the window longer than
 * the plateaus). No decrease since the first epoch is never convergence; a training NLL that went
 * up over the window has converged (no progress is being made). Before epoch `window + 1` there is
 * no window to judge, so training never stops before it.
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
 * @param tol fraction in (0, 1) of the decrease since the first epoch
 */
export function hasConverged(history: readonly EpochMetrics[], window: number, tol: number): boolean {
  const ft = history.filter((h) => h.phase === 'finetune');
  if (ft.length <= window) return false;
  const first = epochTrainNll(ft[0]!), then = epochTrainNll(ft[ft.length - 1 - window]!), now = epochTrainNll(ft[ft.length - 1]!);
  if (first === undefined || then === undefined || now === undefined) return false;
  const total = first - now;
  return total > 0 && then - now < tol * total;
}
