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
export interface Kernels {
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

/** A backend is a complete set of kernels plus lifecycle. */
export interface Backend extends Kernels {
  /** One-line description (e.g. SIMD level, BLAS library) for logs and benchmarks. */
  readonly description: string;
  /** The exact numeric variant as fields (BLAS core type, wasm build, CPU, ...), for records and checkpoints. */
  readonly variant: NumericVariant;
}
