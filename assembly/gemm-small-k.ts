/**
 * GEMM with a small inner dimension K and op(B) not transposed: `C <- alpha op(A) B + beta C`,
 * op(A): [m, k] read in place (any strides, so `A^T` needs no gather), B: [k, n] row-major.
 * This is the weight-gradient / fused SGD update of a dense layer at a small batch
 * (`W <- W - lr x^T dy`, K = batch), and a product with a few input features.
 *
 * Each pair of rows of C is streamed once per group of up to five k's: the ten scalars
 * `alpha op(A)[i..i+2, kg..kg+5]` stay in registers as splats, and every loaded vector of B
 * feeds two rows, so a 4-wide column step costs 5 loads of B, 2 loads and 2 stores of C for
 * 10 multiply-adds. At K = 10 that is two passes over a row pair (8 KB at N = 1000, in L1),
 * with no K loop inside the column loop; C is read from memory once. B (K x N, 40 KB at
 * K = 10) is first copied into an interleaved layout (`packB`) so that a pass walks one
 * pointer with constant offsets instead of five row pointers (V8 otherwise spends an address
 * computation per load). Two rows x five k's is the widest tile V8's register allocator keeps
 * in registers (wider tiles, or 8 columns per step, spill and run slower).
 */
import { madd } from './simd';
import { scratch } from './memory';
import { axpy, scale } from './elementwise';

/** Largest number of k's applied per pass. */
// @ts-ignore: decorator
@inline const G = 5;

/**
 * One pass of R (a constant 1..G after inlining) k's over two rows of C: `c0[j] += sum_q s_q
 * b_q[j]`, `c1[j] += sum_q t_q b_q[j]`; with `zero` C is overwritten (not read).
 * a0, a1: `op(A)[i, kg]`, `op(A)[i + 1, kg]`; akB: bytes between consecutive k's of op(A).
 */
// @ts-ignore: decorator
@inline function pass2(R: i32, zero: bool, n: i32, alpha: f32, a0: usize, a1: usize, akB: usize, pk: usize, b: usize, ldbB: usize, c0: usize, c1: usize): void {
  const s0 = f32x4.splat(alpha * load<f32>(a0));
  const t0 = f32x4.splat(alpha * load<f32>(a1));
  const s1 = R > 1 ? f32x4.splat(alpha * load<f32>(a0 + akB)) : s0;
  const t1 = R > 1 ? f32x4.splat(alpha * load<f32>(a1 + akB)) : t0;
  const s2 = R > 2 ? f32x4.splat(alpha * load<f32>(a0 + 2 * akB)) : s0;
  const t2 = R > 2 ? f32x4.splat(alpha * load<f32>(a1 + 2 * akB)) : t0;
  const s3 = R > 3 ? f32x4.splat(alpha * load<f32>(a0 + 3 * akB)) : s0;
  const t3 = R > 3 ? f32x4.splat(alpha * load<f32>(a1 + 3 * akB)) : t0;
  const s4 = R > 4 ? f32x4.splat(alpha * load<f32>(a0 + 4 * akB)) : s0;
  const t4 = R > 4 ? f32x4.splat(alpha * load<f32>(a1 + 4 * akB)) : t0;
  const n4 = n & ~3;
  let q = pk, x0 = c0, x1 = c1;
  const end = c0 + (<usize>n4 << 2);
  while (x0 < end) {
    let d = v128.load(q);
    let x: v128, y: v128;
    if (zero) {
      x = f32x4.mul(s0, d);
      y = f32x4.mul(t0, d);
    } else {
      x = madd(s0, d, v128.load(x0));
      y = madd(t0, d, v128.load(x1));
    }
    if (R > 1) {
      d = v128.load(q, 16);
      x = madd(s1, d, x);
      y = madd(t1, d, y);
    }
    if (R > 2) {
      d = v128.load(q, 32);
      x = madd(s2, d, x);
      y = madd(t2, d, y);
    }
    if (R > 3) {
      d = v128.load(q, 48);
      x = madd(s3, d, x);
      y = madd(t3, d, y);
    }
    if (R > 4) {
      d = v128.load(q, 64);
      x = madd(s4, d, x);
      y = madd(t4, d, y);
    }
    v128.store(x0, x);
    v128.store(x1, y);
    x0 += 16;
    x1 += 16;
    q += R * 16;
  }
  // The last n % 4 columns (at most three): the same products, in the same order, one by one.
  for (let j = n4; j < n; j++) {
    const o = <usize>j << 2;
    let x: f32 = zero ? 0 : load<f32>(c0 + o), y: f32 = zero ? 0 : load<f32>(c1 + o);
    for (let q = 0; q < R; q++) {
      const d = load<f32>(b + <usize>q * ldbB + o);
      x += alpha * load<f32>(a0 + <usize>q * akB) * d;
      y += alpha * load<f32>(a1 + <usize>q * akB) * d;
    }
    store<f32>(c0 + o, x);
    store<f32>(c1 + o, y);
  }
}

/** pass2 with R and zero made constants (one specialised loop each). */
function pass2Of(r: i32, zero: bool, n: i32, alpha: f32, a0: usize, a1: usize, akB: usize, pk: usize, b: usize, ldbB: usize, c0: usize, c1: usize): void {
  if (zero) {
    switch (r) {
      case 1: pass2(1, true, n, alpha, a0, a1, akB, pk, b, ldbB, c0, c1); break;
      case 2: pass2(2, true, n, alpha, a0, a1, akB, pk, b, ldbB, c0, c1); break;
      case 3: pass2(3, true, n, alpha, a0, a1, akB, pk, b, ldbB, c0, c1); break;
      case 4: pass2(4, true, n, alpha, a0, a1, akB, pk, b, ldbB, c0, c1); break;
      default: pass2(5, true, n, alpha, a0, a1, akB, pk, b, ldbB, c0, c1);
    }
  } else {
    switch (r) {
      case 1: pass2(1, false, n, alpha, a0, a1, akB, pk, b, ldbB, c0, c1); break;
      case 2: pass2(2, false, n, alpha, a0, a1, akB, pk, b, ldbB, c0, c1); break;
      case 3: pass2(3, false, n, alpha, a0, a1, akB, pk, b, ldbB, c0, c1); break;
      case 4: pass2(4, false, n, alpha, a0, a1, akB, pk, b, ldbB, c0, c1); break;
      default: pass2(5, false, n, alpha, a0, a1, akB, pk, b, ldbB, c0, c1);
    }
  }
}

/** One row of C: `c <- alpha sum_p a[p] B[p, :] + (zero ? 0 : c)`, a's k's akB bytes apart. */
function row1(n: i32, k: i32, alpha: f32, a: usize, akB: usize, b: usize, ldbB: usize, zero: bool, c: usize): void {
  if (zero) memory.fill(c, 0, <usize>n << 2);
  for (let p = 0; p < k; p++) axpy(alpha * load<f32>(a + <usize>p * akB), b + <usize>p * ldbB, c, n);
}

/**
 * Packs the first `n & ~3` columns of B: [k, n] by groups of G rows: for group kg (r rows),
 * column block j4 holds the r vectors `B[kg..kg+r, 4 j4..4 j4+4]` one after another, at byte
 * `kg * n4 * 4 + j4 * r * 16`, so a pass reads one pointer with constant offsets.
 */
function packB(k: i32, n: i32, b: usize, ldbB: usize, dst: usize): void {
  const n4 = n & ~3;
  for (let kg = 0; kg < k; kg += G) {
    const r = min(G, k - kg);
    let d = dst + <usize>kg * (<usize>n4 << 2);
    const rowStep = <usize>r << 4;
    for (let q = 0; q < r; q++) {
      const src = b + <usize>(kg + q) * ldbB;
      let dq = d + (<usize>q << 4);
      for (let j = 0; j < n4; j += 4) {
        v128.store(dq, v128.load(src + (<usize>j << 2)));
        dq += rowStep;
      }
    }
  }
}

/**
 * `C <- alpha op(A) B + beta C`; op(A)[i, p] at `a + i * aiB + p * akB` (bytes: A is [m, k]
 * with aiB = 4 lda, akB = 4; A^T of A: [k, m] with aiB = 4, akB = 4 lda), B: [k, n] (row
 * stride ldb), C: [m, n] (row stride ldc). beta == 0 never reads C. Meant for k up to ~16.
 */
export function gemmSmallK(m: i32, n: i32, k: i32, alpha: f32, a: usize, aiB: usize, akB: usize, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32): void {
  const ldbB = <usize>ldb << 2, ldcB = <usize>ldc << 2;
  const n4 = n & ~3;
  const pk = scratch(4, <usize>k * (<usize>n4 << 2) + 16);
  packB(k, n, b, ldbB, pk);
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = a + <usize>i * aiB, a1 = a0 + aiB;
    const c0 = c + <usize>i * ldcB, c1 = c0 + ldcB;
    if (beta != 0 && beta != 1) {
      scale(beta, c0, n);
      scale(beta, c1, n);
    }
    for (let kg = 0; kg < k; kg += G) {
      const off = <usize>kg * akB;
      pass2Of(min(G, k - kg), kg == 0 && beta == 0, n, alpha, a0 + off, a1 + off, akB, pk + <usize>kg * (<usize>n4 << 2), b + <usize>kg * ldbB, ldbB, c0, c1);
    }
  }
  if (i < m) {
    const c0 = c + <usize>i * ldcB;
    if (beta != 0 && beta != 1) scale(beta, c0, n);
    row1(n, k, alpha, a + <usize>i * aiB, akB, b, ldbB, beta == 0, c0);
  }
}
