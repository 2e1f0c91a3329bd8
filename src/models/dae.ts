/**
 * The denoising auto-encoder (Erhan et al. 2010, Section 5.1.2; Vincent et al. 2008):
 *
 *   h  = sigmoid(x~ W + b)          encoder, W: [nVisible, nHidden], b: [1, nHidden]
 *   x^ = g(h W' + c)                decoder, W' = W^T (tied) or V: [nHidden, nVisible] (untied)
 *
 * trained to reconstruct the clean x from its corruption x~ (`src/models/corruption.ts`).
 *
 * Losses (summed over visible units, averaged over the batch):
 * - `cross-entropy`: `-sum_j x_j log x^_j + (1 - x_j) log(1 - x^_j)`, with a sigmoid decoder
 *   (the paper's criterion; inputs must lie in [0, 1]).
 * - `squared`: `sum_j (x^_j - x_j)^2`, with the decoder `g` chosen by `decoder`: `sigmoid`
 *   (default: MNIST pixels and sigmoid codes live in [0, 1]) or `identity` (affine decoder for
 *   unbounded real-valued inputs, Vincent et al. 2010).
 *
 * Gradients are derived by hand (written beside the forward pass), with the backend kernels:
 *   dA  = dL/d(hW' + c)             = (x^ - x) / B                    (cross-entropy)
 *                                   = 2 (x^ - x) g'(.) / B            (squared)
 *   dc  = colSums(dA);  dV = h^T dA
 *   dH  = dA W'^T  (tied: dA W);    dAh = dH * h (1 - h)
 *   db  = colSums(dAh); dW = x~^T dAh  (+ dA^T h when tied)
 */
import type { Activation, Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { assertShape } from '../tensor/shapes.ts';
import type { Rng } from '../rng/rng.ts';

export type DaeLoss = 'cross-entropy' | 'squared';

/** Parameters of one DAE. */
export interface DaeParams {
  /** `[nVisible, nHidden]` encoder weights (also the decoder's, transposed, when tied). */
  W: Matrix;
  /** `[1, nHidden]` encoder (hidden) bias. */
  b: Matrix;
  /** `[1, nVisible]` decoder (reconstruction) bias. */
  c: Matrix;
  /** `[nHidden, nVisible]` decoder weights when untied; null when tied (`W' = W^T`). */
  V: Matrix | null;
}

export interface DaeOptions {
  loss: DaeLoss;
  /** Decoder non-linearity; must be `sigmoid` with cross-entropy. Default `sigmoid`. */
  decoder?: 'sigmoid' | 'identity';
}

/** SGD hyperparameters of one update. */
export interface DaeUpdate {
  lr: number;
  momentum: number;
  /** L2 penalty on W (and V), not on the biases. */
  weightDecay: number;
}

/** Work matrices for batches of `batch` rows; allocate once per layer. */
export interface DaeWork {
  h: Matrix; // [batch, nHidden]
  xhat: Matrix; // [batch, nVisible]
  dA: Matrix; // [batch, nVisible]
  dH: Matrix; // [batch, nHidden]
}

/** Gradients (same shapes as the parameters). */
export interface DaeGrads {
  W: Matrix;
  b: Matrix;
  c: Matrix;
  V: Matrix | null;
}

/** Everything one layer's SGD needs besides the parameters: work, gradients, velocities. */
export interface DaeState {
  work: DaeWork;
  grads: DaeGrads;
  /** Momentum velocities, null when momentum is 0. */
  velocity: DaeGrads | null;
}

/**
 * A new DAE: W uniform in `[-1/sqrt(nVisible), 1/sqrt(nVisible)]` (Section 5.3's fan-in rule),
 * V (untied) uniform in `[-1/sqrt(nHidden), 1/sqrt(nHidden)]`, biases zero. Draws W then V from `init`.
 */
export function createDae(backend: Backend, nVisible: number, nHidden: number, tied: boolean, init: Rng): DaeParams {
  const W = backend.zeros(nVisible, nHidden);
  const bw = 1 / Math.sqrt(nVisible);
  init.fillUniform(W.data, -bw, bw);
  let V: Matrix | null = null;
  if (!tied) {
    V = backend.zeros(nHidden, nVisible);
    const bv = 1 / Math.sqrt(nHidden);
    init.fillUniform(V.data, -bv, bv);
  }
  return { W, b: backend.zeros(1, nHidden), c: backend.zeros(1, nVisible), V };
}

export function daeShapes(p: DaeParams): { nVisible: number; nHidden: number } {
  return { nVisible: p.W.rows, nHidden: p.W.cols };
}

function zerosLike(backend: Backend, p: DaeParams): DaeGrads {
  return {
    W: backend.zeros(p.W.rows, p.W.cols),
    b: backend.zeros(1, p.b.cols),
    c: backend.zeros(1, p.c.cols),
    V: p.V ? backend.zeros(p.V.rows, p.V.cols) : null,
  };
}

/** Allocates the work, gradient and (when `momentum > 0`) velocity matrices for `batch` rows. */
export function createDaeState(backend: Backend, p: DaeParams, batch: number, momentum: number): DaeState {
  const { nVisible, nHidden } = daeShapes(p);
  return {
    work: {
      h: backend.zeros(batch, nHidden),
      xhat: backend.zeros(batch, nVisible),
      dA: backend.zeros(batch, nVisible),
      dH: backend.zeros(batch, nHidden),
    },
    grads: zerosLike(backend, p),
    velocity: momentum > 0 ? zerosLike(backend, p) : null,
  };
}

function decoderOf(opts: DaeOptions): Activation {
  const d = opts.decoder ?? 'sigmoid';
  if (opts.loss === 'cross-entropy' && d !== 'sigmoid') {
    throw new RangeError(`DAE: the cross-entropy loss needs a sigmoid decoder (got '${d}'); use loss 'squared' for an identity decoder`);
  }
  return d;
}

/** `h <- sigmoid(x W + b)`; x: `[batch, nVisible]`, h: `[batch, nHidden]`. */
export function daeEncode(backend: Backend, p: DaeParams, x: Matrix, h: Matrix): void {
  backend.gemm(false, false, 1, x, p.W, 0, h);
  backend.biasActivation('sigmoid', h, p.b, h);
}

/** `xhat <- g(h W' + c)`; h: `[batch, nHidden]`, xhat: `[batch, nVisible]`. */
export function daeDecode(backend: Backend, p: DaeParams, h: Matrix, xhat: Matrix, opts: DaeOptions): void {
  if (p.V) backend.gemm(false, false, 1, h, p.V, 0, xhat);
  else backend.gemm(false, true, 1, h, p.W, 0, xhat);
  backend.biasActivation(decoderOf(opts), xhat, p.c, xhat);
}

/** Reconstruction loss summed over units and rows (not averaged); x, xhat: `[batch, nVisible]`. */
export function reconstructionLoss(backend: Backend, x: Matrix, xhat: Matrix, loss: DaeLoss, scratch: Matrix): number {
  if (loss === 'cross-entropy') return backend.binaryCrossEntropy(x, xhat);
  backend.sub(xhat, x, scratch);
  return backend.sumSquares(scratch);
}

/**
 * Forward pass only: the mean over the batch of the reconstruction loss of `x` from `xTilde`.
 * Leaves `h` and `xhat` in `work`.
 */
export function daeLoss(backend: Backend, p: DaeParams, xTilde: Matrix, x: Matrix, work: DaeWork, opts: DaeOptions): number {
  daeEncode(backend, p, xTilde, work.h);
  daeDecode(backend, p, work.h, work.xhat, opts);
  return reconstructionLoss(backend, x, work.xhat, opts.loss, work.dA) / x.rows;
}

/**
 * Forward and backward pass: writes the gradient of {@link daeLoss} w.r.t. every parameter into
 * `grads` (overwriting) and returns the loss. xTilde, x: `[batch, nVisible]`.
 */
export function daeGradients(
  backend: Backend,
  p: DaeParams,
  xTilde: Matrix,
  x: Matrix,
  work: DaeWork,
  grads: DaeGrads,
  opts: DaeOptions,
): number {
  return daeBackward(backend, p, xTilde, x, work, opts, grads, null);
}

/**
 * The forward and backward pass shared by {@link daeGradients} (`grads` given: each gradient
 * `g` is written there) and the momentum-free {@link daeStep} (`grads` null: each gradient
 * kernel applies the SGD step itself, `param <- (1 - lr wd) param - lr g` with wd on W and V
 * only, by writing `-lr g` into the parameter with beta 1 once its old value has been used).
 */
function daeBackward(
  backend: Backend,
  p: DaeParams,
  xTilde: Matrix,
  x: Matrix,
  work: DaeWork,
  opts: DaeOptions,
  grads: DaeGrads | null,
  hp: DaeUpdate | null,
): number {
  const { nVisible, nHidden } = daeShapes(p);
  const B = x.rows;
  assertShape('daeGradients', 'x', x, B, nVisible);
  assertShape('daeGradients', 'xTilde', xTilde, B, nVisible);
  assertShape('daeGradients', 'work.h', work.h, B, nHidden);
  const loss = daeLoss(backend, p, xTilde, x, work, opts);
  const { h, xhat, dA, dH } = work;
  // Where gradient g goes: grads.X <- g, or X <- X - lr g (after weight decay on W and V).
  const alpha = grads ? 1 : -hp!.lr, beta = grads ? 0 : 1;
  const decay = (m: Matrix): Matrix => {
    if (!grads && hp!.weightDecay !== 0) backend.scale(1 - hp!.lr * hp!.weightDecay, m);
    return m;
  };
  // dA = dL/d(pre-activation of x^), [B, nVisible]
  backend.sub(xhat, x, dA);
  if (opts.loss === 'cross-entropy') {
    backend.scale(1 / B, dA);
  } else {
    backend.scale(2 / B, dA);
    backend.activationBackward(decoderOf(opts), xhat, dA, dA);
  }
  backend.colSums(dA, grads ? grads.c : p.c, alpha, beta);
  // dH = dA W'^T, [B, nHidden] (with the old W' before it is updated)
  if (p.V) {
    backend.gemm(false, true, 1, dA, p.V, 0, dH);
    backend.gemm(true, false, alpha, h, dA, beta, grads ? grads.V! : decay(p.V));
  } else {
    backend.gemm(false, false, 1, dA, p.W, 0, dH);
  }
  backend.activationBackward('sigmoid', h, dH, dH);
  backend.colSums(dH, grads ? grads.b : p.b, alpha, beta);
  const W = grads ? grads.W : decay(p.W);
  backend.gemm(true, false, alpha, xTilde, dH, beta, W);
  if (!p.V) backend.gemm(true, false, alpha, dA, h, 1, W);
  return loss;
}

/**
 * One SGD step on one minibatch: gradients, then `sgdUpdate` of every parameter (weight decay on
 * W and V only). Returns the batch's mean loss before the step.
 *
 * Without momentum (no velocity in `state`) the step is folded into the gradient kernels:
 * each writes `-lr g` straight into its parameter (after `param <- (1 - lr weightDecay) param`
 * for W and V), so `state.grads` is not written and there is no update pass; the result equals
 * the `sgdUpdate` path up to float rounding.
 */
export function daeStep(
  backend: Backend,
  p: DaeParams,
  state: DaeState,
  xTilde: Matrix,
  x: Matrix,
  opts: DaeOptions,
  hp: DaeUpdate,
): number {
  if (!state.velocity) return daeBackward(backend, p, xTilde, x, state.work, opts, null, hp);
  const loss = daeGradients(backend, p, xTilde, x, state.work, state.grads, opts);
  const g = state.grads, v = state.velocity;
  backend.sgdUpdate(p.W, g.W, v?.W ?? null, hp.lr, hp.momentum, hp.weightDecay);
  backend.sgdUpdate(p.b, g.b, v?.b ?? null, hp.lr, hp.momentum, 0);
  backend.sgdUpdate(p.c, g.c, v?.c ?? null, hp.lr, hp.momentum, 0);
  if (p.V) backend.sgdUpdate(p.V, g.V!, v?.V ?? null, hp.lr, hp.momentum, hp.weightDecay);
  return loss;
}
