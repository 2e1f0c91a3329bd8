/**
 * One conformance suite for every backend: each kernel against `reference` on random inputs,
 * odd and edge sizes, every transpose combination, beta = 0 and 1. Tolerances come from the single
 * table in `test/helpers/tolerances.ts`. A backend missing here (wasm not built, no OpenBLAS) is
 * announced loudly and skipped; with CI set it fails the run instead (`skipIfMissing`).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACTIVATIONS,
  availableBackends,
  createBackend,
  createReferenceBackend,
  Rng,
  type Backend,
  type Matrix,
} from '../../src/index.ts';
import { TOLERANCE, assertClose } from '../helpers/tolerances.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const ref = createReferenceBackend('float32');
const rng = new Rng(2024).fork('conformance');

/** Same random numbers in both backends. */
function pair(be: Backend, rows: number, cols: number, lo = -1, hi = 1): [Matrix, Matrix] {
  const v = rng.fillUniform(new Float32Array(rows * cols), lo, hi);
  return [ref.fromArray(rows, cols, v), be.fromArray(rows, cols, v)];
}

const SIZES = [1, 3, 17, 255, 257, 784, 1000];
const GEMM_SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 784, 1000], [3, 17, 5], [17, 3, 255], [10, 784, 1000], [20, 1000, 257], [255, 257, 17],
  [128, 784, 3], [257, 255, 33], [1000, 1, 17], [5, 1000, 1], [64, 64, 64], [7, 9, 1000],
  // blocking and dispatch edges of fast backends: small-M / small-K thresholds, K and N past one cache block
  [2, 257, 1000], [31, 40, 37], [32, 17, 9], [33, 16, 101], [33, 260, 1030],
  // batch-10 MLP shapes (x W, dy W^T, the fused update x^T dy) and the streaming small-K kernel's
  // edges: K up to 12 in groups of five (K = 6: a last group of one), odd M, N with SIMD tails
  [10, 10, 1000], [301, 10, 1003], [33, 6, 1001], [32, 12, 7], [33, 13, 18], [9, 11, 37],
];

const all = await availableBackends();
for (const a of all) if (!a.available) skipIfMissing(`backend '${a.name}'`, a.reason ?? 'unavailable');
const backends = all.filter((a) => a.available && a.name !== 'reference');

for (const avail of backends) {
  const be = await createBackend(avail.name);
  // Expected values come from the float32 reference, so its rounding bounds every backend here,
  // reference64 included; reference64 meets the float64 table in reference64.test.ts.
  const tol = TOLERANCE.float32;

  describe(`backend '${avail.name}' conforms to reference`, () => {
    test('describes itself', (t) => {
      t.diagnostic(`${be.name}: ${be.description}`);
      assert.ok(be.description.length > 0);
    });

    test('gemm for every transpose combination, beta 0 and 1, alpha != 1, odd sizes', () => {
      for (const [m, k, n] of GEMM_SHAPES) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            for (const beta of [0, 1]) {
              const [ra, ba] = ta ? pair(be, k, m) : pair(be, m, k);
              const [rb, bb] = tb ? pair(be, n, k) : pair(be, k, n);
              const [rc, bc] = pair(be, m, n);
              ref.gemm(ta, tb, 0.75, ra, rb, beta, rc);
              be.gemm(ta, tb, 0.75, ba, bb, beta, bc);
              assertClose(bc.data, rc.data, tol.gemm * Math.sqrt(k), `gemm M=${m} K=${k} N=${n} tA=${ta} tB=${tb} beta=${beta}`);
            }
          }
        }
      }
    });

    test('gemm with beta = 0 ignores NaN in C', () => {
      const [ra, ba] = pair(be, 3, 17);
      const [rb, bb] = pair(be, 17, 5);
      const bc = be.fromArray(3, 5, new Array(15).fill(NaN));
      const rc = ref.zeros(3, 5);
      ref.gemm(false, false, 1, ra, rb, 0, rc);
      be.gemm(false, false, 1, ba, bb, 0, bc);
      assertClose(bc.data, rc.data, tol.gemm * 5, 'gemm beta=0 with NaN C');
    });

    test('element-wise kernels: axpy, scale, add, sub, mul, where, copy, fill, bernoulli, signAxpy', () => {
      for (const n of SIZES) {
        const cols = n === 1 ? 1 : 7;
        const [rx, bx] = pair(be, n, cols);
        const [ry, by] = pair(be, n, cols);
        const [rm, bm] = pair(be, n, cols, 0, 1);
        ref.axpy(-0.3, rx, ry); be.axpy(-0.3, bx, by);
        assertClose(by.data, ry.data, tol.elementwise, `axpy n=${n}`);
        ref.scale(1.7, ry); be.scale(1.7, by);
        assertClose(by.data, ry.data, tol.elementwise, `scale n=${n}`);
        const [ro, bo] = [ref.zeros(n, cols), be.zeros(n, cols)];
        for (const op of ['add', 'sub', 'mul'] as const) {
          ref[op](rx, ry, ro); be[op](bx, by, bo);
          assertClose(bo.data, ro.data, tol.elementwise, `${op} n=${n}`);
        }
        ref.bernoulli(rm, rx, ro); be.bernoulli(bm, bx, bo);
        assert.deepEqual([...bo.data], [...ro.data], `bernoulli n=${n}`);
        ref.where(ro, rx, ry, ro); be.where(bo, bx, by, bo);
        assertClose(bo.data, ro.data, tol.elementwise, `where n=${n}`);
        ref.signAxpy(0.01, rx, ry); be.signAxpy(0.01, bx, by);
        assertClose(by.data, ry.data, tol.elementwise, `signAxpy n=${n}`);
        be.copy(bx, bo); assertClose(bo.data, rx.data, 0, `copy n=${n}`);
        be.fill(bo, 2.5); assert.ok(bo.data.every((v) => v === 2.5), `fill n=${n}`);
      }
    });

    test('biasActivation, activation and activationBackward for every activation, and softplus', () => {
      for (const n of SIZES) {
        const rows = n > 300 ? 3 : 5;
        const [rx, bx] = pair(be, rows, n, -12, 12);
        const [rb, bb] = pair(be, 1, n, -2, 2);
        const [rd, bd] = pair(be, rows, n);
        const [ro, bo] = [ref.zeros(rows, n), be.zeros(rows, n)];
        for (const f of ACTIVATIONS) {
          ref.biasActivation(f, rx, rb, ro); be.biasActivation(f, bx, bb, bo);
          assertClose(bo.data, ro.data, tol.transcendental, `biasActivation ${f} n=${n}`);
          ref.activation(f, rx, ro); be.activation(f, bx, bo);
          assertClose(bo.data, ro.data, tol.transcendental, `activation ${f} n=${n}`);
          const [ry, by] = [ref.zeros(rows, n), be.zeros(rows, n)];
          ref.activation(f, rx, ry); be.copy(be.fromArray(rows, n, ry.data), by);
          ref.activationBackward(f, ry, rd, ro); be.activationBackward(f, by, bd, bo);
          assertClose(bo.data, ro.data, tol.elementwise, `activationBackward ${f} n=${n}`);
        }
        ref.addRowVector(rx, rb, ro); be.addRowVector(bx, bb, bo);
        assertClose(bo.data, ro.data, tol.elementwise, `addRowVector n=${n}`);
        ref.softplus(rx, ro); be.softplus(bx, bo);
        assertClose(bo.data, ro.data, tol.transcendental, `softplus n=${n}`);
      }
    });

    test('in-place aliasing is allowed where documented', () => {
      const [rx, bx] = pair(be, 17, 33, -5, 5);
      const [rb, bb] = pair(be, 1, 33);
      ref.biasActivation('sigmoid', rx, rb, rx); be.biasActivation('sigmoid', bx, bb, bx);
      assertClose(bx.data, rx.data, tol.transcendental, 'biasActivation in place');
      const [rd, bd] = pair(be, 17, 33);
      ref.activationBackward('sigmoid', rx, rd, rd); be.activationBackward('sigmoid', bx, bd, bd);
      assertClose(bd.data, rd.data, tol.elementwise, 'activationBackward in place');
    });

    test('reductions: colSums (alpha, beta), rowSums, sum, sumSquares, sumAbs, allFinite, argmaxRows', () => {
      for (const n of SIZES) {
        const rows = n === 1 ? 1 : 13;
        const [rx, bx] = pair(be, rows, n);
        for (const beta of [0, 1]) {
          const [rc, bc] = pair(be, 1, n);
          ref.colSums(rx, rc, 0.5, beta); be.colSums(bx, bc, 0.5, beta);
          assertClose(bc.data, rc.data, tol.reduction * Math.sqrt(rows), `colSums n=${n} beta=${beta}`);
        }
        const [rr, br] = [ref.zeros(rows, 1), be.zeros(rows, 1)];
        ref.rowSums(rx, rr); be.rowSums(bx, br);
        assertClose(br.data, rr.data, tol.reduction * Math.sqrt(n), `rowSums n=${n}`);
        const total = rows * n;
        for (const op of ['sum', 'sumSquares', 'sumAbs'] as const) {
          const a = ref[op](rx), b = be[op](bx);
          assert.ok(Math.abs(a - b) <= tol.reduction * Math.sqrt(total) * (1 + Math.abs(a) / Math.sqrt(total)), `${op} n=${n}: ${b} vs ${a}`);
        }
        assert.equal(be.allFinite(bx), true);
        const ai = new Int32Array(rows), bi = new Int32Array(rows);
        ref.argmaxRows(rx, ai); be.argmaxRows(bx, bi);
        assert.deepEqual([...bi], [...ai], `argmaxRows n=${n}`);
      }
      for (const bad of [NaN, Infinity, -Infinity]) {
        const x = be.zeros(3, 257);
        x.data[500] = bad;
        assert.equal(be.allFinite(x), false, `allFinite misses ${bad}`);
      }
    });

    test('softmaxCrossEntropy: loss, probabilities and gradient; binaryCrossEntropy', () => {
      for (const [rows, classes] of [[1, 10], [3, 2], [17, 10], [128, 10], [5, 1000]] as const) {
        const [rl, bl] = pair(be, rows, classes, -20, 20);
        const labels = new Int32Array(rows).map(() => rng.int(classes));
        const [rp, bp] = [ref.zeros(rows, classes), be.zeros(rows, classes)];
        const [rg, bg] = [ref.zeros(rows, classes), be.zeros(rows, classes)];
        const a = ref.softmaxCrossEntropy(rl, labels, rp, rg, 1 / rows);
        const b = be.softmaxCrossEntropy(bl, labels, bp, bg, 1 / rows);
        assert.ok(Math.abs(a - b) <= tol.transcendental * rows * (1 + Math.abs(a) / rows), `nll ${b} vs ${a}`);
        assertClose(bp.data, rp.data, tol.transcendental, `softmax probs ${rows}x${classes}`);
        assertClose(bg.data, rg.data, tol.transcendental, `softmax grad ${rows}x${classes}`);
      }
      const [rt, bt] = pair(be, 9, 784, 0, 1);
      const [rq, bq] = pair(be, 9, 784, 0, 1);
      bq.data[0] = 0; rq.data[0] = 0; bq.data[1] = 1; rq.data[1] = 1;
      const a = ref.binaryCrossEntropy(rt, rq), b = be.binaryCrossEntropy(bt, bq);
      assert.ok(Math.abs(a - b) <= tol.transcendental * 9 * 784 * 0.1 + 1e-4 * Math.abs(a), `bce ${b} vs ${a}`);
    });

    test('sgdUpdate with and without momentum and weight decay', () => {
      for (const n of [1, 17, 1000]) {
        const [rw, bw] = pair(be, n, 3);
        const [rg, bg] = pair(be, n, 3);
        const [rv, bv] = pair(be, n, 3);
        ref.sgdUpdate(rw, rg, rv, 0.1, 0.9, 1e-4); be.sgdUpdate(bw, bg, bv, 0.1, 0.9, 1e-4);
        assertClose(bw.data, rw.data, tol.elementwise, 'sgd momentum w');
        assertClose(bv.data, rv.data, tol.elementwise, 'sgd momentum v');
        ref.sgdUpdate(rw, rg, null, 0.05, 0, 1e-3); be.sgdUpdate(bw, bg, null, 0.05, 0, 1e-3);
        assertClose(bw.data, rw.data, tol.elementwise, 'sgd plain');
      }
    });

    test('shape mismatches raise an error naming the operation and the shapes', () => {
      assert.throws(() => be.gemm(false, false, 1, be.zeros(2, 3), be.zeros(4, 5), 0, be.zeros(2, 5)), /gemm.*\[2, 3\]/);
      assert.throws(() => be.add(be.zeros(2, 3), be.zeros(3, 2), be.zeros(2, 3)), /add.*\[2, 3\].*\[3, 2\]/);
      assert.throws(() => be.biasActivation('sigmoid', be.zeros(2, 3), be.zeros(1, 4), be.zeros(2, 3)), /biasActivation.*\[1, 3\]/);
      assert.throws(() => be.softmaxCrossEntropy(be.zeros(2, 3), new Int32Array([0, 3]), be.zeros(2, 3), null, 1), /label 3/);
    });
  });
}

test('at least the reference64 backend is exercised by the conformance suite', () => {
  assert.ok(backends.some((b) => b.name === 'reference64'));
});
