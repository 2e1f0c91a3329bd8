/*
 * Branch-free float transcendentals that GCC auto-vectorises (no libm calls, no
 * -ffast-math): exp, logistic sigmoid and tanh, each within a few ulp of the float64
 * reference (src/backends/reference/scalar.ts); checked by test/backends/native-*.test.ts.
 */
#ifndef PRETRAIN_LAB_FAST_MATH_H
#define PRETRAIN_LAB_FAST_MATH_H

#include <stdint.h>
#include <string.h>

/* exp(x) for float x. Range reduction x = n ln2 + r with |r| <= ln2/2 (Cody-Waite split of
 * ln2 so n * LN2_HI is exact), degree-7 Taylor polynomial for e^r (truncation < 1e-8
 * relative), then scaling by 2^n built in the exponent bits. x is clamped to [-87, 88] so
 * 2^n stays a normal float: e^-87 ~ 1.6e-38, e^88 ~ 1.65e38 (no denormals, no infinity).
 * NaN propagates. */
static inline float pl_expf(float x) {
  x = x > 88.0f ? 88.0f : x;
  x = x < -87.0f ? -87.0f : x;
  const float magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
  float shifted = x * 1.44269504088896341f + magic; /* bits hold 0x4B400000 + n */
  float n = shifted - magic;
  float r = x - n * 0.693145751953125f; /* LN2_HI: 16 significant bits */
  r = r - n * 1.42860682030941723e-6f;  /* LN2_LO = ln2 - LN2_HI */
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  uint32_t nbits;
  memcpy(&nbits, &shifted, sizeof nbits);
  uint32_t bits = (nbits - 0x4B400000u + 127u) << 23; /* 2^n as float bits */
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/* Logistic sigmoid 1 / (1 + e^-a); e^-a is clamped, so no overflow for any a. */
static inline float pl_sigmoidf(float a) { return 1.0f / (1.0f + pl_expf(-a)); }

/* tanh(a): for |a| < 0.55 the odd Taylor series to x^17 (relative error < 5e-9; its
 * coefficients 2^2n (2^2n - 1) B_2n / (2n)! from the Bernoulli numbers); above,
 * sign(a) (1 - 2 / (e^{2|a|} + 1)), where the result is >= 0.5 so cancellation costs at
 * most a few ulp. */
static inline float pl_tanhf(float a) {
  float ax = a < 0.0f ? -a : a;
  float big = 1.0f - 2.0f / (pl_expf(2.0f * ax) + 1.0f);
  big = a < 0.0f ? -big : big;
  float a2 = a * a;
  float p = 6404582.0f / 10854718875.0f;
  p = p * a2 - 929569.0f / 638512875.0f;
  p = p * a2 + 21844.0f / 6081075.0f;
  p = p * a2 - 1382.0f / 155925.0f;
  p = p * a2 + 62.0f / 2835.0f;
  p = p * a2 - 17.0f / 315.0f;
  p = p * a2 + 2.0f / 15.0f;
  p = p * a2 - 1.0f / 3.0f;
  float small = a + a * (a2 * p);
  return ax < 0.55f ? small : big;
}

#endif
