/**
 * 2-D embeddings of function-space points (Erhan et al. 2010, Section 6.3): t-SNE (Fig. 5,
 * local structure; van der Maaten & Hinton 2008) and Isomap (Fig. 6, global structure, one
 * connected component; Tenenbaum et al. 2000), both from the druidjs library
 * (`@saehrimnir/druidjs`, its `TSNE` and `ISOMAP`), seeded so the same points and seed give the
 * same picture on a given Node build.
 *
 * Both run on the first `pcaDims` principal components of the points, not on the raw outputs:
 * exact t-SNE and Isomap cost O(n^2) distance evaluations of the input dimension (10,000 for
 * 1,000 probe digits x 10 classes), and the public t-SNE code the paper used also reduces by PCA
 * first. The PCA is randomized (Halko, Martinsson & Tropp 2011, Alg. 4.4 with one power
 * iteration) on druidjs matrices: `Y = Xc Omega`, orthonormalize, `Y = Xc Xc^T Q`, orthonormalize,
 * `B = Q^T Xc`, then the eigenvectors `U` of the small `B B^T` give the scores `Q U diag(sqrt(lambda))`.
 * The fraction of variance the components keep is returned, for the caption.
 */
import { Worker } from 'node:worker_threads';
import * as druid from '@saehrimnir/druidjs';
import { Rng } from '../rng/rng.ts';

export interface EmbedOptions {
  /** Seed of every random choice (Gaussian sketch, t-SNE start, Isomap's tree and eigen-solver). */
  seed: number;
  /** Principal components kept before embedding (default 50; at most the number of points - 1). */
  pcaDims?: number;
  /** t-SNE perplexity (default 30, the public implementation's default the paper used). */
  perplexity?: number;
  /** t-SNE gradient iterations (default 500: exaggeration to 100, momentum 0.8 after 250). */
  iterations?: number;
  /** Isomap neighbours to start from (default 10); doubled until the graph is one connected component. */
  neighbors?: number;
  /**
   * The rows Isomap embeds (default all); the others get NaN coordinates. The trajectories report
   * leaves out epoch 0, whose one long jump would otherwise take Isomap's first axis.
   */
  isomapRows?: readonly number[];
  /** Which embeddings to compute (default both). */
  methods?: readonly EmbedMethod[];
  /**
   * Run t-SNE on a worker thread while Isomap runs here (default: when both are asked for and
   * there are at least 500 points). Same numbers either way: the same library code and seed.
   */
  parallel?: boolean;
}

export type EmbedMethod = 'tsne' | 'isomap';

/** What `embedPoints` returns. */
export interface Embedding {
  /** `[n, 2]` row-major 2-D coordinates per method computed (NaN for rows a method left out). */
  coords: Partial<Record<EmbedMethod, Float64Array>>;
  /** Principal components used and the fraction of the total variance they keep. */
  pcaDims: number;
  explainedVariance: number;
  /** Parameters actually used (Isomap neighbours after any doubling). */
  params: { seed: number; perplexity: number; iterations: number; neighbors: number };
  /** Wall-clock seconds per step, and in all (less than their sum when t-SNE ran beside Isomap). */
  seconds: { pca: number; tsne: number; isomap: number; total: number };
}

/**
 * Embeds `n` points of dimension `dim` (`points`: `[n, dim]` row-major) in 2-D; see the module
 * comment.
 */
export function embedPoints(points: Float32Array, n: number, dim: number, opts: EmbedOptions): Embedding {
  if (points.length !== n * dim) throw new RangeError(`embedPoints: ${points.length} values is not ${n} points x ${dim}`);
  if (n < 3) throw new RangeError(`embedPoints: need at least 3 points, got ${n}`);
  const methods = opts.methods ?? ['tsne', 'isomap'];
  const perplexity = opts.perplexity ?? 30;
  const iterations = opts.iterations ?? 500;
  const t0 = performance.now();
  let t = t0;
  const lap = (): number => {
    const now = performance.now();
    const s = (now - t) / 1000;
    t = now;
    return s;
  };
  const pca = pcaScores(points, n, dim, Math.min(opts.pcaDims ?? 50, n - 1, dim), new Rng(opts.seed).fork('pca'));
  const seconds = { pca: lap(), tsne: 0, isomap: 0, total: 0 };
  const X = pca.scores.to2dArray();
  const coords: Embedding['coords'] = {};
  // t-SNE's perplexity must leave room: at most (n - 1) / 3 neighbours' worth.
  const tsneParams = { perplexity: Math.min(perplexity, Math.max(2, (n - 1) / 3)), d: 2, seed: opts.seed };
  const both = methods.includes('tsne') && methods.includes('isomap');
  const background = both && (opts.parallel ?? n >= 500) ? startTsneWorker(pca.scores.values, n, pca.dims, tsneParams, iterations) : null;
  if (methods.includes('tsne') && !background) {
    coords.tsne = flatten(new druid.TSNE(X, tsneParams).transform(iterations));
    seconds.tsne = lap();
  }
  const rows = opts.isomapRows ?? Array.from({ length: n }, (_, i) => i);
  let neighbors = Math.min(opts.neighbors ?? 10, rows.length - 1);
  if (methods.includes('isomap')) {
    const Xi = rows.map((r) => X[r]!);
    for (;;) {
      const y = flatten(new druid.ISOMAP(Xi, { neighbors, d: 2, seed: opts.seed }).transform());
      // A disconnected neighbour graph has infinite geodesics, which turn the MDS step into NaN.
      if (y.every(Number.isFinite) || neighbors >= rows.length - 1) {
        const all = new Float64Array(2 * n).fill(NaN);
        rows.forEach((r, i) => all.set(y.subarray(2 * i, 2 * i + 2), 2 * r));
        coords.isomap = all;
        break;
      }
      neighbors = Math.min(2 * neighbors, rows.length - 1);
    }
    seconds.isomap = lap();
    // Isomap's shortest paths run on druidjs's worker threads for large n; end them, or they keep the process alive.
    druid.terminate_pool();
  }
  if (background) {
    coords.tsne = background.wait();
    seconds.tsne = background.seconds();
    lap();
  }
  seconds.total = (performance.now() - t0) / 1000;
  return { coords, pcaDims: pca.dims, explainedVariance: pca.explained, params: { seed: opts.seed, perplexity, iterations, neighbors }, seconds };
}

/**
 * Starts t-SNE of `x` (`[n, dims]`) on a worker thread (the same druidjs module, loaded there);
 * `wait()` blocks until it is done (`Atomics.wait`, so that the report stays synchronous) and
 * returns the `[n, 2]` coordinates. A failure in the worker is rethrown by `wait()`.
 */
function startTsneWorker(x: Float64Array, n: number, dims: number, params: { perplexity: number; d: number; seed: number }, iterations: number): { wait(): Float64Array; seconds(): number } {
  const shared = new SharedArrayBuffer(8 * (n * dims + 2 * n + 1) + 8);
  const input = new Float64Array(shared, 0, n * dims);
  input.set(x.subarray(0, n * dims));
  const output = new Float64Array(shared, 8 * n * dims, 2 * n + 1); // coordinates, then the seconds taken
  const flag = new Int32Array(shared, 8 * (n * dims + 2 * n + 1), 2); // [done (1 ok, 2 failed), unused]
  const code = `
const { workerData } = require('node:worker_threads');
const { shared, n, dims, params, iterations, druidUrl } = workerData;
const input = new Float64Array(shared, 0, n * dims);
const output = new Float64Array(shared, 8 * n * dims, 2 * n + 1);
const flag = new Int32Array(shared, 8 * (n * dims + 2 * n + 1), 2);
import(druidUrl).then((druid) => {
  const t = performance.now();
  const X = Array.from({ length: n }, (_, i) => Array.from(input.subarray(i * dims, (i + 1) * dims)));
  const Y = new druid.TSNE(X, params).transform(iterations);
  for (let i = 0; i < n; i++) { output[2 * i] = Y[i][0]; output[2 * i + 1] = Y[i][1]; }
  output[2 * n] = (performance.now() - t) / 1000;
  Atomics.store(flag, 0, 1);
}).catch((e) => {
  console.error('t-SNE worker: ' + (e && e.stack || e));
  Atomics.store(flag, 0, 2);
}).finally(() => Atomics.notify(flag, 0));
`;
  const worker = new Worker(code, { eval: true, workerData: { shared, n, dims, params, iterations, druidUrl: import.meta.resolve('@saehrimnir/druidjs') } });
  return {
    wait(): Float64Array {
      while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, 1000);
      void worker.terminate();
      if (Atomics.load(flag, 0) !== 1) throw new Error('embedPoints: t-SNE failed on its worker thread (its error is printed above)');
      return Float64Array.from(output.subarray(0, 2 * n));
    },
    seconds: () => output[2 * n]!,
  };
}

function flatten(rows: ArrayLike<ArrayLike<number>>): Float64Array {
  const out = new Float64Array(rows.length * 2);
  for (let i = 0; i < rows.length; i++) {
    out[2 * i] = rows[i]![0]!;
    out[2 * i + 1] = rows[i]![1]!;
  }
  return out;
}

/**
 * The first `k` principal-component scores of `points` (`[n, dim]`), by randomized PCA; see the
 * module comment. Returns `[n, k]` scores and the fraction of the total variance they hold.
 */
export function pcaScores(points: Float32Array, n: number, dim: number, k: number, rng: Rng): { scores: druid.Matrix; dims: number; explained: number } {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += points[i * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= n;
  const Xc = new druid.Matrix(n, dim, 0);
  const xv = Xc.values;
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      const v = points[i * dim + j]! - mean[j]!;
      xv[i * dim + j] = v;
      total += v * v;
    }
  }
  const l = Math.min(k + 10, n, dim);
  const omega = new druid.Matrix(dim, l, 0);
  rng.fillNormal(omega.values);
  let Q = druid.qr(Xc.dot(omega)).Q; // [n, l]
  Q = druid.qr(Xc.dot(Xc.transDot(Q))).Q; // one power iteration
  const Bt = Xc.transDot(Q); // [dim, l] = (Q^T Xc)^T
  const small = Bt.transDot(Bt); // [l, l] = B B^T
  const { eigenvalues, eigenvectors } = druid.simultaneous_poweriteration(small, k, { seed: rng.fork('eig').int(2 ** 31) });
  const U = new druid.Matrix(l, k, (r, c) => eigenvectors[c]![r]! * Math.sqrt(Math.max(0, eigenvalues[c]!)));
  let kept = 0;
  for (let c = 0; c < k; c++) kept += Math.max(0, eigenvalues[c]!);
  return { scores: Q.dot(U), dims: k, explained: total > 0 ? kept / total : 1 };
}
