/*
 * GEMM through OpenBLAS (cblas_sgemm), with M = 1 or N = 1 (batch-1 forward and backward)
 * routed to cblas_sgemv, which streams the matrix once without packing it (0.044 vs
 * 0.063 ms for [1, 784] x [784, 1000] here). K = 1 (a batch-1 weight gradient) stays with sgemm: its
 * AVX-512 outer product beat a plain C loop 2x here; except K = 1 with beta = 1 (the fused SGD
 * update W <- W - lr x^T dy), which is exactly cblas_sger (C += alpha x y^T, one pass over C).
 * Threads: OpenBLAS is set to one thread when the addon loads (a sweep runs one trial per
 * core); pl_set_threads opts in to more.
 */
#include <cblas.h>
#include <string.h>

#include "kernels.h"

/* C <- beta C for K = 0 (no products), without reading C when beta = 0. */
static void pl_scale_c(size_t len, float beta, float *c) {
  if (beta == 0.0f) {
    memset(c, 0, len * sizeof *c);
  } else if (beta != 1.0f) {
    for (size_t i = 0; i < len; i++) c[i] = beta * c[i];
  }
}

/* y <- alpha op(A) x + beta y via sgemv; for beta = 0, y is zeroed first so it is never read. */
static void pl_gemv(int trans, int rows, int cols, float alpha, const float *a, const float *x, float beta, float *y,
                    int leny) {
  if (beta == 0.0f) {
    memset(y, 0, (size_t)leny * sizeof *y);
    beta = 1.0f;
  }
  cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, rows, cols, alpha, a, cols, x, 1, beta, y, 1);
}

void pl_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, const float *b, float beta,
             float *c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    pl_scale_c((size_t)m * n, beta, c);
  } else if (k == 1 && beta == 1.0f) {
    /* x = op(A)[:, 0] and y = op(B)[0, :] are contiguous whatever the transposes (K = 1). */
    cblas_sger(CblasRowMajor, m, n, alpha, a, 1, b, 1, c, n);
  } else if (m == 1) {
    /* C^T [N] = op(B)^T [N, K] a [K]: op(B) = B [K, N] needs B^T; op(B) = B^T means B [N, K]. */
    if (trans_b) pl_gemv(0, n, k, alpha, b, a, beta, c, n);
    else pl_gemv(1, k, n, alpha, b, a, beta, c, n);
  } else if (n == 1) {
    /* C [M] = op(A) [M, K] b [K]: A [M, K] as is, or A [K, M] transposed. */
    if (trans_a) pl_gemv(1, k, m, alpha, a, b, beta, c, m);
    else pl_gemv(0, m, k, alpha, a, b, beta, c, m);
  } else {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, a, trans_a ? m : k, b, trans_b ? k : n, beta, c, n);
  }
}

void pl_set_threads(int n) { openblas_set_num_threads(n); }

int pl_get_threads(void) { return openblas_get_num_threads(); }

const char *pl_blas_config(void) { return openblas_get_config(); }

const char *pl_blas_core_name(void) { return openblas_get_corename(); }
