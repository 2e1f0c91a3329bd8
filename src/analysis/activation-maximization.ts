/**
 * Activation maximization (Erhan, Bengio, Courville & Vincent 2009, "Visualizing higher-layer
 * features of a deep network"; used in Erhan et al. 2010, Section 6.2, Figs. 3-4): what a hidden
 * unit responds to most is the input of fixed norm that maximizes its activation.
 *
 * For unit j of hidden layer L of a stack of layers `h^i = f(h^{i-1} W^i + b^i)` (h^0 = x):
 *
 *   a_j(x) = h^{L-1}(x) W^L[:, j] + b^L_j          the unit's pre-sigmoid activation
 *   x*     = argmax_{||x|| = rho} a_j(x)            (f is increasing, so h_j = f(a_j) has the same
 *                                                    argmax; a_j's gradient does not vanish when
 *                                                    the unit saturates, so we climb a_j by default)
 *
 * Gradient with respect to the input, by back-propagation through the stack (every line one
 * kernel of the Backend, as in `Dense.backward`), for R rows at once, row r maximizing unit j_r:
 *
 *   dA^L     = onehot(j_r)                        [R, n_L]   (post-sigmoid target: * f'(a^L))
 *   dH^{L-1} = dA^L (W^L)^T                        [R, n_{L-1}]  gemm
 *   dA^i     = dH^i * f'(a^i) = dH^i h^i (1 - h^i)  activationBackward (sigmoid)
 *   dH^{i-1} = dA^i (W^i)^T                        gemm, down to dH^0 = d a_j / dx  [R, nIn]
 *
 * Projected gradient ascent on the sphere ||x|| = rho, per row: with g the gradient at the row's
 * best point x, t = g - (g.x / rho^2) x its tangent part and v the row's last accepted move, the
 * candidate is `x' = rho y / ||y||` with `y = x + eta rho t/||t|| + mu v` (heavy-ball momentum
 * mu = 0.9, which reaches in 100 steps what plain steps reach in 300 on a 200-unit third layer);
 * it is kept when a(x') >= a(x) (then eta grows by 1.5, up to 1) and dropped otherwise (eta
 * halves, v restarts from zero). A row stops when eta falls
 * below `minStep` or t vanishes, all rows after `steps` steps. Several random starts per unit
 * (uniform on the sphere, from the caller's Rng stream) run as rows of one batch; the best is
 * kept, and how much they agree is their mean pairwise cosine (the paper: "nearly the same
 * maximal activation input pattern is recovered from most random initializations").
 */
import type { Activation, Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { ShapeError } from '../tensor/shapes.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import type { Rng } from '../rng/rng.ts';

/** What is maximized: the pre-sigmoid activation `a_j` (default) or the unit's output `f(a_j)`. */
export type ActmaxTarget = 'pre' | 'post';

/**
 * The activation of one chosen unit per row and its gradient with respect to the input, through
 * the bottom `layers.length` layers of a stack (see the module comment). Buffers are allocated
 * once for `rows`; call `dispose()` when done.
 */
export class UnitInputGradient {
  /** `[rows, nIn]`: d value_r / d x_r after `evaluate` (valid until the next call). */
  readonly grad: Matrix;
  readonly nIn: number;
  private readonly h: Matrix[]; // h[i]: [rows, n_{i+1}], layer i's output (the top one: a^L or f(a^L))
  private readonly dh: Matrix[]; // dh[i]: [rows, n_{i+1}]
  private readonly values: Float64Array;

  /**
   * @param layers bottom first, the last one holding the units; W `[n_{i-1}, n_i]`, b `[1, n_i]`
   * @param activation the hidden layers' non-linearity f (sigmoid for the paper's networks)
   * @param rowUnits `[rows]`: the unit of the top layer that row r maximizes
   */
  constructor(
    private readonly backend: Backend,
    private readonly layers: readonly DenseParams[],
    private readonly activation: Exclude<Activation, 'identity'>,
    private readonly rowUnits: Int32Array,
    private readonly target: ActmaxTarget = 'pre',
  ) {
    if (layers.length === 0) throw new ShapeError('UnitInputGradient: give at least one layer');
    const rows = rowUnits.length;
    const top = layers[layers.length - 1]!.W.cols;
    for (const j of rowUnits) if (!(Number.isInteger(j) && j >= 0 && j < top)) throw new RangeError(`UnitInputGradient: unit ${j} is outside the top layer's ${top} units`);
    this.nIn = layers[0]!.W.rows;
    this.h = layers.map((p) => backend.zeros(rows, p.W.cols));
    this.dh = layers.map((p) => backend.zeros(rows, p.W.cols));
    this.grad = backend.zeros(rows, this.nIn);
    this.values = new Float64Array(rows);
  }

  /** Row r's objective at `x` (`[rows, nIn]`) and, in `grad`, its gradient; returns the values `[rows]` (a reused buffer). */
  evaluate(x: Matrix): Float64Array {
    const be = this.backend, L = this.layers.length, f = this.activation;
    if (x.rows !== this.rowUnits.length || x.cols !== this.nIn) throw new ShapeError(`UnitInputGradient.evaluate: x must be [${this.rowUnits.length}, ${this.nIn}], got [${x.rows}, ${x.cols}]`);
    // forward: h^i = f(h^{i-1} W^i + b^i); the top layer keeps a^L (pre) or f(a^L) (post)
    let input = x;
    this.layers.forEach((p, i) => {
      const out = this.h[i]!;
      be.gemm(false, false, 1, input, p.W, 0, out);
      if (i < L - 1 || this.target === 'post') be.biasActivation(f, out, p.b, out);
      else be.addRowVector(out, p.b, out);
      input = out;
    });
    const top = this.h[L - 1]!, dTop = this.dh[L - 1]!, n = top.cols;
    const topData = top.data;
    this.rowUnits.forEach((j, r) => (this.values[r] = topData[r * n + j]!));
    // backward: dA^L = onehot(j_r) (times f'(a^L) for the post-sigmoid target), then down the stack
    be.fill(dTop, 0);
    const dTopData = dTop.data;
    this.rowUnits.forEach((j, r) => (dTopData[r * n + j] = 1));
    if (this.target === 'post') be.activationBackward(f, top, dTop, dTop);
    for (let i = L - 1; i >= 0; i--) {
      const below = i > 0 ? this.dh[i - 1]! : this.grad;
      be.gemm(false, true, 1, this.dh[i]!, this.layers[i]!.W, 0, below); // dH^{i-1} = dA^i (W^i)^T
      if (i > 0) be.activationBackward(f, this.h[i - 1]!, below, below); // dA^{i-1} = dH^{i-1} f'(a^{i-1})
    }
    return this.values;
  }

  dispose(): void {
    for (const m of [...this.h, ...this.dh, this.grad]) m.dispose();
  }
}

/** Options of `maximizeActivation`. */
export interface ActmaxOptions {
  backend: Backend;
  /** The stack up to and including the layer of the units, bottom first. */
  layers: readonly DenseParams[];
  /** The hidden layers' non-linearity (default sigmoid). */
  activation?: Exclude<Activation, 'identity'>;
  /** Units (columns of the top layer's W) to visualise. */
  units: readonly number[];
  /** The input norm rho, e.g. the mean norm of the training inputs. */
  norm: number;
  /** Random starts per unit (default 10), drawn from `rng`. */
  starts?: number;
  /** Maximum ascent steps (default 300). */
  steps?: number;
  /** The starts' stream, e.g. `new Rng(seed).fork('actmax', layer)`. */
  rng: Rng;
  target?: ActmaxTarget;
  /** First step length as a fraction of rho (default 0.1), its cap (1) and the length at which a start stops (1e-4). */
  initialStep?: number;
  /** Heavy-ball momentum on the last accepted move (default 0.9; reset to none after a rejected step). */
  momentum?: number;
  minStep?: number;
}

/** What `maximizeActivation` returns, per unit in the order given. */
export interface ActmaxResult {
  nIn: number;
  units: number[];
  /** `[units, nIn]`: the best start's input per unit (norm rho). */
  patterns: Float32Array;
  /** `[units]`: the objective (pre- or post-sigmoid activation) at the pattern. */
  activation: Float64Array;
  /** `[units]`: mean pairwise cosine of the starts' solutions (1: all starts found the same input). */
  agreement: Float64Array;
  /** Ascent steps run (the last row's stop). */
  steps: number;
}

function dot(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[ao + k]! * b[bo + k]!;
  return s;
}

/** Mean of `cos(x_s, x_t)` over pairs s < t of the `count` rows of `x` (`[*, n]`) starting at row `first`; 1 for a single row. */
export function meanPairwiseCosine(x: ArrayLike<number>, n: number, first: number, count: number): number {
  if (count < 2) return 1;
  const norms = Array.from({ length: count }, (_, s) => Math.sqrt(dot(x, (first + s) * n, x, (first + s) * n, n)));
  let sum = 0, pairs = 0;
  for (let s = 0; s < count; s++) {
    for (let t = s + 1; t < count; t++) {
      const d = norms[s]! * norms[t]!;
      sum += d > 0 ? dot(x, (first + s) * n, x, (first + t) * n, n) / d : 0;
      pairs++;
    }
  }
  return sum / pairs;
}

/**
 * Finds, for each unit, the input of norm `norm` that maximizes its activation (see the module
 * comment): `units.length * starts` projected gradient ascents run as one batch on `backend`.
 */
export function maximizeActivation(opts: ActmaxOptions): ActmaxResult {
  const { backend: be, layers, units, norm: rho, rng } = opts;
  const S = opts.starts ?? 10, T = opts.steps ?? 300;
  const minStep = opts.minStep ?? 1e-4;
  if (!(rho > 0 && Number.isFinite(rho))) throw new RangeError(`maximizeActivation: the norm must be finite and > 0, got ${rho}`);
  if (!(Number.isInteger(S) && S >= 1)) throw new RangeError(`maximizeActivation: starts must be an integer >= 1, got ${S}`);
  const R = units.length * S;
  const rowUnits = Int32Array.from({ length: R }, (_, r) => units[Math.floor(r / S)]!);
  const fn = new UnitInputGradient(be, layers, opts.activation ?? 'sigmoid', rowUnits, opts.target);
  const n = fn.nIn;
  const x = be.zeros(R, n); // [R, nIn] the candidates
  try {
    // starts: isotropic Gaussian directions scaled to norm rho (uniform on the sphere)
    const start = new Float64Array(n);
    const xd0 = x.data;
    for (let r = 0; r < R; r++) {
      rng.fillNormal(start);
      const s = rho / Math.sqrt(dot(start, 0, start, 0, n));
      for (let k = 0; k < n; k++) xd0[r * n + k] = start[k]! * s;
    }
    const bestX = Float64Array.from(x.data);
    const bestG = new Float64Array(R * n);
    const bestV = Float64Array.from(fn.evaluate(x));
    bestG.set(fn.grad.data);
    const eta = new Float64Array(R).fill(opts.initialStep ?? 0.1);
    const mu = opts.momentum ?? 0.9;
    const vel = new Float64Array(R * n); // each row's last accepted move (zero after a rejection)
    const active = new Uint8Array(R).fill(1);
    let step = 0;
    for (; step < T && active.includes(1); step++) {
      const xd = x.data;
      for (let r = 0; r < R; r++) {
        const o = r * n;
        if (!active[r]) {
          for (let k = 0; k < n; k++) xd[o + k] = bestX[o + k]!;
          continue;
        }
        const gx = dot(bestG, o, bestX, o, n) / (rho * rho);
        let tt = 0;
        for (let k = 0; k < n; k++) {
          const t = bestG[o + k]! - gx * bestX[o + k]!;
          tt += t * t;
        }
        const tn = Math.sqrt(tt);
        if (!(tn > 1e-12 * Math.sqrt(dot(bestG, o, bestG, o, n)))) {
          active[r] = 0; // a stationary point on the sphere
          for (let k = 0; k < n; k++) xd[o + k] = bestX[o + k]!;
          continue;
        }
        const a = (eta[r]! * rho) / tn;
        let nn = 0;
        for (let k = 0; k < n; k++) {
          const v = bestX[o + k]! + a * (bestG[o + k]! - gx * bestX[o + k]!) + mu * vel[o + k]!;
          start[k] = v;
          nn += v * v;
        }
        const s = rho / Math.sqrt(nn);
        for (let k = 0; k < n; k++) xd[o + k] = start[k]! * s;
      }
      const v = fn.evaluate(x);
      const xd2 = x.data, gd = fn.grad.data;
      for (let r = 0; r < R; r++) {
        if (!active[r]) continue;
        if (v[r]! >= bestV[r]!) {
          bestV[r] = v[r]!;
          for (let k = r * n; k < (r + 1) * n; k++) {
            vel[k] = xd2[k]! - bestX[k]!;
            bestX[k] = xd2[k]!;
            bestG[k] = gd[k]!;
          }
          eta[r] = Math.min(1, eta[r]! * 1.5);
        } else {
          vel.fill(0, r * n, (r + 1) * n);
          if ((eta[r]! /= 2) < minStep) active[r] = 0;
        }
      }
    }
    const patterns = new Float32Array(units.length * n);
    const activation = new Float64Array(units.length);
    const agreement = new Float64Array(units.length);
    for (let u = 0; u < units.length; u++) {
      let best = u * S;
      for (let r = u * S + 1; r < (u + 1) * S; r++) if (bestV[r]! > bestV[best]!) best = r;
      patterns.set(bestX.subarray(best * n, (best + 1) * n), u * n);
      activation[u] = bestV[best]!;
      agreement[u] = meanPairwiseCosine(bestX, n, u * S, S);
    }
    return { nIn: n, units: [...units], patterns, activation, agreement, steps: step };
  } finally {
    x.dispose();
    fn.dispose();
  }
}
