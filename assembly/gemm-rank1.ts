/**
 * Rank-1 update (BLAS `ger` with a beta): `C <- alpha x y^T + beta C`, x: m elements,
 * y: n elements (contiguous), C: [m, n] row-major. The dispatcher sends every K = 1 product
 * here (a batch-1 weight gradient `dW = x^T dy`, or the fused update `W <- W - lr x^T dy`).
 *
 * Each row of C is streamed once in address order, `C[i, :] = (alpha x_i) y + beta C[i, :]`,
 * 16 floats per iteration, with y (one row, in L1) reused by every row: the kernel runs at the
 * speed of memory, with no packing, gathering or K loop. C is not read when `beta == 0`.
 */
import { madd } from './simd';

/** One row: `c[0..n] <- s y + beta c` (beta 0: not read; beta 1: no multiply). */
// @ts-ignore: decorator
@inline function rowUpdate(n: i32, s: f32, y: usize, beta: f32, c: usize): void {
  const vs = f32x4.splat(s);
  let j = 0;
  if (beta == 0) {
    for (; j + 16 <= n; j += 16) {
      const o = <usize>j << 2;
      v128.store(c + o, f32x4.mul(vs, v128.load(y + o)));
      v128.store(c + o, f32x4.mul(vs, v128.load(y + o, 16)), 16);
      v128.store(c + o, f32x4.mul(vs, v128.load(y + o, 32)), 32);
      v128.store(c + o, f32x4.mul(vs, v128.load(y + o, 48)), 48);
    }
    for (; j + 4 <= n; j += 4) v128.store(c + (<usize>j << 2), f32x4.mul(vs, v128.load(y + (<usize>j << 2))));
    for (; j < n; j++) store<f32>(c + (<usize>j << 2), s * load<f32>(y + (<usize>j << 2)));
  } else if (beta == 1) {
    for (; j + 16 <= n; j += 16) {
      const o = <usize>j << 2;
      v128.store(c + o, madd(vs, v128.load(y + o), v128.load(c + o)));
      v128.store(c + o, madd(vs, v128.load(y + o, 16), v128.load(c + o, 16)), 16);
      v128.store(c + o, madd(vs, v128.load(y + o, 32), v128.load(c + o, 32)), 32);
      v128.store(c + o, madd(vs, v128.load(y + o, 48), v128.load(c + o, 48)), 48);
    }
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(c + o, madd(vs, v128.load(y + o), v128.load(c + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(c + o, s * load<f32>(y + o) + load<f32>(c + o));
    }
  } else {
    const vb = f32x4.splat(beta);
    for (; j + 8 <= n; j += 8) {
      const o = <usize>j << 2;
      v128.store(c + o, madd(vs, v128.load(y + o), f32x4.mul(vb, v128.load(c + o))));
      v128.store(c + o, madd(vs, v128.load(y + o, 16), f32x4.mul(vb, v128.load(c + o, 16))), 16);
    }
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(c + o, madd(vs, v128.load(y + o), f32x4.mul(vb, v128.load(c + o))));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(c + o, s * load<f32>(y + o) + beta * load<f32>(c + o));
    }
  }
}

/**
 * `C <- alpha x y^T + beta C`; x: m floats `incxB` bytes apart, y: n contiguous floats,
 * C: [m, n] with row stride ldc (elements).
 */
export function gemmRank1(m: i32, n: i32, alpha: f32, x: usize, incxB: usize, y: usize, beta: f32, c: usize, ldc: i32): void {
  const ldcB = <usize>ldc << 2;
  for (let i = 0; i < m; i++) rowUpdate(n, alpha * load<f32>(x + <usize>i * incxB), y, beta, c + <usize>i * ldcB);
}
