/**
 * Group normalisation (Wu & He 2018, Eq. 1-3 and Figure 3's code) as a layer placed after a dense
 * or convolutional layer. Input and output: `[batch, S * C]` (NHWC rows, channel fastest; S = H * W
 * positions, 1 after a dense layer). The C channels are split into `groups` consecutive groups of
 * C / groups; per example n and group g, over its m = S * C / groups numbers:
 *
 *   mu = mean,  var = biased variance,  xh = (x - mu) / sqrt(var + eps),  y = gamma_c xh + beta_c
 *
 * The statistics are each example's own, so training and evaluation compute the same function
 * and a batch of 1 is fine. Layer normalisation (Ba et al. 2016) is one group
 * (`src/nn/layer-norm.ts`); one channel per group is instance normalisation.
 *
 * Backward, per (n, g), with dxh = dy gamma_c:
 *   dx = (invStd / m) (m dxh - sum dxh - xh sum(dxh xh)),
 *   dgamma_c = sum over examples and positions of dy xh,   dbeta_c = sum of dy
 * (the kernels `groupNormForward` / `groupNormBackward`).
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { ShapeError } from '../tensor/shapes.ts';
import type { Layer, Param } from './layer.ts';
import { assertEps, assertPositiveInteger } from './norm-checks.ts';

/** Options of {@link GroupNorm}. */
export interface GroupNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps?: number;
}

interface GroupNormBuffers {
  y: Matrix; // [batch, nIn]
  mean: Matrix; // [batch, groups]
  invStd: Matrix; // [batch, groups]
  dx: Matrix | null; // [batch, nIn], allocated on first backward
}

/** The divisors of n, ascending (for error messages). */
function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/**
 * Group normalisation over `channels` channels at `spatial` positions per example, in `groups`
 * groups (which must divide `channels`): nIn = nOut = spatial * channels. Params `gamma` (ones)
 * and `beta` (zeros), `[1, C]`, not penalized; no buffers.
 */
export class GroupNorm implements Layer {
  readonly nIn: number;
  readonly nOut: number;
  readonly eps: number;
  /** `[1, C]` scale and shift (live; owned by this layer) and their gradients. */
  readonly gamma: Matrix;
  readonly beta: Matrix;
  readonly dgamma: Matrix;
  readonly dbeta: Matrix;
  private readonly cache = new Map<number, GroupNormBuffers>();
  private lastX: Matrix | null = null;
  private lastBuf: GroupNormBuffers | null = null;
  private readonly paramList: readonly Param[];

  /**
   * @param channels C (the last, fastest axis of an NHWC row)
   * @param spatial S = H * W positions per example (1 after a dense layer)
   * @param groups number of channel groups; must divide `channels` (1: layer norm)
   */
  constructor(
    private readonly backend: Backend,
    readonly channels: number,
    readonly spatial: number,
    readonly groups: number,
    options: GroupNormOptions = {},
  ) {
    assertPositiveInteger('GroupNorm', 'channels', channels);
    assertPositiveInteger('GroupNorm', 'spatial', spatial);
    if (!(Number.isInteger(groups) && groups >= 1 && channels % groups === 0)) {
      throw new RangeError(
        `GroupNorm: groups ${groups} does not divide channels ${channels}; use a divisor of ${channels} (${divisors(channels).join(', ')})`,
      );
    }
    const { eps = 1e-5 } = options;
    assertEps('GroupNorm', eps);
    this.eps = eps;
    this.nIn = this.nOut = channels * spatial;
    this.gamma = backend.zeros(1, channels);
    backend.fill(this.gamma, 1);
    this.beta = backend.zeros(1, channels);
    this.dgamma = backend.zeros(1, channels);
    this.dbeta = backend.zeros(1, channels);
    this.paramList = [
      { name: 'gamma', value: this.gamma, grad: this.dgamma, penalized: false },
      { name: 'beta', value: this.beta, grad: this.dbeta, penalized: false },
    ];
  }

  private buffersFor(batch: number): GroupNormBuffers {
    let buf = this.cache.get(batch);
    if (!buf) {
      const be = this.backend;
      buf = { y: be.zeros(batch, this.nOut), mean: be.zeros(batch, this.groups), invStd: be.zeros(batch, this.groups), dx: null };
      this.cache.set(batch, buf);
    }
    return buf;
  }

  /** `x`: `[batch, S * C]` -> `y`: `[batch, S * C]` (the same in training and evaluation). */
  forward(x: Matrix, _train: boolean): Matrix {
    if (x.cols !== this.nIn) {
      throw new ShapeError(`GroupNorm.forward: input has ${x.cols} features but the layer expects ${this.nIn} ([batch, ${this.spatial} * ${this.channels}])`);
    }
    const buf = this.buffersFor(x.rows);
    this.backend.groupNormForward(x, this.channels, this.groups, this.gamma, this.beta, this.eps, buf.mean, buf.invStd, buf.y);
    this.lastX = x;
    this.lastBuf = buf;
    return buf.y;
  }

  /** `dy`: `[batch, S * C]` -> writes dgamma, dbeta; returns dx `[batch, S * C]` or null. */
  backward(dy: Matrix, needInputGrad: boolean): Matrix | null {
    const x = this.lastX, buf = this.lastBuf;
    if (!x || !buf) throw new Error('GroupNorm.backward: call forward first (backward uses the saved input and statistics)');
    if (dy.rows !== x.rows || dy.cols !== this.nOut) {
      throw new ShapeError(`GroupNorm.backward: dy must be [${x.rows}, ${this.nOut}] like the last output, but is [${dy.rows}, ${dy.cols}]`);
    }
    const dx = (buf.dx ??= this.backend.zeros(x.rows, this.nIn));
    this.backend.groupNormBackward(x, dy, this.channels, this.groups, buf.mean, buf.invStd, this.gamma, dx, this.dgamma, this.dbeta);
    return needInputGrad ? dx : null;
  }

  params(): readonly Param[] {
    return this.paramList;
  }

  dispose(): void {
    for (const m of [this.gamma, this.beta, this.dgamma, this.dbeta]) m.dispose();
    for (const buf of this.cache.values()) {
      for (const m of [buf.y, buf.mean, buf.invStd]) m.dispose();
      buf.dx?.dispose();
    }
    this.cache.clear();
    this.lastX = this.lastBuf = null;
  }
}
