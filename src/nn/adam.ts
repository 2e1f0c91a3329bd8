/**
 * Adam (Kingma & Ba 2015, Algorithm 1) and AdamW (Loshchilov & Hutter 2019, Algorithm 2) over a
 * fixed list of params, through the one {@link Optimizer} interface.
 *
 * For param w with gradient g of the loss, at its t-th update (t = 1, 2, ...):
 *
 *   g' = g + l1 sign(w) + 2 l2 w                   the house penalties, `penalized` params only
 *   m  <- beta1 m + (1 - beta1) g'                 first moment
 *   v  <- beta2 v + (1 - beta2) g'^2               second moment
 *   w  <- w - lr (m / c1) / (sqrt(v / c2) + eps)   c1 = 1 - beta1^t, c2 = 1 - beta2^t (bias corrections)
 *          - lr weightDecay w                      AdamW's decoupled decay, `penalized` params only
 *
 * L1 is added into `grad` with `signAxpy`; the L2 gradient and the decay are fused into the
 * `adamUpdate` kernel. The penalties (l1, l2) go through the moments like the loss gradient (the
 * coupled "Adam with L2" that AdamW's paper contrasts with); `weightDecay` does not, and like the
 * penalties it applies to the weights, never to the biases (the house convention, see
 * {@link Optimizer}; PyTorch's AdamW decays every param unless told otherwise).
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import type { GradientTarget } from './fused-update.ts';
import type { Param } from './layer.ts';
import type { Optimizer } from './optimizer.ts';
import type { Penalties } from './penalties.ts';
import { learningRateAt } from './schedule.ts';

/** Adam's settings (the `finetune` config section's `lr`, `beta1`, `beta2`, `eps`, `weightDecay`, `l1`, `l2`). */
export interface AdamConfig extends Penalties {
  /** Step size (> 0). */
  lr: number;
  /** Decay of the first moment, in [0, 1) (0.9 in the paper). */
  beta1: number;
  /** Decay of the second moment, in [0, 1) (0.999 in the paper). */
  beta2: number;
  /** Added to sqrt(v^) (> 0; 1e-8 in the paper). */
  eps: number;
  /** AdamW's decoupled weight decay (>= 0); 0 is Adam. */
  weightDecay: number;
  /** {@link Optimizer.setEpoch} sets `lr / (1 + lrDecay t)` (default 0: constant). */
  lrDecay?: number;
}

/**
 * Adam / AdamW; see the module comment. As a fused updater, `begin(i)` hands out `params[i].grad`
 * (`alpha = 1, beta = 0`: the model writes the plain gradient) and `finish(i)` takes param i's
 * step, so `Mlp.trainStep` (fused) and `gradients()` then `step()` give the same numbers.
 *
 * Each param counts its own steps (a `[1, 1]` matrix, exact up to 2^24 updates in float32;
 * beyond that the bias corrections are 1 to float precision anyway). `state()` exposes the
 * moments and the counts, so a run resumed from a checkpoint continues bit-identically.
 */
export class Adam implements Optimizer {
  lr: number;
  private readonly m: Matrix[];
  private readonly v: Matrix[];
  private readonly steps: Matrix[];
  private readonly targets: GradientTarget[];

  constructor(
    private readonly backend: Backend,
    readonly params: readonly Param[],
    readonly config: AdamConfig,
  ) {
    this.lr = config.lr;
    this.m = params.map((p) => backend.zeros(p.value.rows, p.value.cols));
    this.v = params.map((p) => backend.zeros(p.value.rows, p.value.cols));
    this.steps = params.map(() => backend.zeros(1, 1));
    this.targets = params.map((p) => ({ out: p.grad, alpha: 1, beta: 0 }));
  }

  setEpoch(t: number): void {
    this.lr = learningRateAt({ lr: this.config.lr, lrDecay: this.config.lrDecay ?? 0 }, t);
  }

  /** Param `index`'s gradient goes to its `grad` buffer, overwritten. */
  begin(index: number): GradientTarget {
    return this.targets[index]!;
  }

  /** Param `index`'s step from its `grad` (which gains the L1 term). */
  finish(index: number): void {
    const be = this.backend, p = this.params[index]!, { beta1, beta2, eps, l1, l2, weightDecay } = this.config;
    const count = this.steps[index]!.data;
    const t = count[0]! + 1;
    count[0] = t;
    if (p.penalized && l1 !== 0) be.signAxpy(l1, p.value, p.grad);
    const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
    be.adamUpdate(p.value, p.grad, this.m[index]!, this.v[index]!, this.lr, beta1, beta2, eps, c1, c2, p.penalized ? 2 * l2 : 0, p.penalized ? weightDecay : 0);
  }

  step(): void {
    for (let i = 0; i < this.params.length; i++) this.finish(i);
  }

  /** `<param>.m`, `<param>.v` (the moments) and `<param>.step` (`[1, 1]`: updates taken); live, for checkpoints. */
  state(): { name: string; value: Matrix }[] {
    return this.params.flatMap((p, i) => [
      { name: `${p.name}.m`, value: this.m[i]! },
      { name: `${p.name}.v`, value: this.v[i]! },
      { name: `${p.name}.step`, value: this.steps[i]! },
    ]);
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v, ...this.steps]) x.dispose();
  }
}
