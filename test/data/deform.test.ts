import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deformer, Rng } from '../../src/index.ts';

const NONE = { alpha: 0, rotationDeg: 0, scale: 0, shear: 0, translate: 0, thickness: [0, 0] as const };

function digitLike(): Float32Array {
  const x = new Float32Array(784);
  for (let r = 6; r < 22; r++) for (let c = 12; c < 16; c++) x[r * 28 + c] = (r + c) % 3 === 0 ? 0.5 : 1;
  return x;
}

test('a deformation with every parameter at zero returns the image unchanged', () => {
  const src = digitLike(), out = new Float32Array(784);
  new Deformer(28, 28, NONE).deform(src, out, new Rng(1));
  assert.deepEqual(out, src);
});

test('the coarse-grid elastic field has the displacement variance of the full-resolution field (Simard et al. 2003)', () => {
  const rms = (gridStep: number) => {
    const d = new Deformer(28, 28, { alpha: 30, sigma: 4, gridStep });
    let s2 = 0, n = 0;
    for (let k = 0; k < 200; k++) {
      const f = d.displacementField(new Rng(9).fork(k));
      for (let p = 0; p < 784; p++) {
        s2 += f.dx[p]! ** 2 + f.dy[p]! ** 2;
        n += 2;
      }
    }
    return Math.sqrt(s2 / n);
  };
  const full = rms(1), coarse = rms(6);
  // Predicted std of a uniform[-1,1] field smoothed by a normalised 2-D Gaussian, times alpha.
  const predicted = 30 / Math.sqrt(3) / (2 * Math.sqrt(Math.PI) * 4);
  assert.ok(Math.abs(full - predicted) / predicted < 0.08, `full ${full} vs predicted ${predicted}`);
  assert.ok(Math.abs(coarse - full) / full < 0.08, `coarse ${coarse} vs full ${full}`);
});

test('thickening adds ink and thinning removes it; values stay in [0, 1]', () => {
  const src = digitLike(), out = new Float32Array(784);
  const ink = (x: Float32Array) => x.reduce((a, b) => a + b, 0);
  new Deformer(28, 28, { ...NONE, thickness: [0.8, 0.8] }).deform(src, out, new Rng(1));
  assert.ok(ink(out) > 1.3 * ink(src));
  new Deformer(28, 28, { ...NONE, thickness: [-0.8, -0.8] }).deform(src, out, new Rng(1));
  assert.ok(ink(out) < 0.8 * ink(src));
  for (const v of out) assert.ok(v >= 0 && v <= 1);
});

test('the elastic field is smooth: neighbouring displacements are strongly correlated', () => {
  const f = new Deformer(28, 28).displacementField(new Rng(3));
  let num = 0, den = 0;
  for (let r = 0; r < 28; r++) for (let c = 0; c < 27; c++) {
    num += f.dx[r * 28 + c]! * f.dx[r * 28 + c + 1]!;
    den += f.dx[r * 28 + c]! ** 2;
  }
  assert.ok(num / den > 0.9, `lag-1 correlation ${num / den}`);
});

test('invalid deformation options are rejected with the offending value', () => {
  assert.throws(() => new Deformer(28, 28, { sigma: 0 }), /sigma must be > 0, got 0/);
  assert.throws(() => new Deformer(28, 28, { thickness: [0.5, -0.5] }), /thickness/);
});
