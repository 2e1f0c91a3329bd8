/**
 * K = 1 (rank-1 update, a batch-1 weight gradient or fused SGD step) and small-K transposed
 * products on every backend against the reference, including beta other than 0 and 1 and
 * widths that leave every SIMD tail, beyond the shapes of the shared conformance suite.
 */
import { describe, test } from 'node:test';
import { availableBackends, createBackend, createReferenceBackend, Rng, type Backend, type Matrix } from '../../src/index.ts';
import { TOLERANCE, assertClose } from '../helpers/tolerances.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const ref = createReferenceBackend('float32');
const rng = new Rng(11).fork('gemm-rank1');

function pair(be: Backend, rows: number, cols: number): [Matrix, Matrix] {
  const v = rng.fillUniform(new Float32Array(rows * cols), -1, 1);
  return [ref.fromArray(rows, cols, v), be.fromArray(rows, cols, v)];
}

const all = await availableBackends();
for (const a of all) if (!a.available) skipIfMissing(`backend '${a.name}'`, a.reason ?? 'unavailable');
const backends = all.filter((a) => a.available && a.name !== 'reference');

for (const avail of backends) {
  const be = await createBackend(avail.name);
  const tol = TOLERANCE.float32.gemm; // against the float32 reference, reference64 too (see reference64.test.ts)
  describe(`backend '${avail.name}': gemm with K = 1 and small K`, () => {
    test('C <- alpha op(A) op(B) + beta C with K = 1 equals the reference for every transpose, beta in {0, 1, 0.5, -2}', () => {
      for (const [m, n] of [[1, 1], [5, 3], [33, 17], [40, 1001], [1000, 20], [7, 64]] as const) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            for (const beta of [0, 1, 0.5, -2]) {
              const [ra, ba] = ta ? pair(be, 1, m) : pair(be, m, 1);
              const [rb, bb] = tb ? pair(be, n, 1) : pair(be, 1, n);
              const [rc, bc] = pair(be, m, n);
              ref.gemm(ta, tb, -0.3, ra, rb, beta, rc);
              be.gemm(ta, tb, -0.3, ba, bb, beta, bc);
              assertClose(bc.data, rc.data, tol, `K=1 M=${m} N=${n} tA=${ta} tB=${tb} beta=${beta}`);
            }
          }
        }
      }
    });

    test('K = 1 with beta = 0 never reads C (NaN in C does not propagate)', () => {
      const [ra, ba] = pair(be, 1, 37), [rb, bb] = pair(be, 1, 29), [rc, bc] = pair(be, 37, 29);
      bc.data.fill(NaN);
      ref.gemm(true, false, 1, ra, rb, 0, rc);
      be.gemm(true, false, 1, ba, bb, 0, bc);
      assertClose(bc.data, rc.data, tol, 'K=1 beta=0 with NaN C');
    });

    test('small-K products op(A) B (K = 2..13, A or A^T, M >= 32) equal the reference for beta in {0, 1, 0.5, -2}', () => {
      for (const [m, k, n] of [[32, 2, 9], [33, 5, 70], [65, 6, 1003], [40, 10, 1000], [37, 12, 13], [34, 13, 20]] as const) {
        for (const ta of [false, true]) {
          for (const beta of [0, 1, 0.5, -2]) {
            const [ra, ba] = ta ? pair(be, k, m) : pair(be, m, k);
            const [rb, bb] = pair(be, k, n), [rc, bc] = pair(be, m, n);
            ref.gemm(ta, false, -0.1, ra, rb, beta, rc);
            be.gemm(ta, false, -0.1, ba, bb, beta, bc);
            assertClose(bc.data, rc.data, tol * Math.sqrt(k), `small K: M=${m} K=${k} N=${n} tA=${ta} beta=${beta}`);
          }
        }
      }
    });

    test('small K with beta = 0 never reads C (NaN in C does not propagate)', () => {
      const [ra, ba] = pair(be, 10, 45), [rb, bb] = pair(be, 10, 70), [rc, bc] = pair(be, 45, 70);
      bc.data.fill(NaN);
      ref.gemm(true, false, 1, ra, rb, 0, rc);
      be.gemm(true, false, 1, ba, bb, 0, bc);
      assertClose(bc.data, rc.data, tol * Math.sqrt(10), 'small K beta=0 with NaN C');
    });

    test('the weight-gradient shapes A^T B with K = 2..16 (small batches) equal the reference, beta 0 and 1', () => {
      for (const k of [2, 3, 10, 16]) {
        for (const beta of [0, 1]) {
          const [ra, ba] = pair(be, k, 45), [rb, bb] = pair(be, k, 70), [rc, bc] = pair(be, 45, 70);
          ref.gemm(true, false, -0.1, ra, rb, beta, rc);
          be.gemm(true, false, -0.1, ba, bb, beta, bc);
          assertClose(bc.data, rc.data, tol * Math.sqrt(k), `TN K=${k} beta=${beta}`);
        }
      }
    });
  });
}
