/**
 * Reductions. Whole-matrix sums accumulate in float64 (two f64x2 lanes), like the reference,
 * because they are returned to JavaScript as numbers (losses, penalties, monitoring).
 */

// @ts-ignore: decorator
@inline function hi2(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** mode 0: sum x, 1: sum x^2, 2: sum |x|, each term exact in float64. */
function sumSpan(mode: i32, x: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0.0);
  let acc1 = f64x2.splat(0.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let v = v128.load(x + (<usize>i << 2));
    if (mode == 2) v = f32x4.abs(v);
    const lo = f64x2.promote_low_f32x4(v);
    const hi = hi2(v);
    if (mode == 1) {
      acc0 = f64x2.add(acc0, f64x2.mul(lo, lo));
      acc1 = f64x2.add(acc1, f64x2.mul(hi, hi));
    } else {
      acc0 = f64x2.add(acc0, lo);
      acc1 = f64x2.add(acc1, hi);
    }
  }
  const acc = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += mode == 1 ? v * v : mode == 2 ? Math.abs(v) : v;
  }
  return s;
}

/** Sum (mode 0), sum of squares (1) or sum of absolute values (2) of n elements. */
export function sumOf(mode: i32, x: usize, n: i32): f64 {
  if (mode == 0) return sumSpan(0, x, n);
  if (mode == 1) return sumSpan(1, x, n);
  return sumSpan(2, x, n);
}

/** out[j] <- beta out[j] + alpha sum_i x[i, j]; x: [rows, cols], out: [1, cols]. */
export function colSums(x: usize, out: usize, rows: i32, cols: i32, alpha: f32, beta: f32): void {
  const rowBytes = <usize>cols << 2;
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  let j = 0;
  for (; j + 16 <= cols; j += 16) {
    let p = x + (<usize>j << 2);
    let a0 = f32x4.splat(0.0), a1 = a0, a2 = a0, a3 = a0;
    for (let i = 0; i < rows; i++) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
      p += rowBytes;
    }
    const o = out + (<usize>j << 2);
    if (beta == 0) {
      v128.store(o, f32x4.mul(va, a0));
      v128.store(o, f32x4.mul(va, a1), 16);
      v128.store(o, f32x4.mul(va, a2), 32);
      v128.store(o, f32x4.mul(va, a3), 48);
    } else {
      v128.store(o, f32x4.add(f32x4.mul(va, a0), f32x4.mul(vb, v128.load(o))));
      v128.store(o, f32x4.add(f32x4.mul(va, a1), f32x4.mul(vb, v128.load(o, 16))), 16);
      v128.store(o, f32x4.add(f32x4.mul(va, a2), f32x4.mul(vb, v128.load(o, 32))), 32);
      v128.store(o, f32x4.add(f32x4.mul(va, a3), f32x4.mul(vb, v128.load(o, 48))), 48);
    }
  }
  for (; j + 4 <= cols; j += 4) {
    let p = x + (<usize>j << 2);
    let a0 = f32x4.splat(0.0);
    for (let i = 0; i < rows; i++) {
      a0 = f32x4.add(a0, v128.load(p));
      p += rowBytes;
    }
    const o = out + (<usize>j << 2);
    if (beta == 0) v128.store(o, f32x4.mul(va, a0));
    else v128.store(o, f32x4.add(f32x4.mul(va, a0), f32x4.mul(vb, v128.load(o))));
  }
  for (; j < cols; j++) {
    let p = x + (<usize>j << 2);
    let s: f32 = 0;
    for (let i = 0; i < rows; i++) {
      s += load<f32>(p);
      p += rowBytes;
    }
    const o = out + (<usize>j << 2);
    store<f32>(o, beta == 0 ? alpha * s : alpha * s + beta * load<f32>(o));
  }
}

/** out[i] <- sum_j x[i, j]; x: [rows, cols], out: [rows, 1]. */
export function rowSums(x: usize, out: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    store<f32>(out + (<usize>i << 2), <f32>sumSpan(0, x + <usize>i * (<usize>cols << 2), cols));
  }
}

/** 1 when every element is finite (exponent bits not all ones), else 0. */
export function allFinite(x: usize, n: i32): i32 {
  const expMask = i32x4.splat(0x7f800000);
  let bad = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    bad = v128.or(bad, i32x4.eq(v128.and(v, expMask), expMask));
  }
  if (v128.any_true(bad)) return 0;
  for (; i < n; i++) {
    if ((load<u32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) return 0;
  }
  return 1;
}

/** out[i] <- argmax_j x[i, j], the first maximum winning (NaN never wins). */
export function argmaxRows(x: usize, out: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    const row = x + <usize>i * (<usize>cols << 2);
    let best = 0;
    let bv = load<f32>(row);
    for (let j = 1; j < cols; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      if (v > bv) {
        bv = v;
        best = j;
      }
    }
    store<i32>(out + (<usize>i << 2), best);
  }
}

