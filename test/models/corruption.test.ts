import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseSubset, corrupt, corruptedCount, createCorruptionWork } from '../../src/models/corruption.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';

const be = createReferenceBackend('float64');

/** A [rows, cols] matrix of values in [0.1, 1) (no zeros, no 0.5s, no 1s). */
function input(rows: number, cols: number, seed = 3) {
  const r = new Rng(seed);
  return be.fromArray(rows, cols, Array.from({ length: rows * cols }, () => 0.1 + 0.85 * r.uniform()));
}

test('masking zeroes exactly round(fraction x n) entries of every row and keeps the rest', () => {
  for (const [cols, f] of [[784, 0.25], [10, 0.33], [7, 0.5], [5, 0.05]] as const) {
    const x = input(40, cols), out = be.zeros(40, cols);
    corrupt(be, 'masking', f, x, out, new Rng(1), createCorruptionWork(be, 40, cols));
    const k = Math.round(f * cols);
    for (let r = 0; r < 40; r++) {
      let zeros = 0;
      for (let j = 0; j < cols; j++) {
        const o = out.get(r, j);
        if (o === 0) zeros++;
        else assert.equal(o, x.get(r, j));
      }
      assert.equal(zeros, k, `row ${r} of ${cols} inputs at fraction ${f}`);
    }
  }
});

test('salt-and-pepper sets exactly round(fraction x n) entries of every row to 0 or 1, about half each', () => {
  const cols = 100, rows = 200, f = 0.3, k = corruptedCount(f, cols);
  const x = be.fromArray(rows, cols, new Float64Array(rows * cols).fill(0.5)), out = be.zeros(rows, cols);
  corrupt(be, 'salt-pepper', f, x, out, new Rng(2), createCorruptionWork(be, rows, cols));
  let ones = 0;
  for (let r = 0; r < rows; r++) {
    let changed = 0;
    for (let j = 0; j < cols; j++) {
      const o = out.get(r, j);
      if (o !== 0.5) {
        changed++;
        assert.ok(o === 0 || o === 1, `corrupted value ${o} must be 0 or 1`);
        ones += o;
      }
    }
    assert.equal(changed, k);
  }
  const frac = ones / (rows * k), sd = Math.sqrt(0.25 / (rows * k));
  assert.ok(Math.abs(frac - 0.5) < 4 * sd, `fraction of 1s ${frac}`);
});

test('the masked subset is uniform over positions (each input destroyed with probability k/n)', () => {
  const cols = 20, rows = 20000, f = 0.25;
  const x = be.fromArray(rows, cols, new Float64Array(rows * cols).fill(1)), out = be.zeros(rows, cols);
  corrupt(be, 'masking', f, x, out, new Rng(5), createCorruptionWork(be, rows, cols));
  const p = Math.round(f * cols) / cols, sd = Math.sqrt(p * (1 - p) / rows);
  for (let j = 0; j < cols; j++) {
    let z = 0;
    for (let r = 0; r < rows; r++) if (out.get(r, j) === 0) z++;
    assert.ok(Math.abs(z / rows - p) < 4.5 * sd, `column ${j} masked in ${z / rows} of rows, expected ${p}`);
  }
});

test('chooseSubset is a partial Fisher-Yates: k distinct indices in front, the rest a permutation', () => {
  const idx = Int32Array.from({ length: 30 }, (_, i) => i);
  const rng = new Rng(9);
  for (let t = 0; t < 50; t++) {
    chooseSubset(idx, 12, rng);
    assert.deepEqual([...idx].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
  }
});

test('gaussian noise adds N(0, fraction^2) to every entry', () => {
  const rows = 100, cols = 200, f = 0.3;
  const x = input(rows, cols), out = be.zeros(rows, cols);
  corrupt(be, 'gaussian', f, x, out, new Rng(4), createCorruptionWork(be, rows, cols));
  let s = 0, ss = 0;
  const n = rows * cols;
  for (let i = 0; i < n; i++) {
    const d = out.data[i]! - x.data[i]!;
    s += d;
    ss += d * d;
  }
  const mean = s / n, std = Math.sqrt(ss / n - mean * mean);
  assert.ok(Math.abs(mean) < 4 * f / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(std - f) < 0.01, `std ${std}`);
});

test('corrupt never mutates its input, and the same seed gives the same corruption bit for bit', () => {
  for (const kind of ['masking', 'salt-pepper', 'gaussian'] as const) {
    const x = input(8, 50), before = Float64Array.from(x.data);
    const a = be.zeros(8, 50), b = be.zeros(8, 50), c = be.zeros(8, 50);
    const w = createCorruptionWork(be, 8, 50);
    corrupt(be, kind, 0.2, x, a, new Rng(11), w);
    corrupt(be, kind, 0.2, x, b, new Rng(11), w);
    corrupt(be, kind, 0.2, x, c, new Rng(12), w);
    assert.deepEqual(x.data, before, `${kind} mutated its input`);
    assert.deepEqual(a.data, b.data, `${kind} is not reproducible`);
    assert.notDeepEqual(a.data, c.data, `${kind} ignores the seed`);
  }
});

test('corruption level 0 is the identity and levels outside [0, 1) are rejected', () => {
  const x = input(3, 9), out = be.zeros(3, 9), w = createCorruptionWork(be, 3, 9);
  corrupt(be, 'masking', 0, x, out, new Rng(1), w);
  assert.deepEqual(out.data, x.data);
  assert.throws(() => corrupt(be, 'masking', 1, x, out, new Rng(1), w), /\[0, 1\)/);
  assert.throws(() => corrupt(be, 'masking', -0.1, x, out, new Rng(1), w), /\[0, 1\)/);
});
