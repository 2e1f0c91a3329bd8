import type { Matrix } from './matrix.ts';
import type { NumericVariant } from './numeric-variant.ts';

/** Element-wise non-linearities a layer may apply (the layer API admits more later). */
export type Activation = 'identity' | 'sigmoid' | 'tanh' | 'relu';

export const ACTIVATIONS: readonly Activation[] = ['identity', 'sigmoid', 'tanh', 'relu'];

/**
 * The typed kernel interface every backend implements, in full.
 *
 * Conventions (they hold for every kernel):
 * - Matrices are row-major; every output is an explicit argument and kernels never allocate
 *   in the hot path. An output may alias an input where the kernel says so.
 * - Vectors (biases) are `[1, n]` matrices.
 * - Random numbers are never drawn inside a kernel: callers pass uniforms drawn from the
 *   seeded generator (`src/rng`), so a seed determines a run on every backend.
 * - Reductions return JavaScript numbers.
 * - Shape mismatches throw an Error naming the operation, the shapes and what to do.
 *
 * The `reference` backend (`src/backends/reference/`) is the specification; every other
 * backend is proven equal to it by `test/backends/conformance.test.ts`.
 */
export interface Kernels extends ModernKernels {
  /** Backend name, e.g. `reference`, `wasm`, `native`. */
  readonly name: string;
  /** Floating-point precision of this backend's matrices. */
  readonly dtype: 'float32' | 'float64';

  // ---- memory -------------------------------------------------------------------------
  /** A new `[rows, cols]` matrix of zeros owned by this backend. */
  zeros(rows: number, cols: number): Matrix;
  /** A new `[rows, cols]` matrix holding a copy of `values` (length `rows * cols`). */
  fromArray(rows: number, cols: number, values: ArrayLike<number>): Matrix;
  /** `dst <- src` (same shape). */
  copy(src: Matrix, dst: Matrix): void;
  /** `x <- value` for every element. */
  fill(x: Matrix, value: number): void;

  // ---- BLAS-like ------------------------------------------------------------------------
  /**
   * General matrix multiply: `C <- alpha * op(A) * op(B) + beta * C`, where `op(X)` is `X`
   * or `X^T`. With `op(A)`: `[M, K]`, `op(B)`: `[K, N]`, `C`: `[M, N]`.
   * When `beta = 0`, `C` is not read (NaN in C does not propagate). C must not alias A or B.
   */
  gemm(transA: boolean, transB: boolean, alpha: number, a: Matrix, b: Matrix, beta: number, c: Matrix): void;
  /** `y <- alpha * x + y` (same shape). */
  axpy(alpha: number, x: Matrix, y: Matrix): void;
  /** `x <- alpha * x`. */
  scale(alpha: number, x: Matrix): void;
  /** `out <- a + b` element-wise (out may alias a or b). */
  add(a: Matrix, b: Matrix, out: Matrix): void;
  /** `out <- a - b` element-wise (out may alias a or b). */
  sub(a: Matrix, b: Matrix, out: Matrix): void;
  /** `out <- a * b` element-wise (out may alias a or b). */
  mul(a: Matrix, b: Matrix, out: Matrix): void;
  /** `out <- mask != 0 ? a : b` element-wise (out may alias any input). */
  where(mask: Matrix, a: Matrix, b: Matrix, out: Matrix): void;

  // ---- bias and activations -------------------------------------------------------------
  /** `out[i, j] <- x[i, j] + bias[0, j]`; x, out: `[batch, n]`, bias: `[1, n]` (out may alias x). */
  addRowVector(x: Matrix, bias: Matrix, out: Matrix): void;
  /** Fused `out <- f(x + bias)` broadcast over rows; x, out: `[batch, n]`, bias: `[1, n]` (out may alias x). */
  biasActivation(f: Activation, x: Matrix, bias: Matrix, out: Matrix): void;
  /** `out <- f(x)` element-wise (out may alias x). */
  activation(f: Activation, x: Matrix, out: Matrix): void;
  /**
   * Fused back-propagation through `f`, written in terms of the layer's output `y = f(a)`:
   * `out <- dy * f'(a)` with sigmoid `y (1 - y)`, tanh `1 - y^2`, relu `[y > 0]`, identity `1`.
   * (out may alias dy.)
   */
  activationBackward(f: Activation, y: Matrix, dy: Matrix, out: Matrix): void;
  /** `out <- log(1 + exp(x))` computed stably (out may alias x). Used by the RBM free energy. */
  softplus(x: Matrix, out: Matrix): void;

  // ---- reductions -----------------------------------------------------------------------
  /** Column sums: `out[0, j] <- beta * out[0, j] + alpha * sum_i x[i, j]`; x: `[m, n]`, out: `[1, n]`. */
  colSums(x: Matrix, out: Matrix, alpha?: number, beta?: number): void;
  /** Row sums: `out[i, 0] <- sum_j x[i, j]`; x: `[m, n]`, out: `[m, 1]`. */
  rowSums(x: Matrix, out: Matrix): void;
  /** Sum of all elements. */
  sum(x: Matrix): number;
  /** Sum of squares of all elements (L2 penalty, squared error). */
  sumSquares(x: Matrix): number;
  /** Sum of absolute values of all elements (L1 penalty). */
  sumAbs(x: Matrix): number;
  /** `y <- alpha * sign(x) + y` (L1 penalty gradient; sign(0) = 0). */
  signAxpy(alpha: number, x: Matrix, y: Matrix): void;
  /** True when every element is finite (no NaN, no +-Infinity). */
  allFinite(x: Matrix): boolean;
  /** `out[i] <- argmax_j x[i, j]` (first maximum wins); out has length `x.rows`. */
  argmaxRows(x: Matrix, out: Int32Array): void;

  // ---- losses ---------------------------------------------------------------------------
  /**
   * Softmax with the negative log-likelihood of integer labels, fused.
   * logits, probs: `[batch, nClasses]`; labels: length batch, each in `[0, nClasses)`.
   * Writes `probs <- softmax(logits)` (row-wise, max-subtracted) and, when `grad` is given,
   * `grad <- scale * (probs - onehot(labels))`. Returns `sum_i -log probs[i, labels[i]]`
   * (unscaled). probs may alias logits; grad may alias probs.
   */
  softmaxCrossEntropy(logits: Matrix, labels: Int32Array, probs: Matrix, grad: Matrix | null, scale: number): number;
  /**
   * Bernoulli cross-entropy `sum -(t log p + (1 - t) log(1 - p))`, with p clamped to
   * `[1e-7, 1 - 1e-7]` (the DAE reconstruction criterion, Erhan et al. 2010 Section 5.1.2).
   */
  binaryCrossEntropy(target: Matrix, p: Matrix): number;

  // ---- sampling -------------------------------------------------------------------------
  /** `out <- u < p ? 1 : 0` element-wise, with `u` uniforms in `[0, 1)` (out may alias p or u). */
  bernoulli(p: Matrix, u: Matrix, out: Matrix): void;

  // ---- optimiser ------------------------------------------------------------------------
  /**
   * Fused SGD step with momentum and L2 weight decay on one parameter:
   * `g' = grad + l2 * param`; with velocity: `v <- momentum * v - lr * g'`, `param <- param + v`;
   * without: `param <- param - lr * g'`.
   */
  sgdUpdate(param: Matrix, grad: Matrix, velocity: Matrix | null, lr: number, momentum: number, l2: number): void;
}

/**
 * Geometry of a 2-D convolution or pooling window over NHWC images (Erhan et al. 2010 has no
 * convolutions; they serve the modern studies). Layout: every example is one row of
 * `height * width * channels` numbers, channel fastest (NHWC), so a `[batch, H*W*C]` matrix viewed
 * as `[batch*H*W, C]` has one pixel per row. Padding is `pad` zeros on every side; the window
 * moves by `stride` in both directions. `outH = floor((height + 2 pad - kernelH) / stride) + 1`,
 * likewise `outW` (both >= 1; `convGeometry` in `src/nn/conv-geometry.ts` computes and checks them).
 */
export interface ConvGeometry {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly stride: number;
  readonly pad: number;
  readonly outH: number;
  readonly outW: number;
}

/**
 * The kernels of the modern building blocks: convolution (im2col + GEMM), pooling, batch and group
 * normalisation, dropout masks and Adam. Same conventions as {@link Kernels}: outputs are
 * arguments, no allocation in the hot path, random numbers come in as uniforms, every shape is
 * checked once by `checkedKernels`.
 */
export interface ModernKernels {
  /**
   * A `[rows, cols]` view of `x`'s numbers (`rows * cols === x.size`), sharing its memory: writes
   * through either are seen by both. The view owns nothing (its `dispose()` frees nothing); it is
   * valid while `x` is.
   */
  reshape(x: Matrix, rows: number, cols: number): Matrix;

  /**
   * im2col over NHWC: `x` holds `batch * H * W * C` numbers (any `[rows, cols]` of that size),
   * `cols`: `[batch * outH * outW, kernelH * kernelW * C]` with
   * `cols[(n, oy, ox), (ky, kx, c)] = x[n, oy*stride - pad + ky, ox*stride - pad + kx, c]`, 0 where
   * the index falls in the padding. Row `(n, oy, ox)` is `(n * outH + oy) * outW + ox`; column
   * `(ky, kx, c)` is `(ky * kernelW + kx) * C + c`.
   */
  im2col(x: Matrix, g: ConvGeometry, cols: Matrix): void;
  /**
   * The adjoint of {@link im2col}: `dx <- sum over the windows of cols` (every `cols` entry is added
   * to the `x` position it was read from; entries that fell in the padding are dropped). `dx` is
   * overwritten (not accumulated into). Shapes as in `im2col`.
   */
  col2im(cols: Matrix, g: ConvGeometry, dx: Matrix): void;

  /**
   * Max pooling over NHWC windows, per channel: `y`: `batch * outH * outW * C` numbers,
   * `y[n, oy, ox, c] = max` over the window of `x[n, iy, ix, c]` (positions in the padding are
   * skipped). `argmax[i]` (length `y.size`) receives the flat index into `x` of the maximum; on
   * ties the first in window order (ky, then kx) wins.
   */
  maxPool(x: Matrix, g: ConvGeometry, y: Matrix, argmax: Int32Array): void;
  /** `dx <- 0`, then `dx[argmax[i]] += dy[i]` for every i (the adjoint of max pooling). */
  maxPoolBackward(dy: Matrix, argmax: Int32Array, dx: Matrix): void;
  /**
   * Average pooling: `y[n, oy, ox, c] = (1 / (kernelH * kernelW)) * sum` over the window of
   * `x[n, iy, ix, c]`, padding counted as zeros (PyTorch's `count_include_pad=True`).
   */
  avgPool(x: Matrix, g: ConvGeometry, y: Matrix): void;
  /** The adjoint of {@link avgPool}: `dx` overwritten with each `dy` spread evenly over its window. */
  avgPoolBackward(dy: Matrix, g: ConvGeometry, dx: Matrix): void;

  /**
   * Batch normalisation, training mode (Ioffe & Szegedy 2015). `x`, `y`: `rows * C` numbers viewed
   * as `[rows, C]` (`rows` = batch for dense layers, batch * H * W for NHWC conv outputs); per
   * channel c: `mean[c] = (1/rows) sum_r x[r, c]`, `var[c] = (1/rows) sum_r (x[r, c] - mean[c])^2`
   * (biased), `invStd[c] = 1 / sqrt(var[c] + eps)`, `y = gamma[c] (x - mean[c]) invStd[c] + beta[c]`.
   * `gamma`, `beta`, `mean`, `invStd`: `[1, C]`; `mean` and `invStd` are written. `rows >= 2`
   * (the layer refuses batch 1 before calling). y may alias x.
   */
  batchNormForward(x: Matrix, channels: number, gamma: Matrix, beta: Matrix, eps: number, mean: Matrix, invStd: Matrix, y: Matrix): void;
  /**
   * Per-channel affine normalisation with given statistics (batch norm in evaluation mode):
   * `y[r, c] = gamma[c] (x[r, c] - mean[c]) invStd[c] + beta[c]`, shapes as in `batchNormForward`,
   * nothing written but y (y may alias x).
   */
  channelAffine(x: Matrix, channels: number, mean: Matrix, invStd: Matrix, gamma: Matrix, beta: Matrix, y: Matrix): void;
  /**
   * Backward of `batchNormForward` with the statistics it wrote: with `xh = (x - mean) invStd`,
   * `dgamma[c] = sum_r dy xh`, `dbeta[c] = sum_r dy` (both overwritten), and
   * `dx = (gamma invStd / rows) (rows dy - dbeta[c] - xh dgamma[c])` (dx may alias dy).
   */
  batchNormBackward(x: Matrix, dy: Matrix, channels: number, mean: Matrix, invStd: Matrix, gamma: Matrix, dx: Matrix, dgamma: Matrix, dbeta: Matrix): void;

  /**
   * Group normalisation (Wu & He 2018), the same in training and evaluation: `x`, `y`: `[batch, S * C]`
   * (S = H * W spatial positions of an NHWC row, 1 for a dense layer), channels split into `groups`
   * consecutive groups of `C / groups`; per example n and group g, the mean and biased variance over
   * its `S * C / groups` numbers, `mean`, `invStd`: `[batch, groups]` (written),
   * `y = gamma[c] (x - mean) invStd + beta[c]`. Layer normalisation is `groups = 1`. y may alias x.
   */
  groupNormForward(x: Matrix, channels: number, groups: number, gamma: Matrix, beta: Matrix, eps: number, mean: Matrix, invStd: Matrix, y: Matrix): void;
  /**
   * Backward of `groupNormForward`: `dgamma`, `dbeta` (`[1, C]`, overwritten) summed over examples
   * and positions, and per (n, g) with m = S C / groups numbers, `dxh = dy gamma`,
   * `dx = (invStd / m) (m dxh - sum dxh - xh sum(dxh xh))` (dx may alias dy).
   */
  groupNormBackward(x: Matrix, dy: Matrix, channels: number, groups: number, mean: Matrix, invStd: Matrix, gamma: Matrix, dx: Matrix, dgamma: Matrix, dbeta: Matrix): void;

  /** Inverted dropout's mask: `mask <- u < keep ? 1 / keep : 0` element-wise, `keep` in (0, 1] (mask may alias u). */
  dropoutMask(u: Matrix, keep: number, mask: Matrix): void;

  /**
   * One Adam / AdamW step on one parameter (Kingma & Ba 2015; Loshchilov & Hutter 2019), with
   * `g' = grad + l2 * param` (the coupled penalty gradient, as `sgdUpdate`'s l2):
   * `m <- beta1 m + (1 - beta1) g'`, `v <- beta2 v + (1 - beta2) g'^2`,
   * `param <- param - lr (m / c1) / (sqrt(v / c2) + eps) - lr * decay * param_old`, where
   * `c1 = 1 - beta1^t`, `c2 = 1 - beta2^t` (the bias corrections of step t, computed by the caller)
   * and `decay` is AdamW's decoupled weight decay (0 for Adam). All matrices the same shape.
   */
  adamUpdate(param: Matrix, grad: Matrix, m: Matrix, v: Matrix, lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number, l2: number, decay: number): void;
}

/** A backend is a complete set of kernels plus lifecycle. */
export interface Backend extends Kernels {
  /** One-line description (e.g. SIMD level, BLAS library) for logs and benchmarks. */
  readonly description: string;
  /** The exact numeric variant as fields (BLAS core type, wasm build, CPU, ...), for records and checkpoints. */
  readonly variant: NumericVariant;
}
