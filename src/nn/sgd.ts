import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import type { GradientTarget } from './fused-update.ts';
import type { Param } from './layer.ts';
import type { Optimizer } from './optimizer.ts';
import type { Penalties } from './penalties.ts';
import { learningRateAt } from './schedule.ts';

/**
 * Stochastic gradient descent settings (the `finetune` and `pretrain` config sections; the
 * schema in `src/train/config.ts` checks their ranges).
 */
export interface SgdConfig extends Penalties {
  /** Base learning rate (> 0). */
  lr: number;
  /** Momentum in [0, 1); 0 is plain SGD as in the paper. */
  momentum: number;
  /** Learning rate after t epochs is `lr / (1 + lrDecay * t)` ({@link learningRateAt}, `src/nn/schedule.ts`). */
  lrDecay: number;
}

/** How {@link Sgd} takes an update with momentum from a gradient kernel. */
export interface SgdOptions {
  /**
   * true (default): the gradient kernel writes into the velocity (`v <- m v - lr g`), then the
   * penalties and `param += v` (fine-tuning). false: the gradient kernel writes `grad`, then the
   * `sgdUpdate` kernel does `step()`'s update of that param (pre-training, whose numbers were
   * made that way). Both are the same update up to float rounding; without momentum the choice
   * does not matter.
   */
  fuseMomentum?: boolean;
}

/**
 * SGD with optional momentum over a fixed list of params, minimising the loss plus the
 * penalties `l1 ||W||_1 + l2 ||W||_2^2` on the `penalized` params only (the project's one penalty
 * convention, see {@link Optimizer}): the gradient gains `l1 sign(W) + 2 l2 W`. L1 is added to
 * the gradient with `signAxpy`; L2 is fused into the `sgdUpdate` kernel as weight decay `2 * l2`.
 * Velocity buffers exist only when momentum > 0; `state()` exposes them for checkpoints.
 * Inputs are trusted: the config schema checked them.
 *
 * Besides `step()` (update from every param's `grad`), Sgd is a fused updater: a model writes
 * each gradient `g` straight into the target `begin(i)` returns (the MLP's `trainStep`, the
 * RBM's `cdGradients`, the DAE's `daeGradients` do). Per param, with `l2' = 2 * l2` and `l1`
 * on penalized params (0 on the others):
 * - momentum 0, l1 = 0: target `param` with `alpha = -lr, beta = 1`, after scaling `param` by
 *   `1 - lr * l2'` when `l2' != 0`: `param <- (1 - lr l2') param - lr g` in the gradient kernel
 *   itself; `grad` is not written.
 * - momentum 0, l1 != 0: target `grad` (`alpha = 1, beta = 0`), then exactly `step()`'s update.
 * - momentum m > 0, `fuseMomentum` (default): target the velocity with `alpha = -lr, beta = m`
 *   (`v <- m v - lr g`), then `v <- v - lr (l1 sign(param) + l2' param)`, `param <- param + v`;
 *   `grad` is not written.
 * - momentum m > 0, `fuseMomentum: false`: target `grad`, then exactly `step()`'s update.
 * Each equals `step()` up to float rounding, and is deterministic.
 */
export class Sgd implements Optimizer {
  lr: number;
  private readonly velocities: (Matrix | null)[];
  private readonly targets: GradientTarget[];
  private readonly fuseMomentum: boolean;

  constructor(
    private readonly backend: Backend,
    readonly params: readonly Param[],
    readonly config: SgdConfig,
    options: SgdOptions = {},
  ) {
    this.lr = config.lr;
    this.fuseMomentum = options.fuseMomentum ?? true;
    this.velocities = params.map((p) => (config.momentum > 0 ? backend.zeros(p.value.rows, p.value.cols) : null));
    this.targets = params.map((p) => ({ out: p.value, alpha: -this.lr, beta: 1 }));
  }

  setEpoch(t: number): void {
    this.lr = learningRateAt(this.config, t);
  }

  /** Where param `index`'s gradient goes (see the class comment). */
  begin(index: number): GradientTarget {
    const p = this.params[index]!, v = this.velocities[index]!, t = this.targets[index]!;
    if (v && this.fuseMomentum) {
      t.out = v;
      t.alpha = -this.lr;
      t.beta = this.config.momentum;
    } else if (v || (p.penalized && this.config.l1 !== 0)) {
      t.out = p.grad;
      t.alpha = 1;
      t.beta = 0;
    } else {
      const l2 = p.penalized ? 2 * this.config.l2 : 0;
      if (l2 !== 0) this.backend.scale(1 - this.lr * l2, p.value);
      t.out = p.value;
      t.alpha = -this.lr;
      t.beta = 1;
    }
    return t;
  }

  /** Completes param `index`'s update once its target is written. */
  finish(index: number): void {
    const be = this.backend, p = this.params[index]!, v = this.velocities[index]!;
    const l1 = p.penalized ? this.config.l1 : 0, l2 = p.penalized ? 2 * this.config.l2 : 0;
    if (v && this.fuseMomentum) {
      if (l1 !== 0) be.signAxpy(-this.lr * l1, p.value, v);
      if (l2 !== 0) be.axpy(-this.lr * l2, p.value, v);
      be.axpy(1, v, p.value);
    } else if (v || l1 !== 0) {
      this.update(index);
    }
  }

  step(): void {
    for (let i = 0; i < this.params.length; i++) this.update(i);
  }

  /** `step()`'s update of param `i` from its `grad` (L1 is added into `grad`). */
  private update(i: number): void {
    const be = this.backend, p = this.params[i]!, { l1, l2, momentum } = this.config;
    if (p.penalized && l1 !== 0) be.signAxpy(l1, p.value, p.grad);
    be.sgdUpdate(p.value, p.grad, this.velocities[i]!, this.lr, momentum, p.penalized ? 2 * l2 : 0);
  }

  /** Momentum buffers named `<param>.velocity` (empty without momentum); live, for checkpoints. */
  state(): { name: string; value: Matrix }[] {
    const out: { name: string; value: Matrix }[] = [];
    this.velocities.forEach((v, i) => {
      if (v) out.push({ name: `${this.params[i]!.name}.velocity`, value: v });
    });
    return out;
  }

  dispose(): void {
    for (const v of this.velocities) v?.dispose();
  }
}
