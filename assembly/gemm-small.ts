/**
 * Unpacked GEMM for small M (one to a few rows: batch-1 and batch-10 forward and backward
 * passes), where packing op(B) would cost as much as the product. op(A) rows are contiguous
 * here (the dispatcher gathers A^T rows first).
 * - NN, M = 1: a streaming gemv, four rows of B at a time into the output row (in L1).
 * - NN: C[i, :] += a_ip B[p, :] on register tiles (4 x 8, 2 x 16, 1 x 32) over K blocks of
 *   kBlock rows of B, each block read once in address order first (touchRows).
 * - NT: C[i, j] = dot(A[i, :], B[j, :]) for 4 columns at a time, reduced with one transpose.
 */
import { hsum, hsum4, madd, storeScaled, storeScaled1 } from './simd';
import { touchRows } from './memory';


/** C[0..4, j..j+8] for 4 rows of A starting at a (row stride ldaB), B from column j. */
function rows4(k: i32, a: usize, ldaB: usize, b: usize, ldbB: usize, c: usize, ldcB: usize, j0: i32, j1: i32, alpha: f32, beta: f32): void {
  const va = f32x4.splat(alpha);
  let j = j0;
  for (; j + 8 <= j1; j += 8) {
    let c00 = f32x4.splat(0.0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    let bp = b + (<usize>j << 2);
    let ap = a;
    for (let p = 0; p < k; p++) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let s = v128.load32_splat(ap);
      c00 = madd(s, b0, c00);
      c01 = madd(s, b1, c01);
      s = v128.load32_splat(ap + ldaB);
      c10 = madd(s, b0, c10);
      c11 = madd(s, b1, c11);
      s = v128.load32_splat(ap + 2 * ldaB);
      c20 = madd(s, b0, c20);
      c21 = madd(s, b1, c21);
      s = v128.load32_splat(ap + 3 * ldaB);
      c30 = madd(s, b0, c30);
      c31 = madd(s, b1, c31);
      bp += ldbB;
      ap += 4;
    }
    let cp = c + (<usize>j << 2);
    storeScaled(cp, c00, va, beta);
    storeScaled(cp + 16, c01, va, beta);
    cp += ldcB;
    storeScaled(cp, c10, va, beta);
    storeScaled(cp + 16, c11, va, beta);
    cp += ldcB;
    storeScaled(cp, c20, va, beta);
    storeScaled(cp + 16, c21, va, beta);
    cp += ldcB;
    storeScaled(cp, c30, va, beta);
    storeScaled(cp + 16, c31, va, beta);
  }
  for (let r = 0; r < 4; r++) row1(k, a + <usize>r * ldaB, b, ldbB, c + <usize>r * ldcB, j, j1, alpha, beta);
}

/** C[0..2, j0..j1] for 2 rows of A starting at a (row stride ldaB), 16 columns at a time. */
function rows2(k: i32, a: usize, ldaB: usize, b: usize, ldbB: usize, c: usize, ldcB: usize, j0: i32, j1: i32, alpha: f32, beta: f32): void {
  const va = f32x4.splat(alpha);
  let j = j0;
  for (; j + 16 <= j1; j += 16) {
    let c00 = f32x4.splat(0.0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    let bp = b + (<usize>j << 2);
    let ap = a;
    for (let p = 0; p < k; p++) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32), b3 = v128.load(bp, 48);
      let s = v128.load32_splat(ap);
      c00 = madd(s, b0, c00);
      c01 = madd(s, b1, c01);
      c02 = madd(s, b2, c02);
      c03 = madd(s, b3, c03);
      s = v128.load32_splat(ap + ldaB);
      c10 = madd(s, b0, c10);
      c11 = madd(s, b1, c11);
      c12 = madd(s, b2, c12);
      c13 = madd(s, b3, c13);
      bp += ldbB;
      ap += 4;
    }
    let cp = c + (<usize>j << 2);
    storeScaled(cp, c00, va, beta);
    storeScaled(cp + 16, c01, va, beta);
    storeScaled(cp + 32, c02, va, beta);
    storeScaled(cp + 48, c03, va, beta);
    cp += ldcB;
    storeScaled(cp, c10, va, beta);
    storeScaled(cp + 16, c11, va, beta);
    storeScaled(cp + 32, c12, va, beta);
    storeScaled(cp + 48, c13, va, beta);
  }
  for (let r = 0; r < 2; r++) row1(k, a + <usize>r * ldaB, b, ldbB, c + <usize>r * ldcB, j, j1, alpha, beta);
}

/** C[i, j0..j1] for one row of A at a. */
function row1(k: i32, a: usize, b: usize, ldbB: usize, c: usize, j0: i32, j1: i32, alpha: f32, beta: f32): void {
  const va = f32x4.splat(alpha);
  let j = j0;
  for (; j + 32 <= j1; j += 32) {
    let c0 = f32x4.splat(0.0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    let bp = b + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      const s = v128.load32_splat(a + (<usize>p << 2));
      c0 = madd(s, v128.load(bp), c0);
      c1 = madd(s, v128.load(bp, 16), c1);
      c2 = madd(s, v128.load(bp, 32), c2);
      c3 = madd(s, v128.load(bp, 48), c3);
      c4 = madd(s, v128.load(bp, 64), c4);
      c5 = madd(s, v128.load(bp, 80), c5);
      c6 = madd(s, v128.load(bp, 96), c6);
      c7 = madd(s, v128.load(bp, 112), c7);
      bp += ldbB;
    }
    const cp = c + (<usize>j << 2);
    storeScaled(cp, c0, va, beta);
    storeScaled(cp + 16, c1, va, beta);
    storeScaled(cp + 32, c2, va, beta);
    storeScaled(cp + 48, c3, va, beta);
    storeScaled(cp + 64, c4, va, beta);
    storeScaled(cp + 80, c5, va, beta);
    storeScaled(cp + 96, c6, va, beta);
    storeScaled(cp + 112, c7, va, beta);
  }
  for (; j + 4 <= j1; j += 4) {
    let c0 = f32x4.splat(0.0);
    let bp = b + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      c0 = madd(v128.load32_splat(a + (<usize>p << 2)), v128.load(bp), c0);
      bp += ldbB;
    }
    storeScaled(c + (<usize>j << 2), c0, va, beta);
  }
  for (; j < j1; j++) {
    let s: f32 = 0;
    let bp = b + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      s += load<f32>(a + (<usize>p << 2)) * load<f32>(bp);
      bp += ldbB;
    }
    storeScaled1(c + (<usize>j << 2), s, alpha, beta);
  }
}

/**
 * One row of C (M = 1): c <- alpha a B + beta c, streaming four rows of B at a time in address
 * order (four sequential streams the hardware prefetcher follows) into c, which stays in L1.
 */
function gemv1(n: i32, k: i32, alpha: f32, a: usize, b: usize, ldbB: usize, beta: f32, c: usize): void {
  if (beta == 0) memory.fill(c, 0, <usize>n << 2);
  else if (beta != 1) {
    const vb = f32x4.splat(beta);
    let j = 0;
    for (; j + 4 <= n; j += 4) v128.store(c + (<usize>j << 2), f32x4.mul(vb, v128.load(c + (<usize>j << 2))));
    for (; j < n; j++) store<f32>(c + (<usize>j << 2), beta * load<f32>(c + (<usize>j << 2)));
  }
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const a0 = f32x4.splat(alpha * load<f32>(a + (<usize>p << 2)));
    const a1 = f32x4.splat(alpha * load<f32>(a + (<usize>p << 2), 4));
    const a2 = f32x4.splat(alpha * load<f32>(a + (<usize>p << 2), 8));
    const a3 = f32x4.splat(alpha * load<f32>(a + (<usize>p << 2), 12));
    const b0 = b + <usize>p * ldbB, b1 = b0 + ldbB, b2 = b1 + ldbB, b3 = b2 + ldbB;
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      const o = <usize>j << 2;
      let y0 = v128.load(c + o);
      let y1 = v128.load(c + o, 16);
      y0 = madd(a0, v128.load(b0 + o), y0);
      y1 = madd(a0, v128.load(b0 + o, 16), y1);
      y0 = madd(a1, v128.load(b1 + o), y0);
      y1 = madd(a1, v128.load(b1 + o, 16), y1);
      y0 = madd(a2, v128.load(b2 + o), y0);
      y1 = madd(a2, v128.load(b2 + o, 16), y1);
      y0 = madd(a3, v128.load(b3 + o), y0);
      y1 = madd(a3, v128.load(b3 + o, 16), y1);
      v128.store(c + o, y0);
      v128.store(c + o, y1, 16);
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const s = f32x4.extract_lane(a0, 0) * load<f32>(b0 + o) + f32x4.extract_lane(a1, 0) * load<f32>(b1 + o) +
        f32x4.extract_lane(a2, 0) * load<f32>(b2 + o) + f32x4.extract_lane(a3, 0) * load<f32>(b3 + o);
      store<f32>(c + o, load<f32>(c + o) + s);
    }
  }
  for (; p < k; p++) {
    const ap = f32x4.splat(alpha * load<f32>(a + (<usize>p << 2)));
    const bp = b + <usize>p * ldbB;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(c + o, madd(ap, v128.load(bp + o), v128.load(c + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(c + o, load<f32>(c + o) + f32x4.extract_lane(ap, 0) * load<f32>(bp + o));
    }
  }
}

let kBlock: i32 = 32;

/** Sets the K-block of the unpacked NN kernels (benchmark tuning). */
export function setSmallKBlock(v: i32): void {
  kBlock = v;
}

/**
 * C <- alpha A B + beta C; A: [m, k] (row stride lda), B: [k, n], C: [m, n]. K is cut in
 * blocks of kBlock rows of B accumulated into C, so that only kBlock rows of B are streamed
 * at a time (few pages in flight for the prefetcher and TLB) and are reused from L2 by every
 * group of rows.
 */
export function gemmSmallNN(m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32): void {
  const ldaB = <usize>lda << 2, ldbB = <usize>ldb << 2, ldcB = <usize>ldc << 2;
  if (m == 1) {
    gemv1(n, k, alpha, a, b, ldbB, beta, c);
    return;
  }
  for (let pb = 0; pb < k; pb += kBlock) {
    const kb = min(kBlock, k - pb);
    const betaB: f32 = pb == 0 ? beta : 1;
    const ap = a + (<usize>pb << 2);
    const bp = b + <usize>pb * ldbB;
    touchRows(bp, kb, <usize>n << 2, ldbB);
    let i = 0;
    for (; i + 4 <= m; i += 4) rows4(kb, ap + <usize>i * ldaB, ldaB, bp, ldbB, c + <usize>i * ldcB, ldcB, 0, n, alpha, betaB);
    for (; i + 2 <= m; i += 2) rows2(kb, ap + <usize>i * ldaB, ldaB, bp, ldbB, c + <usize>i * ldcB, ldcB, 0, n, alpha, betaB);
    for (; i < m; i++) row1(kb, ap + <usize>i * ldaB, bp, ldbB, c + <usize>i * ldcB, 0, n, alpha, betaB);
  }
}

/** dot(A row, B rows j..j+4) for one row of A, as [c_j, c_j+1, c_j+2, c_j+3]. */
// @ts-ignore: decorator
@inline function dot1x4(k: i32, ar: usize, b0: usize, ldbB: usize): v128 {
  const b1 = b0 + ldbB, b2 = b1 + ldbB, b3 = b2 + ldbB;
  const k4 = k & ~3;
  let s0 = f32x4.splat(0.0), s1 = s0, s2 = s0, s3 = s0;
  let p = 0;
  for (; p < k4; p += 4) {
    const o = <usize>p << 2;
    const av = v128.load(ar + o);
    s0 = madd(av, v128.load(b0 + o), s0);
    s1 = madd(av, v128.load(b1 + o), s1);
    s2 = madd(av, v128.load(b2 + o), s2);
    s3 = madd(av, v128.load(b3 + o), s3);
  }
  let r = hsum4(s0, s1, s2, s3);
  for (; p < k; p++) {
    const o = <usize>p << 2;
    const av = f32x4.splat(load<f32>(ar + o));
    const bv = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(b0 + o)), 1, load<f32>(b1 + o)), 2, load<f32>(b2 + o)), 3, load<f32>(b3 + o));
    r = madd(av, bv, r);
  }
  return r;
}

/** Dots of two A rows with four B rows: stores C[i..i+2, j..j+4]. */
function dot2x4(k: i32, ar: usize, ldaB: usize, b0: usize, ldbB: usize, cp: usize, ldcB: usize, alpha: f32, beta: f32): void {
  const ar1 = ar + ldaB;
  const b1 = b0 + ldbB, b2 = b1 + ldbB, b3 = b2 + ldbB;
  const k4 = k & ~3;
  let s0 = f32x4.splat(0.0), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
  for (let p = 0; p < k4; p += 4) {
    const o = <usize>p << 2;
    const av = v128.load(ar + o), aw = v128.load(ar1 + o);
    let bv = v128.load(b0 + o);
    s0 = madd(av, bv, s0);
    t0 = madd(aw, bv, t0);
    bv = v128.load(b1 + o);
    s1 = madd(av, bv, s1);
    t1 = madd(aw, bv, t1);
    bv = v128.load(b2 + o);
    s2 = madd(av, bv, s2);
    t2 = madd(aw, bv, t2);
    bv = v128.load(b3 + o);
    s3 = madd(av, bv, s3);
    t3 = madd(aw, bv, t3);
  }
  let r0 = hsum4(s0, s1, s2, s3);
  let r1 = hsum4(t0, t1, t2, t3);
  for (let p = k4; p < k; p++) {
    const o = <usize>p << 2;
    const bv = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(b0 + o)), 1, load<f32>(b1 + o)), 2, load<f32>(b2 + o)), 3, load<f32>(b3 + o));
    r0 = madd(f32x4.splat(load<f32>(ar + o)), bv, r0);
    r1 = madd(f32x4.splat(load<f32>(ar1 + o)), bv, r1);
  }
  const va = f32x4.splat(alpha);
  storeScaled(cp, r0, va, beta);
  storeScaled(cp + ldcB, r1, va, beta);
}

/**
 * C <- alpha A B^T + beta C; A: [m, k], B: [n, k] (row stride ldb), C: [m, n].
 * Four rows of B at a time against every row of A (two at a time), so B is read once.
 */
export function gemmSmallNT(m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32): void {
  const ldaB = <usize>lda << 2, ldbB = <usize>ldb << 2, ldcB = <usize>ldc << 2;
  const va = f32x4.splat(alpha);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const bj = b + <usize>j * ldbB;
    let i = 0;
    for (; i + 2 <= m; i += 2) dot2x4(k, a + <usize>i * ldaB, ldaB, bj, ldbB, c + <usize>i * ldcB + (<usize>j << 2), ldcB, alpha, beta);
    for (; i < m; i++) storeScaled(c + <usize>i * ldcB + (<usize>j << 2), dot1x4(k, a + <usize>i * ldaB, bj, ldbB), va, beta);
  }
  for (; j < n; j++) {
    const bj = b + <usize>j * ldbB;
    for (let i = 0; i < m; i++) {
      const ar = a + <usize>i * ldaB;
      let s4 = f32x4.splat(0.0);
      let p = 0;
      for (; p + 4 <= k; p += 4) s4 = madd(v128.load(ar + (<usize>p << 2)), v128.load(bj + (<usize>p << 2)), s4);
      let s = hsum(s4);
      for (; p < k; p++) s += load<f32>(ar + (<usize>p << 2)) * load<f32>(bj + (<usize>p << 2));
      storeScaled1(c + <usize>i * ldcB + (<usize>j << 2), s, alpha, beta);
    }
  }
}
