/**
 * Vectorised float32 transcendentals on four lanes, accurate to about 2 ulp on the ranges
 * the kernels use (relative error < 3e-7, well inside the conformance tolerance of 2e-6).
 *
 * exp: x = n ln2 + r with |r| <= ln2 / 2 (Cody-Waite split of ln2 into a short exact part
 * and a correction), exp(r) by a degree-6 polynomial, 2^n built in the exponent bits.
 * log: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(1 + f) for f = m - 1 by a degree-9
 * polynomial, plus e ln2 (again split in two parts). Classical minimax coefficients.
 */

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375; // exactly representable, few mantissa bits
const LN2_LO: f32 = -2.12194440e-4; // ln2 - LN2_HI
const EXP_MAX: f32 = 88.0; // exp(88) = 1.65e38 stays finite
const EXP_MIN: f32 = -87.33654; // exp(-87.34) = 1.18e-38, the smallest normal
const SQRT_HALF: f32 = 0.707106781186547524;

/** exp(x) lane-wise; inputs are clamped to [-87.34, 88] (results saturate instead of overflowing). */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(EXP_MAX)), f32x4.splat(EXP_MIN));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), f32x4.splat(1.0));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const pow2n = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

/** log(x) lane-wise for positive normal x (callers clamp away 0, negatives and denormals). */
// @ts-ignore: decorator
@inline export function log4(x: v128): v128 {
  let e = i32x4.sub(i32x4.shr_s(x, 23), i32x4.splat(126)); // x = m 2^e, m in [0.5, 1)
  let m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, f32x4.splat(SQRT_HALF)); // all ones where m < sqrt(1/2)
  e = i32x4.add(e, small); // e - 1 there
  const f = f32x4.sub(f32x4.add(m, v128.and(m, small)), f32x4.splat(1.0)); // 2m - 1 there, else m - 1
  const z = f32x4.mul(f, f);
  let y = f32x4.splat(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, f), z);
  const ef = f32x4.convert_i32x4_s(e);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  return f32x4.add(f32x4.add(f, y), f32x4.mul(ef, f32x4.splat(LN2_HI)));
}

/** Logistic sigmoid 1 / (1 + exp(-a)) lane-wise (saturates cleanly at both ends). */
// @ts-ignore: decorator
@inline export function sigmoid4(a: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(a))));
}

/** tanh(a) = sign(a) (1 - t) / (1 + t) with t = exp(-2|a|), lane-wise. */
// @ts-ignore: decorator
@inline export function tanh4(a: v128): v128 {
  const one = f32x4.splat(1.0);
  const t = exp4(f32x4.mul(f32x4.abs(a), f32x4.splat(-2.0)));
  const r = f32x4.div(f32x4.sub(one, t), f32x4.add(one, t));
  return v128.or(r, v128.and(a, f32x4.splat(-0.0))); // copy the sign of a
}

/** log(1 + exp(a)) = max(a, 0) + log(1 + exp(-|a|)), lane-wise and without overflow. */
// @ts-ignore: decorator
@inline export function softplus4(a: v128): v128 {
  const t = exp4(f32x4.neg(f32x4.abs(a)));
  return f32x4.add(f32x4.max(a, f32x4.splat(0.0)), log4(f32x4.add(f32x4.splat(1.0), t)));
}
