/*
 * Element-wise and fused kernels. Each is one pass over memory written as a plain counted
 * loop that GCC vectorises at -O3; `ivdep` tells it that an output aliasing an input at the
 * same index (allowed by src/tensor/kernels.ts) is not a loop-carried dependence.
 */
#include <math.h>

#include "fast-math.h"
#include "kernels.h"

/* The transcendental kernels are compute-bound: also compile them for AVX2 + FMA
 * (x86-64-v3) and let the loader pick per CPU (GCC function multi-versioning, ifunc). The
 * memory-bound kernels gain nothing from wider vectors and stay single-version. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#define PL_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define PL_SIMD_CLONES
#endif

void pl_axpy(size_t len, float alpha, const float *x, float *y) {
#pragma GCC ivdep
  for (size_t i = 0; i < len; i++) y[i] = alpha * x[i] + y[i];
}

void pl_scale(size_t len, float alpha, float *x) {
  for (size_t i = 0; i < len; i++) x[i] = alpha * x[i];
}

void pl_add(size_t len, const float *a, const float *b, float *out) {
#pragma GCC ivdep
  for (size_t i = 0; i < len; i++) out[i] = a[i] + b[i];
}

void pl_sub(size_t len, const float *a, const float *b, float *out) {
#pragma GCC ivdep
  for (size_t i = 0; i < len; i++) out[i] = a[i] - b[i];
}

void pl_mul(size_t len, const float *a, const float *b, float *out) {
#pragma GCC ivdep
  for (size_t i = 0; i < len; i++) out[i] = a[i] * b[i];
}

void pl_where(size_t len, const float *mask, const float *a, const float *b, float *out) {
#pragma GCC ivdep
  for (size_t i = 0; i < len; i++) {
    float av = a[i], bv = b[i]; /* both loaded, so the select has no control flow */
    out[i] = mask[i] != 0.0f ? av : bv;
  }
}

/* y <- alpha sign(x) + y with sign(+-0) = +-0 and sign(NaN) = NaN, like Math.sign. */
void pl_sign_axpy(size_t len, float alpha, const float *x, float *y) {
#pragma GCC ivdep
  for (size_t i = 0; i < len; i++) {
    float s = x[i] > 0.0f ? 1.0f : (x[i] < 0.0f ? -1.0f : x[i]);
    y[i] = alpha * s + y[i];
  }
}

void pl_bernoulli(size_t len, const float *p, const float *u, float *out) {
#pragma GCC ivdep
  for (size_t i = 0; i < len; i++) out[i] = u[i] < p[i] ? 1.0f : 0.0f;
}

void pl_add_row_vector(size_t rows, size_t cols, const float *x, const float *bias, float *out) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *orow = out + r * cols;
#pragma GCC ivdep
    for (size_t j = 0; j < cols; j++) orow[j] = xr[j] + bias[j];
  }
}

/* One specialised loop per activation so each vectorises on its own. */
#define PL_ROWWISE(EXPR)                                          \
  for (size_t r = 0; r < rows; r++) {                             \
    const float *xr = x + r * cols;                               \
    float *orow = out + r * cols;                                 \
    _Pragma("GCC ivdep") for (size_t j = 0; j < cols; j++) {      \
      float a = xr[j] + bias[j];                                  \
      orow[j] = (EXPR);                                           \
    }                                                             \
  }

PL_SIMD_CLONES void pl_bias_activation(int f, size_t rows, size_t cols, const float *x, const float *bias, float *out) {
  switch (f) {
    case PL_SIGMOID: PL_ROWWISE(pl_sigmoidf(a)); break;
    case PL_TANH: PL_ROWWISE(pl_tanhf(a)); break;
    case PL_RELU: PL_ROWWISE(a > 0.0f ? a : 0.0f); break;
    default: PL_ROWWISE(a); break;
  }
}

#define PL_MAP(EXPR)                                                             \
  _Pragma("GCC ivdep") for (size_t i = 0; i < len; i++) {                        \
    float a = x[i];                                                              \
    out[i] = (EXPR);                                                             \
  }

PL_SIMD_CLONES void pl_activation(int f, size_t len, const float *x, float *out) {
  switch (f) {
    case PL_SIGMOID: PL_MAP(pl_sigmoidf(a)); break;
    case PL_TANH: PL_MAP(pl_tanhf(a)); break;
    case PL_RELU: PL_MAP(a > 0.0f ? a : 0.0f); break;
    default: PL_MAP(a); break;
  }
}

/* out <- dy f'(a) written with the output y = f(a). */
void pl_activation_backward(int f, size_t len, const float *y, const float *dy, float *out) {
  switch (f) {
    case PL_SIGMOID:
#pragma GCC ivdep
      for (size_t i = 0; i < len; i++) out[i] = dy[i] * (y[i] * (1.0f - y[i]));
      break;
    case PL_TANH:
#pragma GCC ivdep
      for (size_t i = 0; i < len; i++) out[i] = dy[i] * (1.0f - y[i] * y[i]);
      break;
    case PL_RELU:
#pragma GCC ivdep
      for (size_t i = 0; i < len; i++) out[i] = y[i] > 0.0f ? dy[i] : 0.0f * dy[i];
      break;
    default:
#pragma GCC ivdep
      for (size_t i = 0; i < len; i++) out[i] = dy[i];
      break;
  }
}

/* log(1 + e^x) = max(x, 0) + log1p(e^-|x|), in double through libm (not a hot kernel). */
void pl_softplus(size_t len, const float *x, float *out) {
  for (size_t i = 0; i < len; i++) {
    double a = x[i];
    out[i] = (float)((a > 0.0 ? a : 0.0) + log1p(exp(-fabs(a))));
  }
}

/* g' = g + l2 w; with velocity v <- momentum v - lr g', w <- w + v; else w <- w - lr g'. */
void pl_sgd_update(size_t len, float *param, const float *grad, float *velocity, float lr, float momentum,
                   float l2) {
  if (velocity) {
#pragma GCC ivdep
    for (size_t i = 0; i < len; i++) {
      float v = momentum * velocity[i] - lr * (grad[i] + l2 * param[i]);
      velocity[i] = v;
      param[i] = param[i] + v;
    }
  } else {
#pragma GCC ivdep
    for (size_t i = 0; i < len; i++) param[i] = param[i] - lr * (grad[i] + l2 * param[i]);
  }
}
