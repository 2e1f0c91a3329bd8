/**
 * 2-D embeddings of function-space points (Erhan et al. 2010, Section 6.3): t-SNE (Fig. 5,
 * local structure; van der Maaten & Hinton 2008) and Isomap (Fig. 6, global structure, one
 * connected component; Tenenbaum et al. 2000), seeded so the same points and seed give the same
 * picture on a given Node build. t-SNE is druidjs's (`@saehrimnir/druidjs` `TSNE`); Isomap is our
 * one-component neighbour graph and shortest paths (`geodesicDistances`) embedded by druidjs's
 * classical `MDS` (its `ISOMAP` cannot join the graph's components, see `geodesic-graph.ts`).
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
import { geodesicDistances } from './geodesic-graph.ts';

export interface EmbedOptions {
  /** Seed of every random choice (Gaussian sketch, t-SNE start, Isomap's tree and eigen-solver). */
  seed: number;
  /** Principal components kept before embedding (default 50; at most the number of points - 1). */
  pcaDims?: number;
  /** t-SNE perplexity (default 30, the public implementation's default the paper used). */
  perplexity?: number;
  /** t-SNE gradient iterations (default 500: exaggeration to 100, momentum 0.8 after 250). */
  iterations?: number;
  /** Isomap neighbours (default 10); the graph's components are then joined by their shortest edges (`geodesicDistances`). */
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
  /** Parameters used, and how many edges joined the Isomap graph's components into one. */
  params: { seed: number; perplexity: number; iterations: number; neighbors: number; bridges: number };
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
  const neighbors = Math.min(opts.neighbors ?? 10, rows.length - 1);
  let bridges = 0;
  if (methods.includes('isomap')) {
    const Xi = new Float64Array(rows.length * pca.dims);
    rows.forEach((r, i) => Xi.set(pca.scores.values.subarray(r * pca.dims, (r + 1) * pca.dims), i * pca.dims));
    const geo = geodesicDistances(Xi, rows.length, pca.dims, neighbors);
    bridges = geo.bridges;
    const G = new druid.Matrix(rows.length, rows.length, 0);
    G.values.set(geo.distances);
    const y = flatten(new druid.MDS(G, { metric: 'precomputed', d: 2, seed: opts.seed }).transform().to2dArray());
    const all = new Float64Array(2 * n).fill(NaN);
    rows.forEach((r, i) => all.set(y.subarray(2 * i, 2 * i + 2), 2 * r));
    coords.isomap = all;
    seconds.isomap = lap();
    druid.terminate_pool(); // in case druidjs started worker threads: they would keep the process alive
  }
  if (background) {
    coords.tsne = background.wait();
    seconds.tsne = background.seconds();
    lap();
  }
  seconds.total = (performance.now() - t0) / 1000;
  return { coords, pcaDims: pca.dims, explainedVariance: pca.explained, params: { seed: opts.seed, perplexity, iterations, neighbors, bridges }, seconds };
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
