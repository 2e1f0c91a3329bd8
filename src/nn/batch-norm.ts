/**
 * Batch normalisation (Ioffe & Szegedy 2015, Algorithm 1 and 2) as a layer placed after a dense
 * or convolutional layer. Input and output: `[batch, S * C]` (NHWC rows, channel fastest; S = H * W
 * positions, 1 after a dense layer), normalised per channel over the `batch * S` rows of the
 * `[batch * S, C]` view:
 *
 *   training:    mu_c = mean over rows of x[., c],  var_c = biased variance,
 *                xh = (x - mu_c) / sqrt(var_c + eps),  y = gamma_c xh + beta_c
 *   evaluation:  the same with the running estimates in place of mu_c and var_c
 *
 * The running estimates follow PyTorch: after each training forward,
 * `running = (1 - momentum) running + momentum batchStat`, with the unbiased variance
 * `var_c * n / (n - 1)` (n = batch * S) for `runningVar`. `var_c` is recovered from the kernel's
 * `invStd` as `1 / invStd^2 - eps`.
 *
 * Backward (training), with n rows and the batch statistics (Ioffe & Szegedy 2015, Section 3):
 *   dbeta_c = sum_r dy,   dgamma_c = sum_r dy xh,
 *   dx = (gamma_c invStd_c / n) (n dy - dbeta_c - xh dgamma_c)
 * (the kernels `batchNormForward` / `batchNormBackward`). After an evaluation forward, backward is
 * that of the fixed affine map: `dx = gamma_c invStd_c dy`, dgamma and dbeta as above.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { ShapeError } from '../tensor/shapes.ts';
import type { Layer, Param } from './layer.ts';
import { assertEps, assertPositiveInteger } from './norm-checks.ts';

/** Options of {@link BatchNorm}; defaults are PyTorch's. */
export interface BatchNormOptions {
  /** Weight of the new batch statistic in the running estimates (default 0.1). */
  readonly momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps?: number;
}

/** The error message of a training forward on a batch of one example. */
export const BATCH_NORM_BATCH_1 =
  "batch normalisation cannot train on a batch of 1 (the batch variance is zero): use finetune.batchSize >= 2, or model.norm 'group'/'layer'";

interface BatchNormBuffers {
  y: Matrix; // [batch, nIn]
  dx: Matrix | null; // [batch, nIn], allocated on first backward
}

/**
 * Batch normalisation over `channels` channels at `spatial` positions per example: nIn = nOut =
 * spatial * channels. Params `gamma` (ones) and `beta` (zeros), `[1, C]`, not penalized; buffers
 * `runningMean` (zeros) and `runningVar` (ones), `[1, C]`. Refuses to train on a batch of 1.
 */
export class BatchNorm implements Layer {
  readonly nIn: number;
  readonly nOut: number;
  readonly momentum: number;
  readonly eps: number;
  /** `[1, C]` scale and shift (live; owned by this layer) and their gradients. */
  readonly gamma: Matrix;
  readonly beta: Matrix;
  readonly dgamma: Matrix;
  readonly dbeta: Matrix;
  /** `[1, C]` running estimates of the mean and the (unbiased) variance, used in evaluation. */
  readonly runningMean: Matrix;
  readonly runningVar: Matrix;
  /** `[1, C]` statistics of the last training batch (mean, 1 / sqrt(var + eps)). */
  private readonly batchMean: Matrix;
  private readonly batchInvStd: Matrix;
  /** `[1, C]` 1 / sqrt(runningVar + eps) of the last evaluation forward, and zeros. */
  private readonly evalInvStd: Matrix;
  private readonly zerosC: Matrix;
  private readonly cache = new Map<number, BatchNormBuffers>();
  private lastX: Matrix | null = null;
  private lastBuf: BatchNormBuffers | null = null;
  private lastTrain = false;
  private readonly paramList: readonly Param[];
  private readonly bufferList: readonly { name: string; value: Matrix }[];

  /**
   * @param channels C, the normalised channels (the columns of the `[batch * S, C]` view)
   * @param spatial S = H * W positions per example (1 after a dense layer)
   */
  constructor(
    private readonly backend: Backend,
    readonly channels: number,
    readonly spatial: number,
    options: BatchNormOptions = {},
  ) {
    assertPositiveInteger('BatchNorm', 'channels', channels);
    assertPositiveInteger('BatchNorm', 'spatial', spatial);
    const { momentum = 0.1, eps = 1e-5 } = options;
    if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`BatchNorm: momentum is ${momentum} but must be in [0, 1] (default 0.1)`);
    assertEps('BatchNorm', eps);
    this.momentum = momentum;
    this.eps = eps;
    this.nIn = this.nOut = channels * spatial;
    const vec = (value: number): Matrix => {
      const m = backend.zeros(1, channels);
      if (value !== 0) backend.fill(m, value);
      return m;
    };
    this.gamma = vec(1);
    this.beta = vec(0);
    this.dgamma = vec(0);
    this.dbeta = vec(0);
    this.runningMean = vec(0);
    this.runningVar = vec(1);
    this.batchMean = vec(0);
    this.batchInvStd = vec(0);
    this.evalInvStd = vec(0);
    this.zerosC = vec(0);
    this.paramList = [
      { name: 'gamma', value: this.gamma, grad: this.dgamma, penalized: false },
      { name: 'beta', value: this.beta, grad: this.dbeta, penalized: false },
    ];
    this.bufferList = [
      { name: 'runningMean', value: this.runningMean },
      { name: 'runningVar', value: this.runningVar },
    ];
  }

  private buffersFor(batch: number): BatchNormBuffers {
    let buf = this.cache.get(batch);
    if (!buf) {
      buf = { y: this.backend.zeros(batch, this.nOut), dx: null };
      this.cache.set(batch, buf);
    }
    return buf;
  }

  /**
   * `x`: `[batch, S * C]` -> `y`: `[batch, S * C]`, normalised with the batch statistics (and the
   * running estimates updated) when `train`, else with the running estimates.
   */
  forward(x: Matrix, train: boolean): Matrix {
    if (x.cols !== this.nIn) {
      throw new ShapeError(`BatchNorm.forward: input has ${x.cols} features but the layer expects ${this.nIn} ([batch, ${this.spatial} * ${this.channels}])`);
    }
    const be = this.backend, C = this.channels;
    const buf = this.buffersFor(x.rows);
    if (train) {
      if (x.rows === 1) throw new Error(BATCH_NORM_BATCH_1);
      be.batchNormForward(x, C, this.gamma, this.beta, this.eps, this.batchMean, this.batchInvStd, buf.y);
      this.updateRunning(x.rows * this.spatial);
    } else {
      const rv = this.runningVar.data, is = this.evalInvStd.data;
      for (let c = 0; c < C; c++) is[c] = 1 / Math.sqrt(rv[c]! + this.eps);
      be.channelAffine(x, C, this.runningMean, this.evalInvStd, this.gamma, this.beta, buf.y);
    }
    this.lastX = x;
    this.lastBuf = buf;
    this.lastTrain = train;
    return buf.y;
  }

  /** `running <- (1 - momentum) running + momentum batchStat`, unbiased variance over n rows. */
  private updateRunning(n: number): void {
    const mom = this.momentum, eps = this.eps;
    const mu = this.batchMean.data, is = this.batchInvStd.data;
    const rm = this.runningMean.data, rv = this.runningVar.data;
    for (let c = 0; c < this.channels; c++) {
      const variance = Math.max(0, 1 / (is[c]! * is[c]!) - eps);
      rm[c] = (1 - mom) * rm[c]! + mom * mu[c]!;
      rv[c] = (1 - mom) * rv[c]! + mom * variance * (n / (n - 1));
    }
  }

  /** `dy`: `[batch, S * C]` -> writes dgamma, dbeta; returns dx `[batch, S * C]` or null. */
  backward(dy: Matrix, needInputGrad: boolean): Matrix | null {
    const x = this.lastX, buf = this.lastBuf;
    if (!x || !buf) throw new Error('BatchNorm.backward: call forward first (backward uses the saved input and statistics)');
    if (dy.rows !== x.rows || dy.cols !== this.nOut) {
      throw new ShapeError(`BatchNorm.backward: dy must be [${x.rows}, ${this.nOut}] like the last output, but is [${dy.rows}, ${dy.cols}]`);
    }
    const be = this.backend, C = this.channels;
    const dx = (buf.dx ??= be.zeros(x.rows, this.nIn));
    if (this.lastTrain) {
      be.batchNormBackward(x, dy, C, this.batchMean, this.batchInvStd, this.gamma, dx, this.dgamma, this.dbeta);
    } else {
      // dgamma and dbeta have the training formulas with the running statistics; dx is the affine map's.
      be.batchNormBackward(x, dy, C, this.runningMean, this.evalInvStd, this.gamma, dx, this.dgamma, this.dbeta);
      be.channelAffine(dy, C, this.zerosC, this.evalInvStd, this.gamma, this.zerosC, dx);
    }
    return needInputGrad ? dx : null;
  }

  params(): readonly Param[] {
    return this.paramList;
  }

  buffers(): readonly { name: string; value: Matrix }[] {
    return this.bufferList;
  }

  dispose(): void {
    for (const m of [this.gamma, this.beta, this.dgamma, this.dbeta, this.runningMean, this.runningVar]) m.dispose();
    for (const m of [this.batchMean, this.batchInvStd, this.evalInvStd, this.zerosC]) m.dispose();
    for (const buf of this.cache.values()) {
      buf.y.dispose();
      buf.dx?.dispose();
    }
    this.cache.clear();
    this.lastX = this.lastBuf = null;
  }
}
