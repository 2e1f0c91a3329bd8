/*
 * The C kernels of the `native` backend, one per entry of src/tensor/kernels.ts, with the
 * semantics of the reference backend (src/backends/reference/index.ts). Shapes are checked
 * in TypeScript before these are called; lengths here are element counts.
 */
#ifndef PRETRAIN_LAB_KERNELS_H
#define PRETRAIN_LAB_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Activation codes, in the order of ACTIVATIONS in src/tensor/kernels.ts. */
enum pl_activation { PL_IDENTITY = 0, PL_SIGMOID = 1, PL_TANH = 2, PL_RELU = 3 };

/* gemm.c: C[m,n] <- alpha op(A) op(B) + beta C, row-major; beta = 0 never reads C. */
void pl_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, const float *b,
             float beta, float *c);
void pl_set_threads(int n);
int pl_get_threads(void);
const char *pl_blas_config(void);
/* The kernel set OpenBLAS chose at load time (DYNAMIC_ARCH), e.g. "Haswell"; OPENBLAS_CORETYPE pins it. */
const char *pl_blas_core_name(void);

/* elementwise.c (out may alias inputs where kernels.ts allows it) */
void pl_axpy(size_t len, float alpha, const float *x, float *y);
void pl_scale(size_t len, float alpha, float *x);
void pl_add(size_t len, const float *a, const float *b, float *out);
void pl_sub(size_t len, const float *a, const float *b, float *out);
void pl_mul(size_t len, const float *a, const float *b, float *out);
void pl_where(size_t len, const float *mask, const float *a, const float *b, float *out);
void pl_sign_axpy(size_t len, float alpha, const float *x, float *y);
void pl_bernoulli(size_t len, const float *p, const float *u, float *out);
void pl_add_row_vector(size_t rows, size_t cols, const float *x, const float *bias, float *out);
void pl_bias_activation(int f, size_t rows, size_t cols, const float *x, const float *bias, float *out);
void pl_activation(int f, size_t len, const float *x, float *out);
void pl_activation_backward(int f, size_t len, const float *y, const float *dy, float *out);
void pl_softplus(size_t len, const float *x, float *out);
void pl_sgd_update(size_t len, float *param, const float *grad, float *velocity, float lr, float momentum,
                   float l2);

/* adam.c: one Adam / AdamW step; scalars pre-combined by the caller (omb = 1 - beta, step_size = lr / c1,
 * inv_sqrt_c2 = 1 / sqrt(c2), lr_decay = lr * decay). */
void pl_adam_update(size_t len, float *param, const float *grad, float *m, float *v, float beta1, float omb1,
                    float beta2, float omb2, float eps, float step_size, float inv_sqrt_c2, float l2, float lr_decay);

/* reduce.c (sums accumulate in double, like the reference) */
void pl_col_sums(size_t rows, size_t cols, const float *x, float *out, double alpha, double beta);
void pl_row_sums(size_t rows, size_t cols, const float *x, float *out);
double pl_sum(size_t len, const float *x);
double pl_sum_squares(size_t len, const float *x);
double pl_sum_abs(size_t len, const float *x);
int pl_all_finite(size_t len, const float *x);
void pl_argmax_rows(size_t rows, size_t cols, const float *x, int32_t *out);

/* losses.c */
double pl_softmax_cross_entropy(size_t rows, size_t cols, const float *logits, const int32_t *labels, float *probs,
                                float *grad, double scale);
double pl_binary_cross_entropy(size_t len, const float *target, const float *p);

/* conv.c: NHWC convolution and pooling (src/backends/reference/conv.ts). The geometry's fields
 * are those of ConvGeometry in src/tensor/kernels.ts; addon.c validates it and the lengths. */
typedef struct {
  int batch, height, width, channels, kernel_h, kernel_w, stride, pad, out_h, out_w;
} pl_conv_geometry;
void pl_im2col(const pl_conv_geometry *g, const float *x, float *cols);
void pl_col2im(const pl_conv_geometry *g, const float *cols, float *dx);
void pl_max_pool(const pl_conv_geometry *g, const float *x, float *y, int32_t *argmax);
/* Returns how many argmax entries fell outside [0, dx_len) (those are skipped). */
size_t pl_max_pool_backward(size_t len, const float *dy, const int32_t *argmax, float *dx, size_t dx_len);
void pl_avg_pool(const pl_conv_geometry *g, const float *x, float *y);
void pl_avg_pool_backward(const pl_conv_geometry *g, const float *dy, float *dx);
/* norm.c: batch norm over x viewed as [rows, channels]; group norm over [batch, cols = S * channels]
 * rows. Statistics accumulate in double. The int kernels return -1 when their scratch cannot be
 * allocated, else 0. Outputs may alias inputs where kernels.ts allows it (y = x, dx = dy). */
int pl_batch_norm_forward(size_t rows, size_t channels, const float *x, const float *gamma, const float *beta,
                          double eps, float *mean, float *inv_std, float *y);
int pl_channel_affine(size_t rows, size_t channels, const float *x, const float *mean, const float *inv_std,
                      const float *gamma, const float *beta, float *y);
int pl_batch_norm_backward(size_t rows, size_t channels, const float *x, const float *dy, const float *mean,
                           const float *inv_std, const float *gamma, float *dx, float *dgamma, float *dbeta);
int pl_group_norm_forward(size_t batch, size_t cols, size_t channels, size_t groups, const float *x,
                          const float *gamma, const float *beta, double eps, float *mean, float *inv_std, float *y);
int pl_group_norm_backward(size_t batch, size_t cols, size_t channels, size_t groups, const float *x, const float *dy,
                           const float *mean, const float *inv_std, const float *gamma, float *dx, float *dgamma,
                           float *dbeta);
void pl_dropout_mask(size_t len, const float *u, double keep, float *mask);

#endif
