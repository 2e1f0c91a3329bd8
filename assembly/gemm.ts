/**
 * GEMM dispatcher: C <- alpha op(A) op(B) + beta C with op(A): [m, k], op(B): [k, n], C: [m, n],
 * row-major with leading dimensions lda, ldb, ldc (in elements). beta == 0 never reads C.
 */
import { gemmPacked } from './gemm-packed';
import { gemmRank1 } from './gemm-rank1';
import { gemmSmallNN, gemmSmallNT } from './gemm-small';
import { gemmSmallK } from './gemm-small-k';
import { scratch } from './memory';

/** Below this many rows of C the unpacked kernels win (packing op(B) costs O(K N)). */
let smallM: i32 = 32;
/** Up to this K, too, when B is not transposed (rank-k updates such as dW = x^T dy at small batch). */
let smallK: i32 = 16;
/**
 * Up to this K (at most three passes of five k's), with B not transposed and op(A) = A^T or
 * M >= smallM, the streaming small-K kernel (`gemmSmallK`: the fused SGD step
 * `W <- W - lr x^T dy` at a small batch) replaces the gather + register-tile path.
 */
let streamK: i32 = 12;

/** Sets the streaming small-K threshold (benchmark tuning; 1 disables the kernel). */
export function setStreamK(v: i32): void {
  streamK = v;
}

/** Sets the small-K threshold (benchmark tuning). */
export function setSmallK(v: i32): void {
  smallK = v;
}

/** Sets the small-M threshold (benchmark tuning). */
export function setSmallM(v: i32): void {
  smallM = v;
}

export function gemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
): void {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (let i = 0; i < m; i++) {
      const row = c + <usize>i * (<usize>ldc << 2);
      for (let j = 0; j < n; j++) {
        const p = row + (<usize>j << 2);
        store<f32>(p, beta == 0 ? 0 : beta * load<f32>(p));
      }
    }
    return;
  }
  if (k == 1) {
    // Rank-1 update: x = op(A)[:, 0] (A^T: [1, m], contiguous; A: [m, 1], stride lda),
    // y = op(B)[0, :] (B: [1, n], contiguous; B^T: B is [n, 1], gathered when ldb != 1).
    let y = b;
    if (transB && ldb != 1) {
      y = scratch(3, <usize>n << 2);
      const ldbB = <usize>ldb << 2;
      for (let j = 0; j < n; j++) store<f32>(y + (<usize>j << 2), load<f32>(b + <usize>j * ldbB));
    }
    gemmRank1(m, n, alpha, a, transA ? 4 : <usize>lda << 2, y, beta, c, ldc);
    return;
  }
  if (!transB && k <= streamK && (transA || m >= smallM)) {
    // Small K (a small batch's weight gradient or fused update): op(A) read in place.
    gemmSmallK(m, n, k, alpha, a, transA ? 4 : <usize>lda << 2, transA ? <usize>lda << 2 : 4, b, ldb, beta, c, ldc);
    return;
  }
  if (m >= smallM && (transB || k > smallK)) {
    gemmPacked(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  if (transA) {
    // Gather the m rows of op(A) = A^T (A: [k, m]) into contiguous rows.
    const g = scratch(3, <usize>m * <usize>k * 4);
    const ldaB = <usize>lda << 2;
    for (let p = 0; p < k; p++) {
      const src = a + <usize>p * ldaB;
      for (let i = 0; i < m; i++) store<f32>(g + ((<usize>i * <usize>k + <usize>p) << 2), load<f32>(src + (<usize>i << 2)));
    }
    a = g;
    lda = k;
  }
  if (transB) gemmSmallNT(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else gemmSmallNN(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
