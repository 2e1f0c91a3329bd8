import type { Matrix } from '../tensor/matrix.ts';
import type { FusedUpdater } from './fused-update.ts';
import type { Param } from './layer.ts';

/**
 * What every model trains through: one optimiser over a fixed list of params (the MLP's
 * `parameters()`, the RBM's and the DAE's `params`). A model never updates a parameter itself:
 * it computes each gradient into the target that {@link FusedUpdater.begin} hands it
 * (`out <- alpha g + beta out`) and calls `finish`, or writes every `grad` and lets the caller
 * call `step()`. Where the gradient goes (the parameter itself, a velocity, or the `grad`
 * buffer) is the optimiser's choice, made per configuration.
 *
 * The penalty convention, the same for every model and phase: the criterion minimised is
 * `loss + l1 ||W||_1 + l2 ||W||_2^2` over the `penalized` params (weights, never biases;
 * Erhan et al. 2010, footnote 5 and Section 7.5), so the gradient gains `l1 sign(W) + 2 l2 W`.
 * `Sgd` is the one implementation today; a second (Adam) implements this same interface.
 */
export interface Optimizer extends FusedUpdater {
  /** The params this optimiser updates, in the order `begin`/`finish` index them. */
  readonly params: readonly Param[];
  /** Learning rate of the next update; {@link setEpoch} sets it from the schedule. */
  lr: number;
  /** Sets `lr` for the epoch that follows `t` completed epochs (the learning-rate schedule). */
  setEpoch(t: number): void;
  /** One update of every param from its current `grad`. */
  step(): void;
  /** The optimiser's buffers, named `<param>.<buffer>` (live, for checkpoints). */
  state(): { name: string; value: Matrix }[];
  dispose(): void;
}
