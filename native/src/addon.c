/*
 * N-API glue of the `native` backend: unpacks arguments (Float32Array data pointers are
 * passed to C without copying) and calls the kernels. Shapes are validated in TypeScript
 * (src/backends/native/); here only array types and lengths are checked so a mistake can
 * never touch memory out of bounds.
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <math.h>
#include <stdbool.h>

#include "kernels.h"

#define PL_MAX_ARGS 10

static bool pl_args(napi_env env, napi_callback_info info, size_t expected, napi_value *argv) {
  size_t argc = PL_MAX_ARGS;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < expected) {
    napi_throw_type_error(env, NULL, "pretrain-lab native: too few arguments");
    return false;
  }
  return true;
}

static bool pl_f32(napi_env env, napi_value v, float **data, size_t *len) {
  napi_typedarray_type type;
  void *ptr;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, NULL, NULL) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "pretrain-lab native: expected a Float32Array (a matrix of the native backend)");
    return false;
  }
  *data = ptr;
  return true;
}

/* A Float32Array or null (optional outputs). */
static bool pl_f32_or_null(napi_env env, napi_value v, float **data, size_t *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) == napi_ok && (t == napi_null || t == napi_undefined)) {
    *data = NULL;
    *len = 0;
    return true;
  }
  return pl_f32(env, v, data, len);
}

static bool pl_i32(napi_env env, napi_value v, int32_t **data, size_t *len) {
  napi_typedarray_type type;
  void *ptr;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, NULL, NULL) != napi_ok || type != napi_int32_array) {
    napi_throw_type_error(env, NULL, "pretrain-lab native: expected an Int32Array");
    return false;
  }
  *data = ptr;
  return true;
}

static bool pl_num(napi_env env, napi_value v, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "pretrain-lab native: expected a number");
    return false;
  }
  return true;
}

static bool pl_int(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "pretrain-lab native: expected an integer");
    return false;
  }
  return true;
}

static bool pl_check(napi_env env, bool ok, const char *what) {
  if (!ok) napi_throw_range_error(env, NULL, what);
  return ok;
}

static napi_value pl_double(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

/* gemm(transA, transB, m, n, k, alpha, A, B, beta, C) */
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  bool ta, tb;
  int32_t m, n, k;
  double alpha, beta;
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!pl_args(env, info, 10, argv)) return NULL;
  if (napi_get_value_bool(env, argv[0], &ta) != napi_ok || napi_get_value_bool(env, argv[1], &tb) != napi_ok) {
    napi_throw_type_error(env, NULL, "gemm: transpose flags must be booleans");
    return NULL;
  }
  if (!pl_int(env, argv[2], &m) || !pl_int(env, argv[3], &n) || !pl_int(env, argv[4], &k) ||
      !pl_num(env, argv[5], &alpha) || !pl_f32(env, argv[6], &a, &la) || !pl_f32(env, argv[7], &b, &lb) ||
      !pl_num(env, argv[8], &beta) || !pl_f32(env, argv[9], &c, &lc))
    return NULL;
  if (!pl_check(env, m >= 0 && n >= 0 && k >= 0 && la == (size_t)m * k && lb == (size_t)k * n && lc == (size_t)m * n,
                "gemm: array lengths do not match M, N, K"))
    return NULL;
  pl_gemm(ta, tb, m, n, k, (float)alpha, a, b, (float)beta, c);
  return NULL;
}

/* (alpha, x, y) kernels */
#define PL_ALPHA_XY(NAME, FN)                                                             \
  static napi_value NAME(napi_env env, napi_callback_info info) {                         \
    napi_value argv[PL_MAX_ARGS];                                                         \
    double alpha;                                                                         \
    float *x, *y;                                                                         \
    size_t lx, ly;                                                                        \
    if (!pl_args(env, info, 3, argv) || !pl_num(env, argv[0], &alpha) ||                 \
        !pl_f32(env, argv[1], &x, &lx) || !pl_f32(env, argv[2], &y, &ly) ||               \
        !pl_check(env, lx == ly, #FN ": lengths differ"))                                 \
      return NULL;                                                                        \
    FN(lx, (float)alpha, x, y);                                                           \
    return NULL;                                                                          \
  }
PL_ALPHA_XY(js_axpy, pl_axpy)
PL_ALPHA_XY(js_sign_axpy, pl_sign_axpy)

static napi_value js_scale(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  double alpha;
  float *x;
  size_t lx;
  if (!pl_args(env, info, 2, argv) || !pl_num(env, argv[0], &alpha) || !pl_f32(env, argv[1], &x, &lx)) return NULL;
  pl_scale(lx, (float)alpha, x);
  return NULL;
}

/* (a, b, out) kernels */
#define PL_ABO(NAME, FN)                                                                           \
  static napi_value NAME(napi_env env, napi_callback_info info) {                                  \
    napi_value argv[PL_MAX_ARGS];                                                                  \
    float *a, *b, *o;                                                                              \
    size_t la, lb, lo;                                                                             \
    if (!pl_args(env, info, 3, argv) || !pl_f32(env, argv[0], &a, &la) ||                          \
        !pl_f32(env, argv[1], &b, &lb) || !pl_f32(env, argv[2], &o, &lo) ||                        \
        !pl_check(env, la == lo && lb == lo, #FN ": lengths differ"))                              \
      return NULL;                                                                                 \
    FN(lo, a, b, o);                                                                               \
    return NULL;                                                                                   \
  }
PL_ABO(js_add, pl_add)
PL_ABO(js_sub, pl_sub)
PL_ABO(js_mul, pl_mul)
PL_ABO(js_bernoulli, pl_bernoulli)

static napi_value js_where(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *m, *a, *b, *o;
  size_t lm, la, lb, lo;
  if (!pl_args(env, info, 4, argv) || !pl_f32(env, argv[0], &m, &lm) || !pl_f32(env, argv[1], &a, &la) ||
      !pl_f32(env, argv[2], &b, &lb) || !pl_f32(env, argv[3], &o, &lo) ||
      !pl_check(env, lm == lo && la == lo && lb == lo, "where: lengths differ"))
    return NULL;
  pl_where(lo, m, a, b, o);
  return NULL;
}

/* addRowVector(x, bias, out) and biasActivation(f, x, bias, out): cols = bias length. */
static bool pl_bias_args(napi_env env, napi_value *argv, float **x, float **bias, float **o, size_t *rows,
                         size_t *cols) {
  size_t lx, lb, lo;
  if (!pl_f32(env, argv[0], x, &lx) || !pl_f32(env, argv[1], bias, &lb) || !pl_f32(env, argv[2], o, &lo)) return false;
  if (!pl_check(env, lx == lo && (lb == 0 ? lx == 0 : lx % lb == 0), "bias: lengths do not broadcast")) return false;
  *cols = lb;
  *rows = lb == 0 ? 0 : lx / lb;
  return true;
}

static napi_value js_add_row_vector(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *x, *bias, *o;
  size_t rows, cols;
  if (!pl_args(env, info, 3, argv) || !pl_bias_args(env, argv, &x, &bias, &o, &rows, &cols)) return NULL;
  pl_add_row_vector(rows, cols, x, bias, o);
  return NULL;
}

static napi_value js_bias_activation(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  int32_t f;
  float *x, *bias, *o;
  size_t rows, cols;
  if (!pl_args(env, info, 4, argv) || !pl_int(env, argv[0], &f) ||
      !pl_bias_args(env, argv + 1, &x, &bias, &o, &rows, &cols))
    return NULL;
  pl_bias_activation(f, rows, cols, x, bias, o);
  return NULL;
}

static napi_value js_activation(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  int32_t f;
  float *x, *o;
  size_t lx, lo;
  if (!pl_args(env, info, 3, argv) || !pl_int(env, argv[0], &f) || !pl_f32(env, argv[1], &x, &lx) ||
      !pl_f32(env, argv[2], &o, &lo) || !pl_check(env, lx == lo, "activation: lengths differ"))
    return NULL;
  pl_activation(f, lo, x, o);
  return NULL;
}

static napi_value js_activation_backward(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  int32_t f;
  float *y, *dy, *o;
  size_t ly, ld, lo;
  if (!pl_args(env, info, 4, argv) || !pl_int(env, argv[0], &f) || !pl_f32(env, argv[1], &y, &ly) ||
      !pl_f32(env, argv[2], &dy, &ld) || !pl_f32(env, argv[3], &o, &lo) ||
      !pl_check(env, ly == lo && ld == lo, "activationBackward: lengths differ"))
    return NULL;
  pl_activation_backward(f, lo, y, dy, o);
  return NULL;
}

static napi_value js_softplus(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *x, *o;
  size_t lx, lo;
  if (!pl_args(env, info, 2, argv) || !pl_f32(env, argv[0], &x, &lx) || !pl_f32(env, argv[1], &o, &lo) ||
      !pl_check(env, lx == lo, "softplus: lengths differ"))
    return NULL;
  pl_softplus(lo, x, o);
  return NULL;
}

/* colSums(x, out, alpha, beta): cols = out length. */
static napi_value js_col_sums(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *x, *o;
  size_t lx, lo;
  double alpha, beta;
  if (!pl_args(env, info, 4, argv) || !pl_f32(env, argv[0], &x, &lx) || !pl_f32(env, argv[1], &o, &lo) ||
      !pl_num(env, argv[2], &alpha) || !pl_num(env, argv[3], &beta) ||
      !pl_check(env, lo == 0 ? lx == 0 : lx % lo == 0, "colSums: lengths do not match"))
    return NULL;
  pl_col_sums(lo == 0 ? 0 : lx / lo, lo, x, o, alpha, beta);
  return NULL;
}

/* rowSums(x, out, cols): rows = out length. */
static napi_value js_row_sums(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *x, *o;
  size_t lx, lo;
  int32_t cols;
  if (!pl_args(env, info, 3, argv) || !pl_f32(env, argv[0], &x, &lx) || !pl_f32(env, argv[1], &o, &lo) ||
      !pl_int(env, argv[2], &cols) || !pl_check(env, cols >= 0 && lx == lo * (size_t)cols, "rowSums: lengths do not match"))
    return NULL;
  pl_row_sums(lo, (size_t)cols, x, o);
  return NULL;
}

#define PL_REDUCE(NAME, FN)                                                             \
  static napi_value NAME(napi_env env, napi_callback_info info) {                       \
    napi_value argv[PL_MAX_ARGS];                                                       \
    float *x;                                                                           \
    size_t lx;                                                                          \
    if (!pl_args(env, info, 1, argv) || !pl_f32(env, argv[0], &x, &lx)) return NULL;   \
    return pl_double(env, FN(lx, x));                                                   \
  }
PL_REDUCE(js_sum, pl_sum)
PL_REDUCE(js_sum_squares, pl_sum_squares)
PL_REDUCE(js_sum_abs, pl_sum_abs)

static napi_value js_all_finite(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS], out;
  float *x;
  size_t lx;
  if (!pl_args(env, info, 1, argv) || !pl_f32(env, argv[0], &x, &lx)) return NULL;
  napi_get_boolean(env, pl_all_finite(lx, x) != 0, &out);
  return out;
}

/* argmaxRows(x, out, cols): rows = out length. */
static napi_value js_argmax_rows(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *x;
  int32_t *o, cols;
  size_t lx, lo;
  if (!pl_args(env, info, 3, argv) || !pl_f32(env, argv[0], &x, &lx) || !pl_i32(env, argv[1], &o, &lo) ||
      !pl_int(env, argv[2], &cols) ||
      !pl_check(env, cols >= 0 && lx == lo * (size_t)cols, "argmaxRows: lengths do not match"))
    return NULL;
  pl_argmax_rows(lo, (size_t)cols, x, o);
  return NULL;
}

/* softmaxCrossEntropy(logits, labels, probs, grad | null, scale): rows = labels length.
 * Labels are range-checked in TypeScript; checked again here because they index memory. */
static napi_value js_softmax_cross_entropy(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *l, *p, *g;
  int32_t *y;
  size_t ll, ly, lp, lg;
  double scale;
  if (!pl_args(env, info, 5, argv) || !pl_f32(env, argv[0], &l, &ll) || !pl_i32(env, argv[1], &y, &ly) ||
      !pl_f32(env, argv[2], &p, &lp) || !pl_f32_or_null(env, argv[3], &g, &lg) || !pl_num(env, argv[4], &scale))
    return NULL;
  size_t cols = ly == 0 ? 0 : ll / ly;
  bool ok = ll == lp && (g == NULL || lg == ll) && (ly == 0 ? ll == 0 : ll == ly * cols);
  for (size_t i = 0; ok && i < ly; i++) ok = y[i] >= 0 && (size_t)y[i] < cols;
  if (!pl_check(env, ok, "softmaxCrossEntropy: lengths or labels do not match")) return NULL;
  return pl_double(env, pl_softmax_cross_entropy(ly, cols, l, y, p, g, scale));
}

static napi_value js_binary_cross_entropy(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *t, *p;
  size_t lt, lp;
  if (!pl_args(env, info, 2, argv) || !pl_f32(env, argv[0], &t, &lt) || !pl_f32(env, argv[1], &p, &lp) ||
      !pl_check(env, lt == lp, "binaryCrossEntropy: lengths differ"))
    return NULL;
  return pl_double(env, pl_binary_cross_entropy(lt, t, p));
}

/* sgdUpdate(param, grad, velocity | null, lr, momentum, l2) */
static napi_value js_sgd_update(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *w, *g, *v;
  size_t lw, lg, lv;
  double lr, momentum, l2;
  if (!pl_args(env, info, 6, argv) || !pl_f32(env, argv[0], &w, &lw) || !pl_f32(env, argv[1], &g, &lg) ||
      !pl_f32_or_null(env, argv[2], &v, &lv) || !pl_num(env, argv[3], &lr) || !pl_num(env, argv[4], &momentum) ||
      !pl_num(env, argv[5], &l2) || !pl_check(env, lw == lg && (v == NULL || lv == lw), "sgdUpdate: lengths differ"))
    return NULL;
  pl_sgd_update(lw, w, g, v, (float)lr, (float)momentum, (float)l2);
  return NULL;
}

/* adamUpdate(param, grad, m, v, lr, beta1, beta2, eps, c1, c2, l2, decay): 12 arguments, more than
 * PL_MAX_ARGS, so this reads its own. The scalars are combined in double before the float loop. */
static napi_value js_adam_update(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  size_t argc = 12;
  float *w, *g, *m, *v;
  size_t lw, lg, lm, lv;
  double s[8]; /* lr, beta1, beta2, eps, c1, c2, l2, decay */
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 12) {
    napi_throw_type_error(env, NULL, "pretrain-lab native: too few arguments");
    return NULL;
  }
  if (!pl_f32(env, argv[0], &w, &lw) || !pl_f32(env, argv[1], &g, &lg) || !pl_f32(env, argv[2], &m, &lm) ||
      !pl_f32(env, argv[3], &v, &lv))
    return NULL;
  for (int i = 0; i < 8; i++)
    if (!pl_num(env, argv[4 + i], &s[i])) return NULL;
  if (!pl_check(env, lw == lg && lw == lm && lw == lv, "adamUpdate: lengths differ")) return NULL;
  pl_adam_update(lw, w, g, m, v, (float)s[1], (float)(1.0 - s[1]), (float)s[2], (float)(1.0 - s[2]), (float)s[3],
                 (float)(s[0] / s[4]), (float)(1.0 / sqrt(s[5])), (float)s[6], (float)(s[0] * s[7]));
  return NULL;
}

/* ---- conv group: the geometry comes as an Int32Array [batch, height, width, channels, kernelH,
 * kernelW, stride, pad, outH, outW] (reused by the caller, so a call allocates nothing). */
static bool pl_geometry(napi_env env, napi_value v, pl_conv_geometry *g) {
  int32_t *a;
  size_t len;
  if (!pl_i32(env, v, &a, &len) || !pl_check(env, len == 10, "conv: the geometry must be an Int32Array of 10"))
    return false;
  *g = (pl_conv_geometry){a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]};
  bool ok = g->batch >= 0 && g->height >= 1 && g->width >= 1 && g->channels >= 1 && g->kernel_h >= 1 &&
            g->kernel_w >= 1 && g->stride >= 1 && g->pad >= 0;
  ok = ok && g->out_h >= 1 && g->out_w >= 1 &&
       (int64_t)g->out_h == ((int64_t)g->height + 2 * (int64_t)g->pad - g->kernel_h) / g->stride + 1 &&
       (int64_t)g->out_w == ((int64_t)g->width + 2 * (int64_t)g->pad - g->kernel_w) / g->stride + 1 &&
       g->height + 2 * (int64_t)g->pad >= g->kernel_h && g->width + 2 * (int64_t)g->pad >= g->kernel_w;
  return pl_check(env, ok, "conv: inconsistent geometry");
}

static size_t pl_in_len(const pl_conv_geometry *g) {
  return (size_t)g->batch * g->height * g->width * g->channels;
}

static size_t pl_out_len(const pl_conv_geometry *g) {
  return (size_t)g->batch * g->out_h * g->out_w * g->channels;
}

/* im2col(x, geometry, cols) and col2im(cols, geometry, dx) */
static napi_value js_im2col(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  pl_conv_geometry g;
  float *x, *cols;
  size_t lx, lc;
  if (!pl_args(env, info, 3, argv) || !pl_f32(env, argv[0], &x, &lx) || !pl_geometry(env, argv[1], &g) ||
      !pl_f32(env, argv[2], &cols, &lc) ||
      !pl_check(env, lx == pl_in_len(&g) && lc == pl_out_len(&g) * g.kernel_h * g.kernel_w, "im2col: lengths do not match the geometry"))
    return NULL;
  pl_im2col(&g, x, cols);
  return NULL;
}

static napi_value js_col2im(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  pl_conv_geometry g;
  float *cols, *dx;
  size_t lc, lx;
  if (!pl_args(env, info, 3, argv) || !pl_f32(env, argv[0], &cols, &lc) || !pl_geometry(env, argv[1], &g) ||
      !pl_f32(env, argv[2], &dx, &lx) ||
      !pl_check(env, lx == pl_in_len(&g) && lc == pl_out_len(&g) * g.kernel_h * g.kernel_w, "col2im: lengths do not match the geometry"))
    return NULL;
  pl_col2im(&g, cols, dx);
  return NULL;
}

/* maxPool(x, geometry, y, argmax) */
static napi_value js_max_pool(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  pl_conv_geometry g;
  float *x, *y;
  int32_t *a;
  size_t lx, ly, la;
  if (!pl_args(env, info, 4, argv) || !pl_f32(env, argv[0], &x, &lx) || !pl_geometry(env, argv[1], &g) ||
      !pl_f32(env, argv[2], &y, &ly) || !pl_i32(env, argv[3], &a, &la) ||
      !pl_check(env, lx == pl_in_len(&g) && lx <= INT32_MAX && ly == pl_out_len(&g) && la == ly && g.pad < g.kernel_h && g.pad < g.kernel_w,
                "maxPool: lengths do not match the geometry"))
    return NULL;
  pl_max_pool(&g, x, y, a);
  return NULL;
}

/* maxPoolBackward(dy, argmax, dx): argmax entries index dx, so they are range-checked here too. */
static napi_value js_max_pool_backward(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *dy, *dx;
  int32_t *a;
  size_t ld, la, lx;
  if (!pl_args(env, info, 3, argv) || !pl_f32(env, argv[0], &dy, &ld) || !pl_i32(env, argv[1], &a, &la) ||
      !pl_f32(env, argv[2], &dx, &lx) || !pl_check(env, la == ld, "maxPoolBackward: lengths do not match"))
    return NULL;
  pl_check(env, pl_max_pool_backward(ld, dy, a, dx, lx) == 0, "maxPoolBackward: an argmax index is outside dx");
  return NULL;
}

/* avgPool(x, geometry, y) and avgPoolBackward(dy, geometry, dx) */
static napi_value js_avg_pool(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  pl_conv_geometry g;
  float *x, *y;
  size_t lx, ly;
  if (!pl_args(env, info, 3, argv) || !pl_f32(env, argv[0], &x, &lx) || !pl_geometry(env, argv[1], &g) ||
      !pl_f32(env, argv[2], &y, &ly) ||
      !pl_check(env, lx == pl_in_len(&g) && ly == pl_out_len(&g), "avgPool: lengths do not match the geometry"))
    return NULL;
  pl_avg_pool(&g, x, y);
  return NULL;
}

static napi_value js_avg_pool_backward(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  pl_conv_geometry g;
  float *dy, *dx;
  size_t ld, lx;
  if (!pl_args(env, info, 3, argv) || !pl_f32(env, argv[0], &dy, &ld) || !pl_geometry(env, argv[1], &g) ||
      !pl_f32(env, argv[2], &dx, &lx) ||
      !pl_check(env, ld == pl_out_len(&g) && lx == pl_in_len(&g), "avgPoolBackward: lengths do not match the geometry"))
    return NULL;
  pl_avg_pool_backward(&g, dy, dx);
  return NULL;
}

/* ---- norm group (norm.c) ------------------------------------------------------------------ */

/* Reads `n` Float32Arrays from argv at the given indices. */
static bool pl_f32s(napi_env env, napi_value *argv, size_t n, const int *at, float **data, size_t *len) {
  for (size_t i = 0; i < n; i++)
    if (!pl_f32(env, argv[at[i]], &data[i], &len[i])) return false;
  return true;
}

static bool pl_norm_ok(napi_env env, int status) {
  if (status != 0) napi_throw_error(env, NULL, "pretrain-lab native: out of memory for normalisation scratch");
  return status == 0;
}

/* batchNormForward(x, channels, gamma, beta, eps, mean, invStd, y) */
static napi_value js_batch_norm_forward(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  static const int at[] = {0, 2, 3, 5, 6, 7};
  float *a[6];
  size_t l[6];
  int32_t ch;
  double eps;
  if (!pl_args(env, info, 8, argv) || !pl_int(env, argv[1], &ch) || !pl_num(env, argv[4], &eps) ||
      !pl_f32s(env, argv, 6, at, a, l))
    return NULL;
  size_t c = (size_t)ch;
  if (!pl_check(env, ch >= 1 && l[0] % c == 0 && l[5] == l[0] && l[1] == c && l[2] == c && l[3] == c && l[4] == c,
                "batchNormForward: lengths do not match the channels"))
    return NULL;
  pl_norm_ok(env, pl_batch_norm_forward(l[0] / c, c, a[0], a[1], a[2], eps, a[3], a[4], a[5]));
  return NULL;
}

/* channelAffine(x, channels, mean, invStd, gamma, beta, y) */
static napi_value js_channel_affine(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  static const int at[] = {0, 2, 3, 4, 5, 6};
  float *a[6];
  size_t l[6];
  int32_t ch;
  if (!pl_args(env, info, 7, argv) || !pl_int(env, argv[1], &ch) || !pl_f32s(env, argv, 6, at, a, l)) return NULL;
  size_t c = (size_t)ch;
  if (!pl_check(env, ch >= 1 && l[0] % c == 0 && l[5] == l[0] && l[1] == c && l[2] == c && l[3] == c && l[4] == c,
                "channelAffine: lengths do not match the channels"))
    return NULL;
  pl_norm_ok(env, pl_channel_affine(l[0] / c, c, a[0], a[1], a[2], a[3], a[4], a[5]));
  return NULL;
}

/* batchNormBackward(x, dy, channels, mean, invStd, gamma, dx, dgamma, dbeta) */
static napi_value js_batch_norm_backward(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  static const int at[] = {0, 1, 3, 4, 5, 6, 7, 8};
  float *a[8];
  size_t l[8];
  int32_t ch;
  if (!pl_args(env, info, 9, argv) || !pl_int(env, argv[2], &ch) || !pl_f32s(env, argv, 8, at, a, l)) return NULL;
  size_t c = (size_t)ch;
  if (!pl_check(env, ch >= 1 && l[0] % c == 0 && l[1] == l[0] && l[5] == l[0] && l[2] == c && l[3] == c && l[4] == c &&
                         l[6] == c && l[7] == c,
                "batchNormBackward: lengths do not match the channels"))
    return NULL;
  pl_norm_ok(env, pl_batch_norm_backward(l[0] / c, c, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]));
  return NULL;
}

/* groupNormForward(x, channels, groups, gamma, beta, eps, mean, invStd, y): batch = mean length / groups. */
static napi_value js_group_norm_forward(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  static const int at[] = {0, 3, 4, 6, 7, 8};
  float *a[6];
  size_t l[6];
  int32_t ch, gr;
  double eps;
  if (!pl_args(env, info, 9, argv) || !pl_int(env, argv[1], &ch) || !pl_int(env, argv[2], &gr) ||
      !pl_num(env, argv[5], &eps) || !pl_f32s(env, argv, 6, at, a, l))
    return NULL;
  size_t c = (size_t)ch, g = (size_t)gr;
  bool ok = ch >= 1 && gr >= 1 && c % g == 0 && l[1] == c && l[2] == c && l[3] % g == 0 && l[4] == l[3] && l[5] == l[0];
  size_t batch = ok ? l[3] / g : 0;
  ok = ok && (batch == 0 ? l[0] == 0 : l[0] % batch == 0 && (l[0] / batch) % c == 0);
  if (!pl_check(env, ok, "groupNormForward: lengths do not match the channels and groups")) return NULL;
  if (batch > 0) pl_norm_ok(env, pl_group_norm_forward(batch, l[0] / batch, c, g, a[0], a[1], a[2], eps, a[3], a[4], a[5]));
  return NULL;
}

/* groupNormBackward(x, dy, channels, groups, mean, invStd, gamma, dx, dgamma, dbeta): batch = mean length / groups. */
static napi_value js_group_norm_backward(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  static const int at[] = {0, 1, 4, 5, 6, 7, 8, 9};
  float *a[8];
  size_t l[8];
  int32_t ch, gr;
  if (!pl_args(env, info, 10, argv) || !pl_int(env, argv[2], &ch) || !pl_int(env, argv[3], &gr) ||
      !pl_f32s(env, argv, 8, at, a, l))
    return NULL;
  size_t c = (size_t)ch, g = (size_t)gr;
  bool ok = ch >= 1 && gr >= 1 && c % g == 0 && l[1] == l[0] && l[5] == l[0] && l[2] % g == 0 && l[3] == l[2] &&
            l[4] == c && l[6] == c && l[7] == c;
  size_t batch = ok ? l[2] / g : 0;
  ok = ok && (batch == 0 ? l[0] == 0 : l[0] % batch == 0 && (l[0] / batch) % c == 0);
  if (!pl_check(env, ok, "groupNormBackward: lengths do not match the channels and groups")) return NULL;
  size_t cols = batch == 0 ? 0 : l[0] / batch;
  pl_norm_ok(env, pl_group_norm_backward(batch, cols, c, g, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]));
  return NULL;
}

/* dropoutMask(u, keep, mask) */
static napi_value js_dropout_mask(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  float *u, *m;
  size_t lu, lm;
  double keep;
  if (!pl_args(env, info, 3, argv) || !pl_f32(env, argv[0], &u, &lu) || !pl_num(env, argv[1], &keep) ||
      !pl_f32(env, argv[2], &m, &lm) || !pl_check(env, lu == lm && keep > 0.0 && keep <= 1.0, "dropoutMask: lengths differ or keep is outside (0, 1]"))
    return NULL;
  pl_dropout_mask(lu, u, keep, m);
  return NULL;
}

static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  napi_value argv[PL_MAX_ARGS];
  int32_t n;
  if (!pl_args(env, info, 1, argv) || !pl_int(env, argv[0], &n) || !pl_check(env, n >= 1, "setThreads: n must be >= 1"))
    return NULL;
  pl_set_threads(n);
  return NULL;
}

static napi_value js_get_threads(napi_env env, napi_callback_info info) {
  napi_value out;
  napi_create_int32(env, pl_get_threads(), &out);
  return out;
}

static napi_value js_blas_config(napi_env env, napi_callback_info info) {
  napi_value out;
  napi_create_string_utf8(env, pl_blas_config(), NAPI_AUTO_LENGTH, &out);
  return out;
}

static napi_value js_blas_core_name(napi_env env, napi_callback_info info) {
  napi_value out;
  napi_create_string_utf8(env, pl_blas_core_name(), NAPI_AUTO_LENGTH, &out);
  return out;
}

/* The instruction-set extensions this file was compiled for: with FMA the compiler may fuse
 * a * b + c in the element-wise kernels, which changes their rounding (numeric variant). */
static const char PL_ISA[] = ""
#if defined(__x86_64__)
    "x86-64"
#elif defined(__aarch64__)
    "aarch64"
#else
    "other"
#endif
#if defined(__SSE4_2__)
    "+sse4.2"
#endif
#if defined(__AVX__)
    "+avx"
#endif
#if defined(__AVX2__)
    "+avx2"
#endif
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
    "+fma"
#endif
#if defined(__AVX512F__)
    "+avx512f"
#endif
    ;

static napi_value js_build_info(napi_env env, napi_callback_info info) {
  napi_value out, compiler, isa;
#if defined(__clang__)
  const char *cc = "clang " __clang_version__;
#elif defined(__GNUC__)
  const char *cc = "gcc " __VERSION__;
#else
  const char *cc = "unknown";
#endif
  napi_create_object(env, &out);
  napi_create_string_utf8(env, cc, NAPI_AUTO_LENGTH, &compiler);
  napi_create_string_utf8(env, PL_ISA, NAPI_AUTO_LENGTH, &isa);
  napi_set_named_property(env, out, "compiler", compiler);
  napi_set_named_property(env, out, "isa", isa);
  return out;
}

NAPI_MODULE_INIT() {
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
      {"gemm", js_gemm},
      {"axpy", js_axpy},
      {"scale", js_scale},
      {"add", js_add},
      {"sub", js_sub},
      {"mul", js_mul},
      {"where", js_where},
      {"addRowVector", js_add_row_vector},
      {"biasActivation", js_bias_activation},
      {"activation", js_activation},
      {"activationBackward", js_activation_backward},
      {"softplus", js_softplus},
      {"colSums", js_col_sums},
      {"rowSums", js_row_sums},
      {"sum", js_sum},
      {"sumSquares", js_sum_squares},
      {"sumAbs", js_sum_abs},
      {"signAxpy", js_sign_axpy},
      {"allFinite", js_all_finite},
      {"argmaxRows", js_argmax_rows},
      {"softmaxCrossEntropy", js_softmax_cross_entropy},
      {"binaryCrossEntropy", js_binary_cross_entropy},
      {"bernoulli", js_bernoulli},
      {"sgdUpdate", js_sgd_update},
      {"adamUpdate", js_adam_update},
      {"im2col", js_im2col},
      {"col2im", js_col2im},
      {"maxPool", js_max_pool},
      {"maxPoolBackward", js_max_pool_backward},
      {"avgPool", js_avg_pool},
      {"avgPoolBackward", js_avg_pool_backward},
      {"batchNormForward", js_batch_norm_forward},
      {"channelAffine", js_channel_affine},
      {"batchNormBackward", js_batch_norm_backward},
      {"groupNormForward", js_group_norm_forward},
      {"groupNormBackward", js_group_norm_backward},
      {"dropoutMask", js_dropout_mask},
      {"setThreads", js_set_threads},
      {"getThreads", js_get_threads},
      {"blasConfig", js_blas_config},
      {"blasCoreName", js_blas_core_name},
      {"buildInfo", js_build_info},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, fn) != napi_ok)
      return NULL;
  }
  /* One BLAS thread unless asked otherwise: a sweep runs one trial per core. */
  pl_set_threads(1);
  return exports;
}
