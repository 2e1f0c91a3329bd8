/**
 * The restricted Boltzmann machine of a DBN (Erhan et al. 2010, Section 5.1.1; Hinton et al.
 * 2006), in small pure functions over backend kernels (no backprop).
 *
 * Energy, Bernoulli visible units:  E(v, h) = -b.v - c.h - v W h
 *        Gaussian visible units:   E(v, h) = ||v - b||^2 / 2 - c.h - v W h   (unit variance)
 * with W: [nVisible, nHidden], visible bias b = `visibleBias`: [1, nVisible], hidden bias
 * c = `hiddenBias`: [1, nHidden].
 *
 *   P(h_j = 1 | v) = sigmoid(c_j + (v W)_j)
 *   P(v_i = 1 | h) = sigmoid(b_i + (h W^T)_i)        (Gaussian: v_i ~ N(b_i + (h W^T)_i, 1))
 *   F(v) = -b.v - sum_j softplus(c_j + (v W)_j)      (Gaussian: ||v - b||^2 / 2 - sum_j ...)
 *
 * Training: CD-k and persistent CD (PCD, Tieleman 2008). {@link cdGradients} runs the chain and
 * writes the CD estimate of the negative log-likelihood's gradient into what an optimiser hands
 * it (`src/nn/optimizer.ts`); the update itself is the optimiser's. Random numbers are drawn
 * from the Rng into matrices (uniforms for Bernoulli units, standard normals for Gaussian
 * visibles) and passed to the kernels, so a seed fixes every sample on every backend.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { assertShape } from '../tensor/shapes.ts';
import type { Rng } from '../rng/rng.ts';
import { writeGradient, type FusedUpdater } from '../nn/fused-update.ts';
import type { Param } from '../nn/layer.ts';

export type VisibleUnits = 'bernoulli' | 'gaussian';

/** Positions in {@link RbmParams.params} (the same names and order as the DAE's). */
export const RBM_W = 0, RBM_HIDDEN_BIAS = 1, RBM_VISIBLE_BIAS = 2;

export interface RbmParams {
  /** `[nVisible, nHidden]` weights. */
  W: Matrix;
  /** `[1, nHidden]` hidden bias (c in the energy). */
  hiddenBias: Matrix;
  /** `[1, nVisible]` visible bias (b in the energy). */
  visibleBias: Matrix;
  /** Visible unit type (hidden units are always Bernoulli). */
  visible: VisibleUnits;
  /**
   * The trainable matrices with their gradient buffers, for an optimiser: `W` (penalized),
   * `hiddenBias`, `visibleBias`, in that order ({@link RBM_W}, ...).
   */
  params: readonly Param[];
}

/** The chain of one CD/PCD gradient estimate. */
export interface CdOptions {
  /** Gibbs steps per update (CD-k), >= 1. */
  k: number;
  /** Persistent chains (PCD): the negative chain continues from the previous update's state. */
  persistent: boolean;
}

/** Work matrices and (PCD) persistent chains of one RBM for batches of `batch` rows. */
export interface RbmState {
  batch: number;
  h0: Matrix; // [batch, nHidden] positive-phase hidden means
  hChain: Matrix; // [batch, nHidden] hidden samples of the negative chain (persistent under PCD)
  hMean: Matrix; // [batch, nHidden]
  uH: Matrix; // [batch, nHidden] uniforms
  vMean: Matrix; // [batch, nVisible]
  vChain: Matrix; // [batch, nVisible] visible samples of the negative chain
  noiseV: Matrix; // [batch, nVisible] uniforms (Bernoulli) or normals (Gaussian)
  /** Number of gradient estimates made with this state (PCD chains have run this many times). */
  updates: number;
}

/** A new RBM: W uniform in `[-1/sqrt(nVisible), 1/sqrt(nVisible)]` (Section 5.3), biases zero. */
export function createRbm(backend: Backend, nVisible: number, nHidden: number, init: Rng, visible: VisibleUnits = 'bernoulli'): RbmParams {
  const W = backend.zeros(nVisible, nHidden);
  const bound = 1 / Math.sqrt(nVisible);
  init.fillUniform(W.data, -bound, bound);
  const hiddenBias = backend.zeros(1, nHidden), visibleBias = backend.zeros(1, nVisible);
  const params: Param[] = [
    { name: 'W', value: W, grad: backend.zeros(nVisible, nHidden), penalized: true },
    { name: 'hiddenBias', value: hiddenBias, grad: backend.zeros(1, nHidden), penalized: false },
    { name: 'visibleBias', value: visibleBias, grad: backend.zeros(1, nVisible), penalized: false },
  ];
  return { W, hiddenBias, visibleBias, visible, params };
}

/** Allocates an RbmState; PCD chains start at all-zero hidden states (as DLT rbm.py and sklearn). */
export function createRbmState(backend: Backend, p: RbmParams, batch: number): RbmState {
  const nV = p.W.rows, nH = p.W.cols;
  return {
    batch,
    h0: backend.zeros(batch, nH),
    hChain: backend.zeros(batch, nH),
    hMean: backend.zeros(batch, nH),
    uH: backend.zeros(batch, nH),
    vMean: backend.zeros(batch, nV),
    vChain: backend.zeros(batch, nV),
    noiseV: backend.zeros(batch, nV),
    updates: 0,
  };
}

/** `out <- P(h = 1 | v) = sigmoid(v W + c)`; v: `[batch, nVisible]`, out: `[batch, nHidden]`. */
export function meanHiddens(backend: Backend, p: RbmParams, v: Matrix, out: Matrix): void {
  backend.gemm(false, false, 1, v, p.W, 0, out);
  backend.biasActivation('sigmoid', out, p.hiddenBias, out);
}

/**
 * `mean <- P(h = 1 | v)`, `out <- [u < mean]`; u: `[batch, nHidden]` uniforms in [0, 1).
 * out may alias u.
 */
export function sampleHiddens(backend: Backend, p: RbmParams, v: Matrix, u: Matrix, mean: Matrix, out: Matrix): void {
  meanHiddens(backend, p, v, mean);
  backend.bernoulli(mean, u, out);
}

/** `out <- E[v | h]`: `sigmoid(h W^T + b)` (Bernoulli) or `h W^T + b` (Gaussian). */
export function meanVisibles(backend: Backend, p: RbmParams, h: Matrix, out: Matrix): void {
  backend.gemm(false, true, 1, h, p.W, 0, out);
  backend.biasActivation(p.visible === 'bernoulli' ? 'sigmoid' : 'identity', out, p.visibleBias, out);
}

/**
 * `mean <- E[v | h]` and `out <- a sample of v | h`. `noise` is `[batch, nVisible]` uniforms in
 * [0, 1) for Bernoulli visibles, standard normals for Gaussian ones (see {@link drawVisibleNoise}).
 * out may alias noise.
 */
export function sampleVisibles(backend: Backend, p: RbmParams, h: Matrix, noise: Matrix, mean: Matrix, out: Matrix): void {
  meanVisibles(backend, p, h, mean);
  if (p.visible === 'bernoulli') backend.bernoulli(mean, noise, out);
  else backend.add(mean, noise, out);
}

/** Fills `m` with uniforms (Bernoulli units) or standard normals (Gaussian units) from `rng`. */
export function drawVisibleNoise(p: RbmParams, rng: Rng, m: Matrix): void {
  if (p.visible === 'bernoulli') rng.fillUniform(m.data);
  else rng.fillNormal(m.data);
}

/** Work matrices of {@link freeEnergy} for `batch` rows. */
export interface FreeEnergyWork {
  pre: Matrix; // [batch, nHidden]
  out: Matrix; // [batch, 1]
  vb: Matrix; // [batch, 1]
  diff: Matrix | null; // [batch, nVisible] (Gaussian only)
  negB: Matrix | null; // [1, nVisible]    (Gaussian only)
}

export function createFreeEnergyWork(backend: Backend, p: RbmParams, batch: number): FreeEnergyWork {
  const g = p.visible === 'gaussian';
  return {
    pre: backend.zeros(batch, p.W.cols),
    out: backend.zeros(batch, 1),
    vb: backend.zeros(batch, 1),
    diff: g ? backend.zeros(batch, p.W.rows) : null,
    negB: g ? backend.zeros(1, p.W.rows) : null,
  };
}

/**
 * Free energy of each row of v (`[batch, nVisible]`):
 * `F(v) = -b.v - sum_j softplus(c_j + (v W)_j)` (Bernoulli) or
 * `||v - b||^2 / 2 - sum_j softplus(...)` (Gaussian), so `P(v) = exp(-F(v)) / Z`.
 * Returns a new Float64Array of length batch.
 */
export function freeEnergy(backend: Backend, p: RbmParams, v: Matrix, work?: FreeEnergyWork): Float64Array {
  const w = work ?? createFreeEnergyWork(backend, p, v.rows);
  assertShape('freeEnergy', 'work.pre', w.pre, v.rows, p.W.cols);
  backend.gemm(false, false, 1, v, p.W, 0, w.pre);
  backend.addRowVector(w.pre, p.hiddenBias, w.pre);
  backend.softplus(w.pre, w.pre);
  backend.rowSums(w.pre, w.out);
  if (p.visible === 'bernoulli') {
    backend.gemm(false, true, 1, v, p.visibleBias, 0, w.vb); // [batch, 1] = v b^T
    backend.axpy(1, w.vb, w.out);
    backend.scale(-1, w.out);
  } else {
    backend.copy(p.visibleBias, w.negB!);
    backend.scale(-1, w.negB!);
    backend.addRowVector(v, w.negB!, w.diff!);
    backend.mul(w.diff!, w.diff!, w.diff!);
    backend.rowSums(w.diff!, w.vb);
    backend.scale(-1, w.out);
    backend.axpy(0.5, w.vb, w.out);
  }
  return Float64Array.from(w.out.data);
}

/**
 * Mean-field reconstruction `v -> E[h|v] -> E[v|h]` and its Bernoulli cross-entropy summed over
 * units and rows (squared error for Gaussian visibles). hMean: `[batch, nHidden]`,
 * vMean: `[batch, nVisible]` work.
 */
export function reconstructionError(backend: Backend, p: RbmParams, v: Matrix, hMean: Matrix, vMean: Matrix): number {
  meanHiddens(backend, p, v, hMean);
  meanVisibles(backend, p, hMean, vMean);
  if (p.visible === 'bernoulli') return backend.binaryCrossEntropy(v, vMean);
  backend.sub(vMean, v, vMean);
  return backend.sumSquares(vMean);
}

/**
 * One CD-k (or PCD-k) estimate of the gradient of the negative log-likelihood on the minibatch
 * v0 (`[batch, nVisible]`, batch = state.batch), written per param into `out`'s targets
 * (`t.out <- t.alpha g + t.beta t.out`; an optimiser, or {@link gradientsOnly} for the
 * gradients alone). Returns the batch's summed mean-field reconstruction error measured before
 * any update (see {@link reconstructionError}).
 *
 *   positive phase: h0 = P(h|v0)
 *   chain start:    CD: hChain ~ P(h|v0) (uniforms uH);  PCD: hChain from the previous update
 *   k times:        vChain ~ P(v|hChain) (noiseV), hMean = P(h|vChain), hChain ~ hMean (uH)
 *   gradient (descent on -log-likelihood, averaged over the batch):
 *     gW = -(v0^T h0 - vChain^T hMean) / B,  gVisibleBias = -mean(v0 - vChain),
 *     gHiddenBias = -mean(h0 - hMean)
 * each as two accumulating kernels (the first with the target's beta, the second with beta 1).
 * The parameters are read only before the first target is asked for, so the optimiser may
 * update each one as soon as its gradient is written.
 *
 * Random numbers, in order: (CD only) `[batch, nHidden]` uniforms, then per Gibbs step
 * `[batch, nVisible]` visible noise and `[batch, nHidden]` uniforms, all row-major.
 */
export function cdGradients(backend: Backend, p: RbmParams, state: RbmState, v0: Matrix, rng: Rng, opts: CdOptions, out: FusedUpdater): number {
  const B = state.batch;
  assertShape('cdGradients', 'v0', v0, B, p.W.rows);
  if (!(Number.isInteger(opts.k) && opts.k >= 1)) throw new RangeError(`cdGradients: k (Gibbs steps) must be an integer >= 1, got ${opts.k}`);
  const s = state;
  const recon = reconstructionError(backend, p, v0, s.h0, s.vMean); // leaves P(h|v0) in h0
  if (!opts.persistent) {
    rng.fillUniform(s.uH.data);
    backend.bernoulli(s.h0, s.uH, s.hChain);
  }
  for (let step = 0; step < opts.k; step++) {
    drawVisibleNoise(p, rng, s.noiseV);
    sampleVisibles(backend, p, s.hChain, s.noiseV, s.vMean, s.vChain);
    rng.fillUniform(s.uH.data);
    sampleHiddens(backend, p, s.vChain, s.uH, s.hMean, s.hChain);
  }
  // g = -(positive)/B + (negative)/B: first -alpha/B with the target's beta, then alpha/B with beta 1
  // (written so, -alpha/B and alpha/B are the coefficients the update has always used, bit for bit).
  writeGradient(out, RBM_W, (t) => {
    backend.gemm(true, false, -t.alpha / B, v0, s.h0, t.beta, t.out);
    backend.gemm(true, false, t.alpha / B, s.vChain, s.hMean, 1, t.out);
  });
  writeGradient(out, RBM_VISIBLE_BIAS, (t) => {
    backend.colSums(v0, t.out, -t.alpha / B, t.beta);
    backend.colSums(s.vChain, t.out, t.alpha / B, 1);
  });
  writeGradient(out, RBM_HIDDEN_BIAS, (t) => {
    backend.colSums(s.h0, t.out, -t.alpha / B, t.beta);
    backend.colSums(s.hMean, t.out, t.alpha / B, 1);
  });
  s.updates++;
  return recon;
}

/** Frees the RBM's parameters and gradient buffers except those listed in `keep` (e.g. the encoder). */
export function disposeRbm(p: RbmParams, keep: readonly Matrix[] = []): void {
  for (const q of p.params) {
    if (!keep.includes(q.value)) q.value.dispose();
    q.grad.dispose();
  }
}

/** Frees the work matrices of an {@link RbmState}. */
export function disposeRbmState(s: RbmState): void {
  for (const m of [s.h0, s.hChain, s.hMean, s.uH, s.vMean, s.vChain, s.noiseV]) m.dispose();
}

/** Work of {@link pseudoLikelihood} for `batch` rows. */
export interface PseudoLikelihoodWork {
  flipped: Matrix; // [batch, nVisible]
  fe: FreeEnergyWork;
}

export function createPseudoLikelihoodWork(backend: Backend, p: RbmParams, batch: number): PseudoLikelihoodWork {
  return { flipped: backend.zeros(batch, p.W.rows), fe: createFreeEnergyWork(backend, p, batch) };
}

/**
 * Stochastic approximation of the log pseudo-likelihood of each row of v (Bernoulli visibles;
 * as sklearn's `BernoulliRBM.score_samples` and DLT rbm.py): for one visible index i per row,
 * drawn with `rng.int(nVisible)`, `nVisible * log sigmoid(F(v~) - F(v))` where v~ is v with
 * unit i flipped (`1 - v_i`). Returns the mean over rows. v is not modified.
 */
export function pseudoLikelihood(backend: Backend, p: RbmParams, v: Matrix, rng: Rng, work?: PseudoLikelihoodWork): number {
  if (p.visible !== 'bernoulli') {
    throw new RangeError('pseudoLikelihood: defined for Bernoulli visible units only; use reconstructionError for Gaussian ones');
  }
  const w = work ?? createPseudoLikelihoodWork(backend, p, v.rows);
  const nV = v.cols;
  backend.copy(v, w.flipped);
  const f = w.flipped.data;
  for (let r = 0; r < v.rows; r++) {
    const i = r * nV + rng.int(nV);
    f[i] = 1 - f[i]!;
  }
  const fe = freeEnergy(backend, p, v, w.fe);
  const feFlip = freeEnergy(backend, p, w.flipped, w.fe);
  let s = 0;
  for (let r = 0; r < v.rows; r++) {
    const d = feFlip[r]! - fe[r]!; // log sigmoid(d) = -softplus(-d)
    s += -nV * (Math.max(-d, 0) + Math.log1p(Math.exp(-Math.abs(d))));
  }
  return s / v.rows;
}
