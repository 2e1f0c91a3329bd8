/**
 * Activations, fused bias + activation, and their backward pass (Erhan et al. 2010, Section 3:
 * sigmoid or tanh hidden units). Activation codes: 0 identity, 1 sigmoid, 2 tanh, 3 relu
 * (the order of `ACTIVATIONS` in `src/tensor/kernels.ts`).
 */
import { sigmoid4, softplus4, tanh4 } from './math';

// @ts-ignore: decorator
@inline function apply4(f: i32, v: v128): v128 {
  if (f == 1) return sigmoid4(v);
  if (f == 2) return tanh4(v);
  if (f == 3) return f32x4.pmax(f32x4.splat(0.0), v); // v > 0 ? v : 0 (NaN -> 0, like the reference)
  return v;
}

/** One scalar lane through the vector code, so tails round exactly like the body. */
// @ts-ignore: decorator
@inline function apply1(f: i32, v: f32): f32 {
  return f32x4.extract_lane(apply4(f, f32x4.splat(v)), 0);
}

/** out[i] <- f(x[i]) for n elements (out may alias x). */
function activationSpan(f: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = apply4(f, v128.load(x + o));
    const b = apply4(f, v128.load(x + o, 16));
    v128.store(out + o, a);
    v128.store(out + o, b, 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, apply4(f, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, apply1(f, load<f32>(x + o)));
  }
}

/** out <- f(x), n elements. */
export function activation(f: i32, x: usize, out: usize, n: i32): void {
  if (f == 0) {
    if (out != x) memory.copy(out, x, <usize>n << 2);
    return;
  }
  if (f == 1) activationSpan(1, x, out, n);
  else if (f == 2) activationSpan(2, x, out, n);
  else activationSpan(3, x, out, n);
}

/** out[i, j] <- f(x[i, j] + bias[j]); x, out: [rows, cols], bias: [1, cols]. */
function biasActivationRows(f: i32, x: usize, bias: usize, out: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const orow = out + <usize>r * rowBytes;
    let j = 0;
    for (; j + 8 <= cols; j += 8) {
      const o = <usize>j << 2;
      const a = apply4(f, f32x4.add(v128.load(xr + o), v128.load(bias + o)));
      const b = apply4(f, f32x4.add(v128.load(xr + o, 16), v128.load(bias + o, 16)));
      v128.store(orow + o, a);
      v128.store(orow + o, b, 16);
    }
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(orow + o, apply4(f, f32x4.add(v128.load(xr + o), v128.load(bias + o))));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(orow + o, apply1(f, load<f32>(xr + o) + load<f32>(bias + o)));
    }
  }
}

/** Fused out <- f(x + bias) broadcast over rows (also addRowVector with f = identity). */
export function biasActivation(f: i32, x: usize, bias: usize, out: usize, rows: i32, cols: i32): void {
  if (f == 0) biasActivationRows(0, x, bias, out, rows, cols);
  else if (f == 1) biasActivationRows(1, x, bias, out, rows, cols);
  else if (f == 2) biasActivationRows(2, x, bias, out, rows, cols);
  else biasActivationRows(3, x, bias, out, rows, cols);
}

// @ts-ignore: decorator
@inline function grad4(f: i32, y: v128): v128 {
  const one = f32x4.splat(1.0);
  if (f == 1) return f32x4.mul(y, f32x4.sub(one, y));
  if (f == 2) return f32x4.sub(one, f32x4.mul(y, y));
  if (f == 3) return v128.and(f32x4.gt(y, f32x4.splat(0.0)), one);
  return one;
}

function backwardSpan(f: i32, y: usize, dy: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(dy + o), grad4(f, v128.load(y + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = f32x4.extract_lane(grad4(f, f32x4.splat(load<f32>(y + o))), 0);
    store<f32>(out + o, load<f32>(dy + o) * g);
  }
}

/** out <- dy * f'(a), written with the output y = f(a); n elements (out may alias dy). */
export function activationBackward(f: i32, y: usize, dy: usize, out: usize, n: i32): void {
  if (f == 0) backwardSpan(0, y, dy, out, n);
  else if (f == 1) backwardSpan(1, y, dy, out, n);
  else if (f == 2) backwardSpan(2, y, dy, out, n);
  else backwardSpan(3, y, dy, out, n);
}

/** out <- log(1 + exp(x)), n elements (out may alias x). */
export function softplus(x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, softplus4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(softplus4(f32x4.splat(load<f32>(x + o))), 0));
  }
}
