/**
 * What the shared conformance suite does not cover for `native`: the BLAS thread setting,
 * rejection of other backends' matrices, the GEMM shapes routed around sgemm (M = 1 and
 * N = 1 go to sgemv, K = 0 is handled in C) with any beta, and the accuracy of the
 * vectorised sigmoid/tanh.
 * Skipped loudly when the addon is not built, failing under CI (see native-availability.test.ts for that case).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { createBackend } from '../../src/backends/registry.ts';
import { getThreads, nativeAvailability, setThreads } from '../../src/backends/native/index.ts';
import { Rng } from '../../src/rng/index.ts';
import type { Backend, Matrix } from '../../src/tensor/index.ts';
import { TOLERANCE, assertClose } from '../helpers/tolerances.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const avail = nativeAvailability();
const skip = skipIfMissing('the native backend', avail.available ? undefined : `addon not built: ${avail.reason}`);
const ref = createReferenceBackend('float32');
const tol = TOLERANCE.float32;
const rng = new Rng(7).fork('native-backend');

describe('native backend', { skip }, async () => {
  const be: Backend = avail.available ? await createBackend('native') : ref;
  const pair = (rows: number, cols: number): [Matrix, Matrix] => {
    const v = rng.fillUniform(new Float32Array(rows * cols), -1, 1);
    return [ref.fromArray(rows, cols, v), be.fromArray(rows, cols, v)];
  };

  test('OpenBLAS starts single-threaded; setThreads(n) opts in and gives the same product', () => {
    assert.equal(getThreads(), 1, 'one BLAS thread by default, so a sweep runs one trial per core');
    const [, a] = pair(96, 200);
    const [, b] = pair(200, 130);
    const c1 = be.zeros(96, 130), c2 = be.zeros(96, 130);
    be.gemm(false, false, 1, a, b, 0, c1);
    try {
      setThreads(2);
      assert.equal(getThreads(), 2);
      be.gemm(false, false, 1, a, b, 0, c2);
    } finally {
      setThreads(1);
    }
    assert.equal(getThreads(), 1);
    assertClose(c2.data, c1.data, tol.gemm * Math.sqrt(200), 'gemm with 2 threads');
    assert.throws(() => setThreads(0), /setThreads: n must be an integer >= 1/);
    assert.throws(() => setThreads(1.5), RangeError);
  });

  test("matrices of another backend are rejected with a message naming both backends", () => {
    const [r, n] = pair(3, 4);
    assert.throws(() => be.add(r, n, n), /add: a matrix of backend 'reference' was passed to backend 'native'/);
    assert.throws(() => be.gemm(false, true, 1, n, r, 0, be.zeros(3, 3)), /gemm: .*backend 'reference'.*fromArray/);
    assert.throws(() => be.sum(r), /sum: .*'reference'/);
    const r64 = createReferenceBackend('float64').zeros(3, 4);
    assert.throws(() => be.sgdUpdate(n, n, r64, 0.1, 0.9, 0), /sgdUpdate: .*'reference64'/);
  });

  test('gemm with M = 1, N = 1, K = 1 or K = 0 equals the reference for beta 0 (C not read), 0.5 and 1', () => {
    const shapes: [number, number, number][] = [[40, 1, 33], [1, 50, 37], [45, 60, 1], [1, 30, 1], [1, 1, 9], [6, 0, 5]];
    for (const [m, k, n] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const beta of [0, 0.5, 1]) {
            const [ra, ba] = ta ? pair(k, m) : pair(m, k);
            const [rb, bb] = tb ? pair(n, k) : pair(k, n);
            const [rc, bc] = pair(m, n);
            if (beta === 0) bc.data.fill(NaN); // beta = 0 must not read C
            const aBefore = ba.toFloat32Array();
            ref.gemm(ta, tb, -1.25, ra, rb, beta, rc);
            be.gemm(ta, tb, -1.25, ba, bb, beta, bc);
            const what = `gemm M=${m} K=${k} N=${n} tA=${ta} tB=${tb} beta=${beta}`;
            assertClose(bc.data, rc.data, tol.gemm * Math.sqrt(Math.max(k, 1)), what);
            assert.deepEqual(ba.toFloat32Array(), aBefore, `${what} leaves A unchanged`);
          }
        }
      }
    }
    be.gemm(false, false, 1, be.zeros(0, 4), be.zeros(4, 3), 0, be.zeros(0, 3)); // empty product is a no-op
  });

  test('sigmoid and tanh are within 2 ulp of float64 on [-20, 20] and match the reference at NaN, +-Infinity, +-0', () => {
    const n = 40_001;
    const xs = new Float32Array(n).map((_, i) => -20 + (40 * i) / (n - 1));
    const x = be.fromArray(1, n, xs), y = be.zeros(1, n);
    const exact = { sigmoid: (a: number) => 1 / (1 + Math.exp(-a)), tanh: Math.tanh };
    for (const f of ['sigmoid', 'tanh'] as const) {
      be.activation(f, x, y);
      for (let i = 0; i < n; i++) {
        const e = exact[f](xs[i]!);
        const err = Math.abs(y.data[i]! - e);
        assert.ok(err <= 2 * 2 ** -23 * Math.abs(e) + 1e-37, `${f}(${xs[i]}) = ${y.data[i]}, float64 gives ${e}`);
      }
    }
    const special = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 100, -100];
    const [rs, bs] = [ref.fromArray(1, special.length, special), be.fromArray(1, special.length, special)];
    const [ro, bo] = [ref.zeros(1, special.length), be.zeros(1, special.length)];
    for (const f of ['identity', 'sigmoid', 'tanh', 'relu'] as const) {
      ref.activation(f, rs, ro);
      be.activation(f, bs, bo);
      for (let i = 0; i < special.length; i++) {
        const [a, e] = [bo.data[i]!, ro.data[i]!];
        assert.ok(a === e || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= 1e-30, `${f}(${special[i]}) = ${a}, reference ${e}`);
      }
    }
  });

  test('binaryCrossEntropy with binary targets equals the reference (skipped zero-weight logs change nothing)', () => {
    const t = new Float32Array(3000).map(() => (rng.uniform() < 0.3 ? 1 : 0));
    const p = rng.fillUniform(new Float32Array(3000), 0, 1);
    p[0] = 0; p[1] = 1; t[0] = 1; t[1] = 0; // clamped extremes
    const a = ref.binaryCrossEntropy(ref.fromArray(1, 3000, t), ref.fromArray(1, 3000, p));
    const b = be.binaryCrossEntropy(be.fromArray(1, 3000, t), be.fromArray(1, 3000, p));
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.abs(a), `bce ${b} vs ${a}`);
  });
});
