/**
 * Packed GEMM for M >= SMALL_M (Goto/BLIS loop order): op(B) is packed in [KC x NC] blocks of
 * NR-column micro-panels, op(A) in [MC x KC] blocks of MR-row micro-panels, and a register-
 * blocked MR x NR = 4 x 8 micro-kernel (8 f32x4 accumulators) computes each tile of C.
 * Edge tiles are computed into a small buffer and merged, so every tile uses the same kernel.
 */
import { madd, storeScaled, storeScaled1 } from './simd';
import { scratch, touchRows } from './memory';

// @ts-ignore: decorator
@inline const MR = 4;
// @ts-ignore: decorator
@inline const NR = 8;
// @ts-ignore: decorator
@inline const KC = 256;
// @ts-ignore: decorator
@inline const MC = 128;
// @ts-ignore: decorator
@inline const NC = 1024;

/** Packs op(A)[ic..ic+mc, pc..pc+kc] into MR-row panels, zero-padding the last panel. */
function packA(transA: i32, a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32, dst: usize): void {
  const ldaB = <usize>lda << 2;
  for (let r0 = 0; r0 < mc; r0 += MR) {
    const rows = min(MR, mc - r0);
    let d = dst + <usize>r0 * <usize>kc * 4;
    if (transA) {
      // op(A)[i, p] = A[p, i]: the MR values of one p are contiguous.
      let s = a + <usize>pc * ldaB + (<usize>(ic + r0) << 2);
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(s));
          s += ldaB;
          d += MR * 4;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(s + (<usize>r << 2)) : 0);
          s += ldaB;
          d += MR * 4;
        }
      }
    } else {
      // op(A)[i, p] = A[i, p]: transpose 4 x 4 blocks of the MR rows.
      const s0 = a + <usize>(ic + r0) * ldaB + (<usize>pc << 2);
      if (rows == MR) {
        const s1 = s0 + ldaB, s2 = s1 + ldaB, s3 = s2 + ldaB;
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          const o = <usize>p << 2;
          const x0 = v128.load(s0 + o), x1 = v128.load(s1 + o), x2 = v128.load(s2 + o), x3 = v128.load(s3 + o);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
          v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
          v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
          d += 64;
        }
        for (; p < kc; p++) {
          const o = <usize>p << 2;
          store<f32>(d, load<f32>(s0 + o));
          store<f32>(d + 4, load<f32>(s1 + o));
          store<f32>(d + 8, load<f32>(s2 + o));
          store<f32>(d + 12, load<f32>(s3 + o));
          d += 16;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) {
            store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(s0 + <usize>r * ldaB + (<usize>p << 2)) : 0);
          }
          d += MR * 4;
        }
      }
    }
  }
}

/** Packs op(B)[pc..pc+kc, jc..jc+nc] into NR-column panels, zero-padding the last panel. */
function packB(transB: i32, b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  const ldbB = <usize>ldb << 2;
  for (let c0 = 0; c0 < nc; c0 += NR) {
    const cols = min(NR, nc - c0);
    let d = dst + <usize>c0 * <usize>kc * 4;
    if (!transB) {
      // op(B)[p, j] = B[p, j]: NR contiguous values per p (rows prefetched with touchRows first).
      let s = b + <usize>pc * ldbB + (<usize>(jc + c0) << 2);
      if (cols == NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
          s += ldbB;
          d += NR * 4;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let c = 0; c < NR; c++) store<f32>(d + (<usize>c << 2), c < cols ? load<f32>(s + (<usize>c << 2)) : 0);
          s += ldbB;
          d += NR * 4;
        }
      }
    } else {
      // op(B)[p, j] = B[j, p]: transpose 4 x 4 blocks of the NR rows of B.
      const s0 = b + <usize>(jc + c0) * ldbB + (<usize>pc << 2);
      if (cols == NR) {
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          const o = <usize>p << 2;
          for (let h = 0; h < 2; h++) {
            const base = s0 + <usize>(h * 4) * ldbB + o;
            const x0 = v128.load(base), x1 = v128.load(base + ldbB), x2 = v128.load(base + 2 * ldbB), x3 = v128.load(base + 3 * ldbB);
            const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
            const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
            const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
            const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
            const dh = d + (<usize>h << 4);
            v128.store(dh, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
            v128.store(dh, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
            v128.store(dh, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
            v128.store(dh, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
          }
          d += 4 * NR * 4;
        }
        for (; p < kc; p++) {
          for (let c = 0; c < NR; c++) store<f32>(d + (<usize>c << 2), load<f32>(s0 + <usize>c * ldbB + (<usize>p << 2)));
          d += NR * 4;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let c = 0; c < NR; c++) {
            store<f32>(d + (<usize>c << 2), c < cols ? load<f32>(s0 + <usize>c * ldbB + (<usize>p << 2)) : 0);
          }
          d += NR * 4;
        }
      }
    }
  }
}

/** C[4 x 8] tile at c (row stride ldcB bytes) <- alpha * Ap Bp + beta * C over kc steps. */
// @ts-ignore: decorator
@inline function micro4x8(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0.0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += 32;
  }
  const va = f32x4.splat(alpha);
  storeScaled(c, c00, va, beta);
  storeScaled(c + 16, c01, va, beta);
  c += ldcB;
  storeScaled(c, c10, va, beta);
  storeScaled(c + 16, c11, va, beta);
  c += ldcB;
  storeScaled(c, c20, va, beta);
  storeScaled(c + 16, c21, va, beta);
  c += ldcB;
  storeScaled(c, c30, va, beta);
  storeScaled(c + 16, c31, va, beta);
}

/** C <- alpha op(A) op(B) + beta C for any M, N, K > 0 (beta == 0: C is not read). */
export function gemmPacked(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
): void {
  const bufA = scratch(0, MC * KC * 4 + 16);
  const bufB = scratch(1, NC * KC * 4 + 16);
  const edge = scratch(2, MR * NR * 4 + 16);
  const ldcB = <usize>ldc << 2;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const betaBlock: f32 = pc == 0 ? beta : 1;
      if (!transB) touchRows(b + <usize>pc * (<usize>ldb << 2) + (<usize>jc << 2), kc, <usize>nc << 2, <usize>ldb << 2);
      packB(transB, b, ldb, pc, jc, kc, nc, bufB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(transA, a, lda, ic, pc, mc, kc, bufA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = bufB + <usize>jr * <usize>kc * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const ap = bufA + <usize>ir * <usize>kc * 4;
            const ct = c + <usize>(ic + ir) * ldcB + (<usize>(jc + jr) << 2);
            if (mr == MR && nr == NR) {
              micro4x8(kc, ap, bp, ct, ldcB, alpha, betaBlock);
            } else {
              micro4x8(kc, ap, bp, edge, NR * 4, 1, 0);
              for (let r = 0; r < mr; r++) {
                for (let q = 0; q < nr; q++) {
                  storeScaled1(ct + <usize>r * ldcB + (<usize>q << 2), load<f32>(edge + <usize>(r * NR + q) * 4), alpha, betaBlock);
                }
              }
            }
          }
        }
      }
    }
  }
}
