/**
 * The restricted Boltzmann machine of a DBN (Erhan et al. 2010, Section 5.1.1; Hinton et al.
 * 2006), in small pure functions over backend kernels (no backprop).
 *
 * Energy, Bernoulli visible units:  E(v, h) = -b.v - c.h - v W h
 *        Gaussian visible units:   E(v, h) = ||v - b||^2 / 2 - c.h - v W h   (unit variance)
 * with W: [nVisible, nHidden], visible bias b: [1, nVisible], hidden bias c: [1, nHidden].
 *
 *   P(h_j = 1 | v) = sigmoid(c_j + (v W)_j)
 *   P(v_i = 1 | h) = sigmoid(b_i + (h W^T)_i)        (Gaussian: v_i ~ N(b_i + (h W^T)_i, 1))
 *   F(v) = -b.v - sum_j softplus(c_j + (v W)_j)      (Gaussian: ||v - b||^2 / 2 - sum_j ...)
 *
 * Training: CD-k and persistent CD (PCD, Tieleman 2008). Random numbers are drawn from the Rng
 * into matrices (uniforms for Bernoulli units, standard normals for Gaussian visibles) and
 * passed to the kernels, so a seed fixes every sample on every backend.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { assertShape } from '../tensor/shapes.ts';
import type { Rng } from '../rng/rng.ts';

export type VisibleUnits = 'bernoulli' | 'gaussian';

export interface RbmParams {
  /** `[nVisible, nHidden]` weights. */
  W: Matrix;
  /** `[1, nVisible]` visible bias. */
  b: Matrix;
  /** `[1, nHidden]` hidden bias. */
  c: Matrix;
  /** Visible unit type (hidden units are always Bernoulli). */
  visible: VisibleUnits;
}

/** Hyperparameters of one CD/PCD update. */
export interface CdOptions {
  /** Gibbs steps per update (CD-k), >= 1. */
  k: number;
  lr: number;
  momentum: number;
  /** L2 penalty on W only. */
  weightDecay: number;
  /** Persistent chains (PCD): the negative chain continues from the previous update's state. */
  persistent: boolean;
}

/** Work matrices, velocities and (PCD) persistent chains of one RBM for batches of `batch` rows. */
export interface RbmState {
  batch: number;
  h0: Matrix; // [batch, nHidden] positive-phase hidden means
  hChain: Matrix; // [batch, nHidden] hidden samples of the negative chain (persistent under PCD)
  hMean: Matrix; // [batch, nHidden]
  uH: Matrix; // [batch, nHidden] uniforms
  vMean: Matrix; // [batch, nVisible]
  vChain: Matrix; // [batch, nVisible] visible samples of the negative chain
  noiseV: Matrix; // [batch, nVisible] uniforms (Bernoulli) or normals (Gaussian)
  /** Gradients, written only when there is a velocity (momentum > 0; see {@link cdStep}). */
  gW: Matrix;
  gb: Matrix;
  gc: Matrix;
  velocity: { W: Matrix; b: Matrix; c: Matrix } | null;
  /** Number of updates made with this state (PCD chains have run this many times). */
  updates: number;
}

/** A new RBM: W uniform in `[-1/sqrt(nVisible), 1/sqrt(nVisible)]` (Section 5.3), biases zero. */
export function createRbm(backend: Backend, nVisible: number, nHidden: number, init: Rng, visible: VisibleUnits = 'bernoulli'): RbmParams {
  const W = backend.zeros(nVisible, nHidden);
  const bound = 1 / Math.sqrt(nVisible);
  init.fillUniform(W.data, -bound, bound);
  return { W, b: backend.zeros(1, nVisible), c: backend.zeros(1, nHidden), visible };
}

/** Allocates an RbmState; PCD chains start at all-zero hidden states (as DLT rbm.py and sklearn). */
export function createRbmState(backend: Backend, p: RbmParams, batch: number, momentum: number): RbmState {
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
    gW: backend.zeros(nV, nH),
    gb: backend.zeros(1, nV),
    gc: backend.zeros(1, nH),
    velocity: momentum > 0 ? { W: backend.zeros(nV, nH), b: backend.zeros(1, nV), c: backend.zeros(1, nH) } : null,
    updates: 0,
  };
}

/** `out <- P(h = 1 | v) = sigmoid(v W + c)`; v: `[batch, nVisible]`, out: `[batch, nHidden]`. */
export function meanHiddens(backend: Backend, p: RbmParams, v: Matrix, out: Matrix): void {
  backend.gemm(false, false, 1, v, p.W, 0, out);
  backend.biasActivation('sigmoid', out, p.c, out);
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
  backend.biasActivation(p.visible === 'bernoulli' ? 'sigmoid' : 'identity', out, p.b, out);
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
  backend.addRowVector(w.pre, p.c, w.pre);
  backend.softplus(w.pre, w.pre);
  backend.rowSums(w.pre, w.out);
  if (p.visible === 'bernoulli') {
    backend.gemm(false, true, 1, v, p.b, 0, w.vb); // [batch, 1] = v b^T
    backend.axpy(1, w.vb, w.out);
    backend.scale(-1, w.out);
  } else {
    backend.copy(p.b, w.negB!);
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
 * One CD-k (or PCD-k) update on the minibatch v0 (`[batch, nVisible]`, batch = state.batch), in
 * place on `p`. Returns the batch's summed mean-field reconstruction error measured before the
 * update (see {@link reconstructionError}).
 *
 *   positive phase: h0 = P(h|v0)
 *   chain start:    CD: hChain ~ P(h|v0) (uniforms uH);  PCD: hChain from the previous update
 *   k times:        vChain ~ P(v|hChain) (noiseV), hMean = P(h|vChain), hChain ~ hMean (uH)
 *   gradient (ascent on log-likelihood, averaged over the batch):
 *     dW = (v0^T h0 - vChain^T hMean) / B,  db = mean(v0 - vChain),  dc = mean(h0 - hMean)
 *   SGD with momentum and weight decay on W through `sgdUpdate` (with the sign flipped); without
 *   momentum (no velocity in `state`), the step is folded into the gradient kernels instead:
 *   `W <- (1 - lr weightDecay) W + (lr / B)(v0^T h0 - vChain^T hMean)` by two gemms into W, and
 *   the biases by colSums into b and c (no gradient buffers, no update pass; the same update
 *   up to float rounding).
 *
 * Random numbers, in order: (CD only) `[batch, nHidden]` uniforms, then per Gibbs step
 * `[batch, nVisible]` visible noise and `[batch, nHidden]` uniforms, all row-major.
 */
export function cdStep(backend: Backend, p: RbmParams, state: RbmState, v0: Matrix, rng: Rng, opts: CdOptions): number {
  const B = state.batch;
  assertShape('cdStep', 'v0', v0, B, p.W.rows);
  if (!(Number.isInteger(opts.k) && opts.k >= 1)) throw new RangeError(`cdStep: k (Gibbs steps) must be an integer >= 1, got ${opts.k}`);
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
  const v = s.velocity;
  if (!v) {
    // No momentum: the update is folded into the gradient kernels, which write the parameters
    // directly (W <- (1 - lr wd) W + (lr / B)(v0^T h0 - vChain^T hMean), likewise b and c);
    // equal to the sgdUpdate path below up to float rounding. gW, gb, gc are not written.
    const a = opts.lr / B;
    if (opts.weightDecay !== 0) backend.scale(1 - opts.lr * opts.weightDecay, p.W);
    backend.gemm(true, false, a, v0, s.h0, 1, p.W);
    backend.gemm(true, false, -a, s.vChain, s.hMean, 1, p.W);
    backend.colSums(v0, p.b, a, 1);
    backend.colSums(s.vChain, p.b, -a, 1);
    backend.colSums(s.h0, p.c, a, 1);
    backend.colSums(s.hMean, p.c, -a, 1);
    s.updates++;
    return recon;
  }
  // Gradients of the negative log-likelihood (for descent): -(positive - negative) / B.
  backend.gemm(true, false, -1 / B, v0, s.h0, 0, s.gW);
  backend.gemm(true, false, 1 / B, s.vChain, s.hMean, 1, s.gW);
  backend.colSums(v0, s.gb, -1 / B, 0);
  backend.colSums(s.vChain, s.gb, 1 / B, 1);
  backend.colSums(s.h0, s.gc, -1 / B, 0);
  backend.colSums(s.hMean, s.gc, 1 / B, 1);
  backend.sgdUpdate(p.W, s.gW, v?.W ?? null, opts.lr, opts.momentum, opts.weightDecay);
  backend.sgdUpdate(p.b, s.gb, v?.b ?? null, opts.lr, opts.momentum, 0);
  backend.sgdUpdate(p.c, s.gc, v?.c ?? null, opts.lr, opts.momentum, 0);
  s.updates++;
  return recon;
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
