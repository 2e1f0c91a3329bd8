/** Element-wise kernels over n contiguous float32 elements (outputs may alias inputs). */
import { madd } from './simd';

/** x <- value. */
export function fill(x: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(x + (<usize>i << 2), v);
  for (; i < n; i++) store<f32>(x + (<usize>i << 2), value);
}

/** y <- alpha x + y. */
export function axpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, madd(a, v128.load(x + o), v128.load(y + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, alpha * load<f32>(x + o) + load<f32>(y + o));
  }
}

/** x <- alpha x. */
export function scale(alpha: f32, x: usize, n: i32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(a, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, alpha * load<f32>(x + o));
  }
}

// @ts-ignore: decorator
@inline function binary4(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f32x4.add(a, b);
  if (op == 1) return f32x4.sub(a, b);
  return f32x4.mul(a, b);
}

function binarySpan(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, binary4(op, v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = binary4(op, f32x4.splat(load<f32>(a + o)), f32x4.splat(load<f32>(b + o)));
    store<f32>(out + o, f32x4.extract_lane(r, 0));
  }
}

/** out <- a op b with op 0 add, 1 sub, 2 mul. */
export function binary(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  if (op == 0) binarySpan(0, a, b, out, n);
  else if (op == 1) binarySpan(1, a, b, out, n);
  else binarySpan(2, a, b, out, n);
}

/** out <- mask != 0 ? a : b (NaN counts as non-zero, -0 as zero, like the reference). */
export function where(mask: usize, a: usize, b: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const m = f32x4.ne(v128.load(mask + o), zero);
    v128.store(out + o, v128.bitselect(v128.load(a + o), v128.load(b + o), m));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(mask + o) != 0 ? load<f32>(a + o) : load<f32>(b + o));
  }
}

/** out <- u < p ? 1 : 0. */
export function bernoulli(p: usize, u: usize, out: usize, n: i32): void {
  const one = f32x4.splat(1.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, v128.and(f32x4.lt(v128.load(u + o), v128.load(p + o)), one));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(u + o) < load<f32>(p + o) ? 1.0 : 0.0);
  }
}

/** y <- alpha sign(x) + y, with sign(0) = 0 and sign(NaN) = NaN (as Math.sign). */
export function signAxpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const a = f32x4.splat(alpha);
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  const signBit = f32x4.splat(-0.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    let s = v128.and(f32x4.ne(v, zero), v128.or(one, v128.and(v, signBit)));
    s = v128.bitselect(v, s, f32x4.ne(v, v));
    v128.store(y + o, madd(a, s, v128.load(y + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    const s: f32 = v > 0 ? 1.0 : v < 0 ? -1.0 : v; // keeps 0, -0 and NaN
    store<f32>(y + o, alpha * s + load<f32>(y + o));
  }
}

/**
 * Fused SGD with momentum and L2 decay: g' = g + l2 w; with velocity (v != 0):
 * v <- momentum v - lr g', w <- w + v; without: w <- w - lr g'.
 */
export function sgdUpdate(w: usize, g: usize, v: usize, n: i32, lr: f32, momentum: f32, l2: f32): void {
  const vl2 = f32x4.splat(l2);
  const vlr = f32x4.splat(-lr);
  const vm = f32x4.splat(momentum);
  let i = 0;
  if (v != 0) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const wv = v128.load(w + o);
      const gp = madd(vl2, wv, v128.load(g + o));
      const nv = madd(vlr, gp, f32x4.mul(vm, v128.load(v + o)));
      v128.store(v + o, nv);
      v128.store(w + o, f32x4.add(wv, nv));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const wv = load<f32>(w + o);
      const nv = momentum * load<f32>(v + o) - lr * (load<f32>(g + o) + l2 * wv);
      store<f32>(v + o, nv);
      store<f32>(w + o, wv + nv);
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const wv = v128.load(w + o);
      v128.store(w + o, madd(vlr, madd(vl2, wv, v128.load(g + o)), wv));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const wv = load<f32>(w + o);
      store<f32>(w + o, wv - lr * (load<f32>(g + o) + l2 * wv));
    }
  }
}
