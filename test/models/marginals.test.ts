import { test } from 'node:test';
import assert from 'node:assert/strict';
import { histogram, resampleFromMarginals, sampleHistogram } from '../../src/models/marginals.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import type { DenseParams } from '../../src/nn/dense-params.ts';

const be = createReferenceBackend('float64');
const nIn = 200, nOut = 100;

/**
 * A "pre-trained-looking" layer with strong joint structure: row i's weights are scaled by
 * (1 + i / 20) (so row norms grow with i), the marginal is skewed, and the biases live in a
 * range of their own ([-3, -2]).
 */
function structuredLayer(seed: number): DenseParams {
  const r = new Rng(seed);
  const W = be.zeros(nIn, nOut);
  for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) W.set(i, j, (1 + i / 20) * (r.uniform() ** 2 - 0.2));
  const b = be.fromArray(1, nOut, Array.from({ length: nOut }, () => -3 + r.uniform()));
  return { W, b };
}

function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  return s[Math.floor(q * (s.length - 1))]!;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i]!; sb += b[i]!; sab += a[i]! * b[i]!; saa += a[i]! ** 2; sbb += b[i]! ** 2;
  }
  return (sab / n - (sa / n) * (sb / n)) / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
}

function rowNorms(W: DenseParams['W']): Float64Array {
  return Float64Array.from({ length: W.rows }, (_, i) => Math.hypot(...W.row(i)));
}

test('resampling from marginals keeps each layer\'s weight histogram and quantiles', () => {
  const layer = structuredLayer(1);
  const [re] = resampleFromMarginals(be, [layer], new Rng(2));
  const h0 = histogram(layer.W.data, 50);
  const n = layer.W.size, width = (h0.hi - h0.lo) / 50;
  const counts = new Int32Array(50);
  for (const v of re!.W.data) {
    assert.ok(v >= h0.lo && v <= h0.hi, `resampled weight ${v} is outside the original range`);
    counts[Math.min(49, Math.floor((v - h0.lo) / width))]!++;
  }
  for (let k = 0; k < 50; k++) {
    const p = h0.counts[k]! / n, sd = Math.sqrt(Math.max(p * (1 - p), 1 / n) / n);
    assert.ok(Math.abs(counts[k]! / n - p) < 5 * sd, `bin ${k}: ${counts[k]! / n} vs ${p}`);
  }
  for (const q of [0.05, 0.25, 0.5, 0.75, 0.95]) {
    assert.ok(Math.abs(quantile(re!.W.data, q) - quantile(layer.W.data, q)) < 2 * width, `quantile ${q}`);
  }
});

test('weights and biases get separate histograms: resampled biases stay in the biases\' own range', () => {
  const layer = structuredLayer(3);
  const [re] = resampleFromMarginals(be, [layer], new Rng(4));
  const lo = Math.min(...layer.b.data), hi = Math.max(...layer.b.data);
  for (const v of re!.b.data) assert.ok(v >= lo && v <= hi, `bias ${v} outside [${lo}, ${hi}]`);
  assert.ok(Math.abs(quantile(re!.b.data, 0.5) - quantile(layer.b.data, 0.5)) < 0.2);
});

test('resampling from marginals breaks the joint structure (no correlation with the original, row norms flattened)', () => {
  const layer = structuredLayer(5);
  const [re] = resampleFromMarginals(be, [layer], new Rng(6));
  const r = correlation(layer.W.data, re!.W.data);
  assert.ok(Math.abs(r) < 4 / Math.sqrt(layer.W.size), `correlation with the original ${r}`);
  const index = Float64Array.from({ length: nIn }, (_, i) => i);
  assert.ok(correlation(rowNorms(layer.W), index) > 0.9, 'the test layer should have structured row norms');
  assert.ok(Math.abs(correlation(rowNorms(re!.W), index)) < 0.3, 'row norms still follow the original structure');
});

test('every layer uses its own histograms, and inputs are not mutated', () => {
  const a = structuredLayer(7);
  const b: DenseParams = { W: be.fromArray(3, 4, Array.from({ length: 12 }, (_, i) => 10 + i)), b: be.fromArray(1, 4, [5, 5, 5, 5]) };
  const before = [Float64Array.from(a.W.data), Float64Array.from(b.W.data)];
  const out = resampleFromMarginals(be, [a, b], new Rng(8));
  assert.deepEqual([out[0]!.W.shape, out[1]!.W.shape, out[1]!.b.shape], [[nIn, nOut], [3, 4], [1, 4]]);
  for (const v of out[1]!.W.data) assert.ok(v >= 10 && v <= 21);
  assert.deepEqual(Array.from(out[1]!.b.data), [5, 5, 5, 5], 'a constant bias vector resamples to the constant');
  assert.deepEqual(a.W.data, before[0]);
  assert.deepEqual(b.W.data, before[1]);
  assert.equal(out[0]!.W.backend, be.name);
});

test('the same seed resamples the same numbers bit for bit; another seed does not', () => {
  const layer = structuredLayer(9);
  const x = resampleFromMarginals(be, [layer], new Rng(1))[0]!;
  const y = resampleFromMarginals(be, [layer], new Rng(1))[0]!;
  const z = resampleFromMarginals(be, [layer], new Rng(2))[0]!;
  assert.deepEqual(x.W.data, y.W.data);
  assert.deepEqual(x.b.data, y.b.data);
  assert.notDeepEqual(x.W.data, z.W.data);
});

test('sampleHistogram draws bins in proportion to their counts', () => {
  const h = histogram([0, 0, 0, 0.5, 3, 3, 3, 3], 3); // bins [0,1), [1,2), [2,3]
  assert.deepEqual(Array.from(h.counts), [4, 0, 4]);
  const out = new Float64Array(40000);
  sampleHistogram(h, new Rng(3), out);
  const low = out.filter((v) => v < 1).length / out.length;
  assert.equal(out.filter((v) => v >= 1 && v < 2).length, 0, 'an empty bin was sampled');
  assert.ok(Math.abs(low - 0.5) < 0.01, `fraction in the first bin ${low}`);
  assert.throws(() => histogram([1, NaN], 10), /not finite/);
  assert.throws(() => histogram([1, 2], 0), /bins/);
});
