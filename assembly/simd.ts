/**
 * SIMD helpers shared by every kernel. `madd` is `a * b + c`: one fused `f32x4.relaxed_madd`
 * in the relaxed-SIMD build (`--enable relaxed-simd`), a multiply then an add otherwise.
 */

// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Sum of the four lanes. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  const t = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1);
}

/** `[hsum(a), hsum(b), hsum(c), hsum(d)]` with two transposition stages. */
// @ts-ignore: decorator
@inline export function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/** `alpha * acc + beta * C` stored to `C` at `p`; C is not read when `beta == 0`. */
// @ts-ignore: decorator
@inline export function storeScaled(p: usize, acc: v128, alpha: v128, beta: f32): void {
  if (beta == 0) v128.store(p, f32x4.mul(acc, alpha));
  else v128.store(p, madd(f32x4.splat(beta), v128.load(p), f32x4.mul(acc, alpha)));
}

/** Scalar version of `storeScaled`. */
// @ts-ignore: decorator
@inline export function storeScaled1(p: usize, acc: f32, alpha: f32, beta: f32): void {
  if (beta == 0) store<f32>(p, alpha * acc);
  else store<f32>(p, alpha * acc + beta * load<f32>(p));
}
