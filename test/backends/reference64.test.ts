/**
 * The float64 reference backend against formulas evaluated here in float64, with the float64
 * tolerance table (the shared conformance suite compares backends with the float32 reference, whose
 * own rounding needs the float32 table). Sums are formed in a different order from the backend's
 * (pairwise here), so the check measures rounding, not a copy of the same loop.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVATIONS, createReferenceBackend, Rng, type Activation, type Matrix } from '../../src/index.ts';
import { TOLERANCE, assertClose } from '../helpers/tolerances.ts';

const be = createReferenceBackend('float64');
const tol = TOLERANCE.float64;
const rng = new Rng(64).fork('reference64');

/** A random `[rows, cols]` float64 matrix and its values, with 53 random bits each (24-bit values would make products exact). */
function rand(rows: number, cols: number, lo = -1, hi = 1): [Matrix, Float64Array] {
  const v = new Float64Array(rows * cols).map(() => lo + (hi - lo) * rng.uniform53());
  return [be.fromArray(rows, cols, v), v];
}

/** Pairwise sum of `f(i)` for i in [lo, hi): a summation order unlike the backend's loops. */
function pairwise(lo: number, hi: number, f: (i: number) => number): number {
  if (hi - lo <= 2) return hi - lo === 2 ? f(lo) + f(lo + 1) : hi > lo ? f(lo) : 0;
  const mid = (lo + hi) >> 1;
  return pairwise(lo, mid, f) + pairwise(mid, hi, f);
}

const at = (v: Float64Array, i: number): number => v[i]!;

const ACT: Record<Activation, (a: number) => number> = {
  identity: (a) => a,
  sigmoid: (a) => 1 / (1 + Math.exp(-a)),
  tanh: (a) => Math.tanh(a),
  relu: (a) => (a > 0 ? a : 0),
};
/** f'(a) from y = f(a). */
const ACT_GRAD: Record<Activation, (y: number) => number> = {
  identity: () => 1,
  sigmoid: (y) => y * (1 - y),
  tanh: (y) => 1 - y * y,
  relu: (y) => (y > 0 ? 1 : 0),
};

describe('reference64 agrees with float64 formulas to float64 rounding', () => {
  test('gemm for every transpose combination, beta 0 and 1, equals the pairwise-summed product', () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 17, 5], [17, 255, 9], [10, 784, 33], [7, 1000, 3]] as const) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const beta of [0, 1]) {
            const [a, av] = ta ? rand(k, m) : rand(m, k);
            const [b, bv] = tb ? rand(n, k) : rand(k, n);
            const [c, cv] = rand(m, n);
            const want = new Float64Array(m * n);
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) {
                const dot = pairwise(0, k, (p) => at(av, ta ? p * m + i : i * k + p) * at(bv, tb ? j * k + p : p * n + j));
                want[i * n + j] = 0.75 * dot + beta * at(cv, i * n + j);
              }
            }
            be.gemm(ta, tb, 0.75, a, b, beta, c);
            assertClose(c.data, want, tol.gemm * Math.sqrt(k), `gemm M=${m} K=${k} N=${n} tA=${ta} tB=${tb} beta=${beta}`);
          }
        }
      }
    }
  });

  test('element-wise kernels: axpy, scale, add, sub, mul', () => {
    const [x, xv] = rand(17, 33), [y, yv] = rand(17, 33), out = be.zeros(17, 33);
    be.axpy(-0.3, x, y);
    assertClose(y.data, xv.map((v, i) => -0.3 * v + at(yv, i)), tol.elementwise, 'axpy');
    const y1 = Float64Array.from(y.data);
    be.scale(1.7, y);
    assertClose(y.data, y1.map((v) => 1.7 * v), tol.elementwise, 'scale');
    const y2 = Float64Array.from(y.data);
    for (const [op, f] of [['add', (p: number, q: number) => p + q], ['sub', (p: number, q: number) => p - q], ['mul', (p: number, q: number) => p * q]] as const) {
      be[op](x, y, out);
      assertClose(out.data, xv.map((v, i) => f(v, at(y2, i))), tol.elementwise, op);
    }
  });

  test('biasActivation, activationBackward and softplus equal their formulas', () => {
    const [x, xv] = rand(5, 257, -12, 12), [bias, bv] = rand(1, 257, -2, 2), [dy, dv] = rand(5, 257);
    const out = be.zeros(5, 257);
    for (const f of ACTIVATIONS) {
      be.biasActivation(f, x, bias, out);
      const y = xv.map((v, i) => ACT[f](v + at(bv, i % 257)));
      assertClose(out.data, y, tol.transcendental, `biasActivation ${f}`);
      be.activationBackward(f, be.fromArray(5, 257, y), dy, out);
      assertClose(out.data, y.map((v, i) => ACT_GRAD[f](v) * at(dv, i)), tol.elementwise, `activationBackward ${f}`);
    }
    be.softplus(x, out);
    assertClose(out.data, xv.map((v) => Math.log(1 + Math.exp(v))), tol.transcendental, 'softplus');
  });

  test('reductions: colSums, rowSums, sum, sumSquares, sumAbs equal pairwise sums', () => {
    for (const [rows, cols] of [[1, 1], [13, 257], [1000, 3], [3, 1000]] as const) {
      const [x, xv] = rand(rows, cols);
      const [c, cv] = rand(1, cols);
      be.colSums(x, c, 0.5, 1);
      const colWant = cv.map((v, j) => v + 0.5 * pairwise(0, rows, (i) => at(xv, i * cols + j)));
      assertClose(c.data, colWant, tol.reduction * Math.sqrt(rows), `colSums ${rows}x${cols}`);
      const r = be.zeros(rows, 1);
      be.rowSums(x, r);
      const rowWant = new Float64Array(rows).map((_, i) => pairwise(0, cols, (j) => at(xv, i * cols + j)));
      assertClose(r.data, rowWant, tol.reduction * Math.sqrt(cols), `rowSums ${rows}x${cols}`);
      const n = rows * cols;
      for (const [op, f] of [['sum', (v: number) => v], ['sumSquares', (v: number) => v * v], ['sumAbs', (v: number) => Math.abs(v)]] as const) {
        const want = pairwise(0, n, (i) => f(at(xv, i)));
        assertClose([be[op](x)], [want], tol.reduction * Math.sqrt(n), `${op} ${rows}x${cols}`);
      }
    }
  });

  test('softmaxCrossEntropy: probabilities, gradient and loss equal the softmax formulas', () => {
    for (const [rows, classes] of [[1, 10], [17, 10], [5, 1000]] as const) {
      const [logits, lv] = rand(rows, classes, -20, 20);
      const labels = new Int32Array(rows).map(() => rng.int(classes));
      const probs = be.zeros(rows, classes), grad = be.zeros(rows, classes);
      const nll = be.softmaxCrossEntropy(logits, labels, probs, grad, 1 / rows);
      const p = new Float64Array(rows * classes);
      let want = 0;
      for (let i = 0; i < rows; i++) {
        const row = lv.subarray(i * classes, (i + 1) * classes);
        const max = Math.max(...row);
        const z = pairwise(0, classes, (j) => Math.exp(at(row, j) - max));
        for (let j = 0; j < classes; j++) p[i * classes + j] = Math.exp(at(row, j) - max) / z;
        want += Math.log(z) - (at(row, labels[i]!) - max);
      }
      assertClose(probs.data, p, tol.transcendental, `softmax probs ${rows}x${classes}`);
      assertClose(grad.data, p.map((v, idx) => (v - (labels[Math.floor(idx / classes)] === idx % classes ? 1 : 0)) / rows), tol.transcendental, `softmax grad ${rows}x${classes}`);
      assertClose([nll], [want], tol.transcendental * Math.sqrt(rows), `nll ${rows}x${classes}`);
    }
  });

  test('the float64 table is tighter than the float32 one in every column', () => {
    for (const k of Object.keys(TOLERANCE.float32) as (keyof typeof TOLERANCE.float32)[]) {
      assert.ok(TOLERANCE.float64[k] * 1e4 <= TOLERANCE.float32[k], `${k}: float64 ${TOLERANCE.float64[k]} vs float32 ${TOLERANCE.float32[k]}`);
    }
  });
});
