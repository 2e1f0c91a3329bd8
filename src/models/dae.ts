/**
 * The denoising auto-encoder (Erhan et al. 2010, Section 5.1.2; Vincent et al. 2008):
 *
 *   h  = s(x~ W + b)                encoder, W: [nVisible, nHidden], b = hiddenBias: [1, nHidden],
 *                                   s = `encoder`: sigmoid (the paper's, default), tanh or relu
 *   x^ = g(h W' + c)                decoder, W' = W^T (tied) or V: [nHidden, nVisible] (untied),
 *                                   c = visibleBias: [1, nVisible]
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
 *   dH  = dA W'^T  (tied: dA W);    dAh = dH * s'(.), written in terms of h:
 *                                   h (1 - h) (sigmoid), 1 - h^2 (tanh), [h > 0] (relu)
 *   db  = colSums(dAh); dW = x~^T dAh  (+ dA^T h when tied)
 * {@link daeGradients} writes each into what an optimiser hands it (`src/nn/optimizer.ts`); the
 * update itself is the optimiser's.
 */
import type { Activation, Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { assertShape } from '../tensor/shapes.ts';
import type { Rng } from '../rng/rng.ts';
import { writeGradient, type FusedUpdater } from '../nn/fused-update.ts';
import type { Param } from '../nn/layer.ts';

export type DaeLoss = 'cross-entropy' | 'squared';

/**
 * The encoder non-linearity `s` of `h = s(x~ W + b)`: the paper's `sigmoid`, or `tanh` / `relu`
 * (the codes then leave [0, 1]: `tanh` in (-1, 1), `relu` in [0, inf)). In a stack it is also the
 * units of the network the encoders initialise (`model.activation`). `identity` (a linear
 * encoder) serves a linear layer of a general network (`dense 256 linear, bn, relu`,
 * `src/train/pretrain-network.ts`).
 */
export type DaeEncoder = Activation;

/** Positions in {@link DaeParams.params} (the same names and order as the RBM's; `V` only when untied). */
export const DAE_W = 0, DAE_HIDDEN_BIAS = 1, DAE_VISIBLE_BIAS = 2, DAE_V = 3;

/** Parameters of one DAE. */
export interface DaeParams {
  /** `[nVisible, nHidden]` encoder weights (also the decoder's, transposed, when tied). */
  W: Matrix;
  /** `[1, nHidden]` encoder (hidden) bias. */
  hiddenBias: Matrix;
  /** `[1, nVisible]` decoder (reconstruction) bias. */
  visibleBias: Matrix;
  /** `[nHidden, nVisible]` decoder weights when untied; null when tied (`W' = W^T`). */
  V: Matrix | null;
  /**
   * The trainable matrices with their gradient buffers, for an optimiser: `W`, `hiddenBias`,
   * `visibleBias`, then `V` when untied ({@link DAE_W}, ...); W and V are penalized.
   */
  params: readonly Param[];
}

export interface DaeOptions {
  loss: DaeLoss;
  /** Decoder non-linearity; must be `sigmoid` with cross-entropy. Default `sigmoid`. */
  decoder?: 'sigmoid' | 'identity';
  /** Encoder non-linearity ({@link DaeEncoder}). Default `sigmoid`. */
  encoder?: DaeEncoder;
}

/** Work matrices for batches of `batch` rows; allocate once per layer. */
export interface DaeWork {
  h: Matrix; // [batch, nHidden]
  xhat: Matrix; // [batch, nVisible]
  dA: Matrix; // [batch, nVisible]
  dH: Matrix; // [batch, nHidden]
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
  const hiddenBias = backend.zeros(1, nHidden), visibleBias = backend.zeros(1, nVisible);
  const param = (name: string, value: Matrix, penalized: boolean): Param => ({ name, value, grad: backend.zeros(value.rows, value.cols), penalized });
  const params = [param('W', W, true), param('hiddenBias', hiddenBias, false), param('visibleBias', visibleBias, false)];
  if (V) params.push(param('V', V, true));
  return { W, hiddenBias, visibleBias, V, params };
}

export function daeShapes(p: DaeParams): { nVisible: number; nHidden: number } {
  return { nVisible: p.W.rows, nHidden: p.W.cols };
}

/** Allocates the work matrices for `batch` rows. */
export function createDaeWork(backend: Backend, p: DaeParams, batch: number): DaeWork {
  const { nVisible, nHidden } = daeShapes(p);
  return {
    h: backend.zeros(batch, nHidden),
    xhat: backend.zeros(batch, nVisible),
    dA: backend.zeros(batch, nVisible),
    dH: backend.zeros(batch, nHidden),
  };
}

/** Frees the DAE's parameters and gradient buffers except those listed in `keep` (e.g. the encoder). */
export function disposeDae(p: DaeParams, keep: readonly Matrix[] = []): void {
  for (const q of p.params) {
    if (!keep.includes(q.value)) q.value.dispose();
    q.grad.dispose();
  }
}

function decoderOf(opts: DaeOptions): Activation {
  const d = opts.decoder ?? 'sigmoid';
  if (opts.loss === 'cross-entropy' && d !== 'sigmoid') {
    throw new RangeError(`DAE: the cross-entropy loss needs a sigmoid decoder (got '${d}'); use loss 'squared' for an identity decoder`);
  }
  return d;
}

/** `h <- s(x W + b)` with `s = encoder` (default sigmoid); x: `[batch, nVisible]`, h: `[batch, nHidden]`. */
export function daeEncode(backend: Backend, p: DaeParams, x: Matrix, h: Matrix, encoder: DaeEncoder = 'sigmoid'): void {
  backend.gemm(false, false, 1, x, p.W, 0, h);
  backend.biasActivation(encoder, h, p.hiddenBias, h);
}

/** `xhat <- g(h W' + c)`; h: `[batch, nHidden]`, xhat: `[batch, nVisible]`. */
export function daeDecode(backend: Backend, p: DaeParams, h: Matrix, xhat: Matrix, opts: DaeOptions): void {
  if (p.V) backend.gemm(false, false, 1, h, p.V, 0, xhat);
  else backend.gemm(false, true, 1, h, p.W, 0, xhat);
  backend.biasActivation(decoderOf(opts), xhat, p.visibleBias, xhat);
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
  daeEncode(backend, p, xTilde, work.h, opts.encoder);
  daeDecode(backend, p, work.h, work.xhat, opts);
  return reconstructionLoss(backend, x, work.xhat, opts.loss, work.dA) / x.rows;
}

/**
 * Forward and backward pass: writes the gradient of {@link daeLoss} w.r.t. every parameter into
 * `out`'s targets (`t.out <- t.alpha g + t.beta t.out`; an optimiser, or {@link gradientsOnly}
 * for the gradients alone) and returns the loss before any update. xTilde, x: `[batch, nVisible]`.
 * Each parameter's target is asked for only once its old value has been used (`dH` is computed
 * with the old W' first), so the optimiser may update it in place at once.
 */
export function daeGradients(
  backend: Backend,
  p: DaeParams,
  xTilde: Matrix,
  x: Matrix,
  work: DaeWork,
  opts: DaeOptions,
  out: FusedUpdater,
): number {
  const { nVisible, nHidden } = daeShapes(p);
  const B = x.rows;
  assertShape('daeGradients', 'x', x, B, nVisible);
  assertShape('daeGradients', 'xTilde', xTilde, B, nVisible);
  assertShape('daeGradients', 'work.h', work.h, B, nHidden);
  const loss = daeLoss(backend, p, xTilde, x, work, opts);
  const { h, xhat, dA, dH } = work;
  // dA = dL/d(pre-activation of x^), [B, nVisible]
  backend.sub(xhat, x, dA);
  if (opts.loss === 'cross-entropy') {
    backend.scale(1 / B, dA);
  } else {
    backend.scale(2 / B, dA);
    backend.activationBackward(decoderOf(opts), xhat, dA, dA);
  }
  writeGradient(out, DAE_VISIBLE_BIAS, (t) => backend.colSums(dA, t.out, t.alpha, t.beta));
  // dH = dA W'^T, [B, nHidden] (with the old W' before it is updated)
  if (p.V) {
    backend.gemm(false, true, 1, dA, p.V, 0, dH);
    writeGradient(out, DAE_V, (t) => backend.gemm(true, false, t.alpha, h, dA, t.beta, t.out));
  } else {
    backend.gemm(false, false, 1, dA, p.W, 0, dH);
  }
  backend.activationBackward(opts.encoder ?? 'sigmoid', h, dH, dH);
  writeGradient(out, DAE_HIDDEN_BIAS, (t) => backend.colSums(dH, t.out, t.alpha, t.beta));
  writeGradient(out, DAE_W, (t) => {
    backend.gemm(true, false, t.alpha, xTilde, dH, t.beta, t.out);
    if (!p.V) backend.gemm(true, false, t.alpha, dA, h, 1, t.out);
  });
  return loss;
}
