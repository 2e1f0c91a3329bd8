import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateShapeset, SHAPESET_3X2_DEFAULTS, type Dataset } from '../../src/index.ts';

const small = { sizes: [2000, 200, 1000] } as const;

test('the paper variant has 50,000 / 10,000 / 10,000 images of 10x10 and two classes', () => {
  const s = generateShapeset();
  assert.deepEqual([s.train.n, s.valid.n, s.test.n], [50000, 10000, 10000]);
  assert.equal(s.train.dim, 100);
  assert.equal(s.train.nClasses, 2);
  assert.deepEqual(s.test.image, { height: 10, width: 10 });
});

test('the same seed gives the same images; another seed other images', () => {
  const a = generateShapeset({ ...small, seed: 1 }), b = generateShapeset({ ...small, seed: 1 });
  const c = generateShapeset({ ...small, seed: 2 });
  assert.deepEqual(a.train.x, b.train.x);
  assert.deepEqual(a.test.y, b.test.y);
  assert.notDeepEqual(a.train.x, c.train.x);
  assert.notDeepEqual(a.train.x.subarray(0, 100 * 200), a.valid.x.subarray(0, 100 * 200), 'splits differ');
});

test('classes are exactly balanced in every split', () => {
  for (const variant of ['triangle-square', '3x2'] as const) {
    const s = generateShapeset({ variant, sizes: [600, 60, 66] });
    for (const d of [s.train, s.valid, s.test]) {
      const counts = new Array(d.nClasses).fill(0);
      for (const y of d.y) counts[y]++;
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${d.name}: ${counts}`);
    }
  }
});

function checkVisible(d: Dataset, minContrast: number): void {
  let antiAliased = 0;
  for (let i = 0; i < d.n; i++) {
    const img = d.x.subarray(i * d.dim, (i + 1) * d.dim);
    let lo = Infinity, hi = -Infinity;
    for (const v of img) {
      assert.ok(v >= 0 && v <= 1);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    assert.ok(hi - lo >= 0.9 * minContrast, `${d.name} ${i}: grey range ${hi - lo}`);
    const levels = new Set(Array.from(img, (v) => v.toFixed(4)));
    if (levels.size > 2) antiAliased++;
  }
  assert.ok(antiAliased > 0.9 * d.n, `${antiAliased} of ${d.n} images have edge pixels between the two grey levels`);
}

test('every image shows its shape: foreground and background differ by the minimum contrast, edges anti-aliased', () => {
  checkVisible(generateShapeset(small).train, 0.3);
  checkVisible(generateShapeset({ ...SHAPESET_3X2_DEFAULTS, sizes: [300, 0, 0] }).train, 0.3);
});

test('Shapeset-3x2 is 32x32 with 6 classes', () => {
  const s = generateShapeset({ ...SHAPESET_3X2_DEFAULTS, sizes: [12, 6, 6] });
  assert.equal(s.train.dim, 1024);
  assert.equal(s.train.nClasses, 6);
  assert.ok(s.train.y.every((y) => y >= 0 && y < 6));
});

/** Rotation-invariant shape features of a grey image: normalised polar inertia and third-order moment. */
function features(img: Float32Array, side: number): number[] {
  const sorted = Float32Array.from(img).sort();
  const bg = sorted[Math.floor(sorted.length / 2)]!; // shapes cover < 50% of the image
  let mx = 0;
  for (const v of img) mx = Math.max(mx, Math.abs(v - bg));
  let A = 0, sx = 0, sy = 0;
  const m = new Float64Array(img.length);
  for (let p = 0; p < img.length; p++) {
    const w = Math.abs(img[p]! - bg) / mx;
    m[p] = w;
    A += w;
    sx += w * (p % side);
    sy += w * Math.floor(p / side);
  }
  const cx = sx / A, cy = sy / A;
  let I = 0, m30 = 0, m03 = 0, m21 = 0, m12 = 0;
  for (let p = 0; p < img.length; p++) {
    const w = m[p]!, u = (p % side) - cx, v = Math.floor(p / side) - cy;
    I += w * (u * u + v * v);
    m30 += w * u ** 3;
    m03 += w * v ** 3;
    m21 += w * u * u * v;
    m12 += w * u * v * v;
  }
  return [I / (A * A), Math.hypot(m30 - 3 * m12, 3 * m21 - m03) / A ** 2.5];
}

test('a logistic regression on shape moments tells triangles from squares well above chance', () => {
  const s = generateShapeset(small);
  const F = (d: Dataset) => Array.from({ length: d.n }, (_, i) => features(d.x.subarray(i * 100, (i + 1) * 100), 10));
  const tr = F(s.train), te = F(s.test);
  const mu = [0, 1].map((j) => tr.reduce((a, f) => a + f[j]!, 0) / tr.length);
  const sd = [0, 1].map((j) => Math.sqrt(tr.reduce((a, f) => a + (f[j]! - mu[j]!) ** 2, 0) / tr.length));
  const z = (f: number[]) => [(f[0]! - mu[0]!) / sd[0]!, (f[1]! - mu[1]!) / sd[1]!, 1];
  const w = [0, 0, 0];
  for (let epoch = 0; epoch < 20; epoch++) {
    tr.forEach((f, i) => {
      const x = z(f);
      const p = 1 / (1 + Math.exp(-(w[0]! * x[0]! + w[1]! * x[1]! + w[2]!)));
      for (let j = 0; j < 3; j++) w[j]! -= 0.05 * (p - s.train.y[i]!) * x[j]!;
    });
  }
  let ok = 0;
  te.forEach((f, i) => {
    const x = z(f);
    if ((w[0]! * x[0]! + w[1]! * x[1]! + w[2]! > 0 ? 1 : 0) === s.test.y[i]) ok++;
  });
  assert.ok(ok / te.length > 0.85, `test accuracy ${ok / te.length} (chance 0.5)`);
});
