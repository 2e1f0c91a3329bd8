/*
 * Reductions. Sums accumulate in double like the reference; 8 independent accumulators
 * (or a block of column accumulators) let GCC vectorise without reassociating float math.
 */
#include <math.h>

#include "kernels.h"

#define PL_LANES 8
#define PL_COL_BLOCK 512

void pl_col_sums(size_t rows, size_t cols, const float *x, float *out, double alpha, double beta) {
  double acc[PL_COL_BLOCK];
  for (size_t j0 = 0; j0 < cols; j0 += PL_COL_BLOCK) {
    size_t w = cols - j0 < PL_COL_BLOCK ? cols - j0 : PL_COL_BLOCK;
    for (size_t j = 0; j < w; j++) acc[j] = 0.0;
    for (size_t r = 0; r < rows; r++) {
      const float *xr = x + r * cols + j0;
      for (size_t j = 0; j < w; j++) acc[j] += xr[j];
    }
    float *o = out + j0;
    if (beta == 0.0) {
      for (size_t j = 0; j < w; j++) o[j] = (float)(alpha * acc[j]);
    } else {
      for (size_t j = 0; j < w; j++) o[j] = (float)(alpha * acc[j] + beta * o[j]);
    }
  }
}

/* A lane-parallel double sum of g(x[i]); the tail is added in order. */
#define PL_LANE_SUM(G)                                               \
  double acc[PL_LANES] = {0};                                        \
  size_t i = 0;                                                      \
  for (; i + PL_LANES <= len; i += PL_LANES) {                       \
    for (int l = 0; l < PL_LANES; l++) {                             \
      double v = x[i + l];                                           \
      acc[l] += (G);                                                 \
    }                                                                \
  }                                                                  \
  double s = 0.0;                                                    \
  for (int l = 0; l < PL_LANES; l++) s += acc[l];                    \
  for (; i < len; i++) {                                             \
    double v = x[i];                                                 \
    s += (G);                                                        \
  }                                                                  \
  return s;

double pl_sum(size_t len, const float *x) { PL_LANE_SUM(v) }

double pl_sum_squares(size_t len, const float *x) { PL_LANE_SUM(v * v) }

double pl_sum_abs(size_t len, const float *x) { PL_LANE_SUM(fabs(v)) }

static double pl_row_sum(size_t len, const float *x) { PL_LANE_SUM(v) }

void pl_row_sums(size_t rows, size_t cols, const float *x, float *out) {
  for (size_t r = 0; r < rows; r++) out[r] = (float)pl_row_sum(cols, x + r * cols);
}

/* x - x is 0 for every finite x and NaN for +-Infinity and NaN; checked in blocks so a
 * non-finite value stops the scan early. */
int pl_all_finite(size_t len, const float *x) {
  const size_t block = 4096;
  for (size_t i0 = 0; i0 < len; i0 += block) {
    size_t end = len - i0 < block ? len : i0 + block;
    int bad = 0;
    for (size_t i = i0; i < end; i++) bad |= (x[i] - x[i]) != 0.0f;
    if (bad) return 0;
  }
  return 1;
}

/* First maximum wins; NaN never compares greater, as in the reference. */
void pl_argmax_rows(size_t rows, size_t cols, const float *x, int32_t *out) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    size_t best = 0;
    for (size_t j = 1; j < cols; j++) {
      if (xr[j] > xr[best]) best = j;
    }
    out[r] = (int32_t)best;
  }
}
