/**
 * Conformance of the `adamUpdate` kernel: every backend against the float32 reference over
 * several consecutive steps (the moments carried by each backend, so rounding differences that
 * grow step to step would show), odd sizes and SIMD tails, Adam, AdamW (decoupled decay) and the
 * coupled l2 term, zero gradients (v = 0: the step is 0 / eps) and the checked errors. Tolerances
 * from the one table (`test/helpers/tolerances.ts`); a missing backend is skipped loudly (`skipIfMissing`).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, createBackend, createReferenceBackend, Rng, type Backend, type Matrix } from '../../src/index.ts';
import { TOLERANCE, assertClose } from '../helpers/tolerances.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const ref = createReferenceBackend('float32');
const rng = new Rng(2024).fork('conformance-adam');

/** Same random numbers in both backends. */
function pair(be: Backend, rows: number, cols: number, lo = -1, hi = 1): [Matrix, Matrix] {
  const v = rng.fillUniform(new Float32Array(rows * cols), lo, hi);
  return [ref.fromArray(rows, cols, v), be.fromArray(rows, cols, v)];
}

/** [lr, beta1, beta2, eps, l2, decay]: Adam, AdamW, coupled l2, and unusual betas. */
const SETTINGS: [number, number, number, number, number, number][] = [
  [1e-3, 0.9, 0.999, 1e-8, 0, 0],
  [1e-2, 0.9, 0.999, 1e-8, 0, 0.01],
  [5e-2, 0.8, 0.99, 1e-6, 2e-3, 0],
  [1e-1, 0, 0.5, 1e-3, 1e-3, 0.1],
];

const all = await availableBackends();
for (const a of all) if (!a.available) skipIfMissing(`backend '${a.name}'`, a.reason ?? 'unavailable');
const backends = all.filter((a) => a.available && a.name !== 'reference');

for (const avail of backends) {
  const be = await createBackend(avail.name);
  const tol = TOLERANCE.float32;

  describe(`backend '${avail.name}': adamUpdate conforms to reference`, () => {
    test('five consecutive steps (bias corrections of t = 1..5) at odd sizes, Adam, AdamW and l2', () => {
      for (const [rows, cols] of [[1, 1], [1, 3], [3, 17], [17, 255], [1000, 7], [784, 10]] as const) {
        for (const [lr, b1, b2, eps, l2, decay] of SETTINGS) {
          const [rw, bw] = pair(be, rows, cols);
          const [rm, bm] = [ref.zeros(rows, cols), be.zeros(rows, cols)];
          const [rv, bv] = [ref.zeros(rows, cols), be.zeros(rows, cols)];
          for (let t = 1; t <= 5; t++) {
            const [rg, bg] = pair(be, rows, cols, -2, 2);
            if (t === 2) { rg.data[0] = 0; bg.data[0] = 0; } // a zero gradient after a non-zero one
            const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
            ref.adamUpdate(rw, rg, rm, rv, lr, b1, b2, eps, c1, c2, l2, decay);
            be.adamUpdate(bw, bg, bm, bv, lr, b1, b2, eps, c1, c2, l2, decay);
            const what = `adam [${rows}, ${cols}] lr ${lr} betas ${b1}/${b2} l2 ${l2} decay ${decay} step ${t}`;
            assertClose(bm.data, rm.data, tol.elementwise, `${what}: m`);
            assertClose(bv.data, rv.data, tol.elementwise, `${what}: v`);
            assertClose(bw.data, rw.data, tol.transcendental, `${what}: param`);
          }
        }
      }
    });

    test('a gradient of zeros from zero moments leaves the param unchanged (0 / eps) except for the decay', () => {
      const [rw, bw] = pair(be, 3, 5);
      const before = Float32Array.from(bw.data);
      const g = be.zeros(3, 5), m = be.zeros(3, 5), v = be.zeros(3, 5);
      be.adamUpdate(bw, g, m, v, 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001, 0, 0);
      assert.deepEqual(Float32Array.from(bw.data), before);
      be.adamUpdate(bw, g, m, v, 0.1, 0.9, 0.999, 1e-8, 1 - 0.81, 1 - 0.999 ** 2, 0, 0.5);
      ref.scale(1 - 0.1 * 0.5, rw);
      assertClose(bw.data, rw.data, tol.elementwise, 'decay alone: w (1 - lr decay)');
    });

    test('mismatched shapes, shared moment buffers and bias corrections outside (0, 1] are refused, naming adamUpdate', () => {
      const w = be.zeros(2, 3), g = be.zeros(2, 3), m = be.zeros(2, 3), v = be.zeros(2, 3);
      assert.throws(() => be.adamUpdate(w, g, be.zeros(3, 2), v, 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001, 0, 0), /^ShapeError: adamUpdate: param is \[2, 3\] but m is \[3, 2\]/);
      assert.throws(() => be.adamUpdate(w, be.zeros(1, 3), m, v, 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001, 0, 0), /adamUpdate: param is \[2, 3\] but grad is \[1, 3\]/);
      assert.throws(() => be.adamUpdate(w, g, m, m, 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001, 0, 0), /adamUpdate: m and v must be their own buffers/);
      assert.throws(() => be.adamUpdate(w, g, m, v, 0.1, 0.9, 0.999, 1e-8, 0, 0.001, 0, 0), /^RangeError: adamUpdate: bias corrections c1 = 0, c2 = 0.001 must be in \(0, 1\]/);
      assert.throws(() => be.adamUpdate(w, g, m, v, 0.1, 0.9, 0.999, 0, 0.1, 0.001, 0, 0), /adamUpdate: eps = 0 must be > 0/);
      if (be.name !== 'reference64') assert.throws(() => be.adamUpdate(w, g, m, ref.zeros(2, 3), 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001, 0, 0), /adamUpdate: a matrix of backend 'reference'/);
    });
  });
}

describe('reference adamUpdate', () => {
  test('float64: one step from zero moments moves each param by lr * sign(g) (m^ / sqrt(v^) = g / |g|)', () => {
    const r64 = createReferenceBackend('float64');
    const w = r64.fromArray(1, 4, [0.5, -0.25, 1, 0]);
    const g = r64.fromArray(1, 4, [3, -0.002, 1e-3, -40]);
    const m = r64.zeros(1, 4), v = r64.zeros(1, 4);
    r64.adamUpdate(w, g, m, v, 0.01, 0.9, 0.999, 1e-12, 1 - 0.9, 1 - 0.999, 0, 0);
    assertClose(w.data, [0.49, -0.24, 0.99, 0.01], 1e-9, 'w - lr sign(g)');
    assertClose(m.data, [0.3, -0.0002, 1e-4, -4], 1e-15, 'm = 0.1 g');
    assertClose(v.data, [0.009, 4e-9, 1e-9, 1.6], 1e-15, 'v = 0.001 g^2');
  });
});
