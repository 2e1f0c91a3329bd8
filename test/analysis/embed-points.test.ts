import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embedPoints, pcaScores } from '../../src/analysis/embed-points.ts';
import { cachedEmbedding } from '../../src/analysis/embedding-cache.ts';
import { Rng } from '../../src/rng/rng.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** `n` points in `dim` dimensions on two noisy lines (two "groups" of trajectories). */
function twoLines(n: number, dim: number, seed = 3): Float32Array {
  const r = new Rng(seed);
  const a = r.fillNormal(new Float32Array(dim)), b = r.fillNormal(new Float32Array(dim));
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const t = (i % (n / 2)) / (n / 2);
    for (let j = 0; j < dim; j++) x[i * dim + j] = (i < n / 2 ? 0 : 5) + t * (i < n / 2 ? a[j]! : b[j]!) + 0.01 * r.normal();
  }
  return x;
}

test('embedPoints with the same seed gives the same t-SNE and Isomap embedding, and another seed another t-SNE start', () => {
  const n = 60, dim = 40, x = twoLines(n, dim);
  const a = embedPoints(x, n, dim, { seed: 5, iterations: 150, pcaDims: 10 });
  const b = embedPoints(x, n, dim, { seed: 5, iterations: 150, pcaDims: 10 });
  const c = embedPoints(x, n, dim, { seed: 6, iterations: 150, pcaDims: 10, methods: ['tsne'] });
  assert.equal(a.coords.tsne!.length, 2 * n);
  assert.equal(a.coords.isomap!.length, 2 * n);
  assert.ok(a.coords.tsne!.every(Number.isFinite) && a.coords.isomap!.every(Number.isFinite));
  assert.deepEqual(a.coords, b.coords);
  assert.notDeepEqual(a.coords.tsne, c.coords.tsne);
});

test('t-SNE on a worker thread beside Isomap gives the same coordinates as on the main thread', () => {
  const n = 40, dim = 20, x = twoLines(n, dim, 4);
  const here = embedPoints(x, n, dim, { seed: 2, iterations: 100, pcaDims: 8, parallel: false });
  const beside = embedPoints(x, n, dim, { seed: 2, iterations: 100, pcaDims: 8, parallel: true });
  assert.deepEqual(beside.coords, here.coords);
  assert.ok(beside.seconds.tsne > 0 && beside.seconds.total > 0);
});

test('pcaScores keeps all the variance of data of lower rank than the components asked for, and preserves distances', () => {
  const n = 50, dim = 30, rank = 3, r = new Rng(2);
  const basis = r.fillNormal(new Float32Array(rank * dim));
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < rank; k++) { const c = r.normal(); for (let j = 0; j < dim; j++) x[i * dim + j]! += c * basis[k * dim + j]!; }
  const { scores, explained } = pcaScores(x, n, dim, 5, new Rng(1));
  assert.ok(Math.abs(explained - 1) < 1e-6, `explained ${explained}`);
  const s = scores.to2dArray();
  const dist = (i: number, j: number): number => Math.hypot(...Array.from({ length: dim }, (_, k) => x[i * dim + k]! - x[j * dim + k]!));
  const dpc = (i: number, j: number): number => Math.hypot(...Array.from(s[i]!, (v, k) => v - s[j]![k]!));
  for (const [i, j] of [[0, 1], [3, 40], [10, 49]] as const) assert.ok(Math.abs(dist(i, j) - dpc(i, j)) < 1e-3 * dist(i, j), `pair ${i},${j}: ${dist(i, j)} vs ${dpc(i, j)}`);
});

test('cachedEmbedding computes once and reads the same coordinates back for the same inputs', () => {
  const dir = tempDir('embed-cache-');
  const n = 30, dim = 12, x = twoLines(n, dim);
  const opts = { seed: 1, iterations: 50, pcaDims: 5, methods: ['tsne'] as const };
  const first = cachedEmbedding(dir, x, n, dim, opts);
  const again = cachedEmbedding(dir, x, n, dim, opts);
  assert.equal(first.cached, false);
  assert.equal(again.cached, true);
  assert.deepEqual(again.coords.tsne, first.coords.tsne);
  x[0] = 99;
  assert.equal(cachedEmbedding(dir, x, n, dim, opts).cached, false, 'changed points are a new key');
});

test('Isomap on a subset of rows leaves the others NaN, and the cache reads the NaN back as NaN', () => {
  const dir = tempDir('embed-cache-');
  const n = 40, dim = 16, x = twoLines(n, dim, 5);
  const rows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 10 !== 0);
  const opts = { seed: 1, pcaDims: 6, methods: ['isomap'] as const, isomapRows: rows };
  const first = cachedEmbedding(dir, x, n, dim, opts);
  const y = first.coords.isomap!;
  for (let i = 0; i < n; i++) assert.equal(Number.isFinite(y[2 * i]!), i % 10 !== 0, `row ${i}`);
  const again = cachedEmbedding(dir, x, n, dim, opts);
  assert.equal(again.cached, true);
  assert.deepEqual(again.coords.isomap, y);
});
