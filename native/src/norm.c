/*
 * Normalisation and dropout kernels (the semantics of src/backends/reference/norm.ts):
 * batch normalisation over the channels of a [rows, C] view (Ioffe & Szegedy 2015), its
 * per-channel affine map (evaluation mode), group normalisation over [batch, S * C] NHWC rows
 * (Wu & He 2018; layer normalisation is one group), and inverted dropout's mask.
 *
 * Statistics accumulate in double in one pass, shifted by a sample K of the same channel or group
 * (the first one): sums of d = x - K and d^2, mean = K + E[d], var = E[d^2] - E[d]^2. The shift
 * keeps E[d]^2 of the order of the variance, so the subtraction does not cancel when |mean| >>
 * std (the shifted-data algorithm). mean and invStd are stored as floats and the output pass uses
 * the stored values, like the reference. Backward passes keep the reference's factored form
 * `scale * (dy' - mean(dy') - xh mean(dy' xh))`, so a vanishing gradient stays zero. Every kernel
 * reads its inputs at most twice (a statistics pass and an output pass) and allocates nothing
 * after its first call: per-channel accumulators live in a thread-local scratch block that only
 * grows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#define PL_NORM_LANES 4

static _Thread_local double *pl_norm_scratch = NULL;
static _Thread_local size_t pl_norm_scratch_len = 0;

/* At least n doubles of scratch (contents undefined); NULL only if malloc fails. */
static double *pl_norm_doubles(size_t n) {
  if (n > pl_norm_scratch_len) {
    size_t len = n + n / 4 + 16;
    double *p = realloc(pl_norm_scratch, len * sizeof(double));
    if (p == NULL) return NULL;
    pl_norm_scratch = p;
    pl_norm_scratch_len = len;
  }
  return pl_norm_scratch;
}

/* y[r, c] <- (x[r, c] - mean[c]) * k[c] + beta[c]; y may alias x. */
static void pl_affine_rows(size_t rows, size_t channels, const float *x, const float *mean, const float *k,
                           const float *beta, float *y) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * channels;
    float *yr = y + r * channels;
    for (size_t c = 0; c < channels; c++) yr[c] = (xr[c] - mean[c]) * k[c] + beta[c];
  }
}

/* Shifted moments of the columns of a [rows, channels] block: s1[c] += sum_r (x - shift[c]),
 * s2[c] += sum_r (x - shift[c])^2 (accumulated into). */
static void pl_channel_moments(size_t rows, size_t channels, const float *x, const double *shift, double *s1,
                               double *s2) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * channels;
    for (size_t c = 0; c < channels; c++) {
      double d = (double)xr[c] - shift[c];
      s1[c] += d;
      s2[c] += d * d;
    }
  }
}

/* The backward sums of a [rows, channels] block: s1[c] += sum_r dy, s2[c] += sum_r dy (x - mean[c]). */
static void pl_channel_grad_sums(size_t rows, size_t channels, const float *x, const float *dy, const float *mean,
                                 double *s1, double *s2) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * channels, *dr = dy + r * channels;
    for (size_t c = 0; c < channels; c++) {
      double d = dr[c];
      s1[c] += d;
      s2[c] += d * (double)(xr[c] - mean[c]);
    }
  }
}

int pl_batch_norm_forward(size_t rows, size_t channels, const float *x, const float *gamma, const float *beta,
                          double eps, float *mean, float *inv_std, float *y) {
  double *s1 = pl_norm_doubles(4 * channels);
  if (s1 == NULL) return -1;
  double *s2 = s1 + channels, *shift = s2 + channels;
  float *k = (float *)(shift + channels);
  memset(s1, 0, 2 * channels * sizeof(double));
  for (size_t c = 0; c < channels; c++) shift[c] = rows > 0 ? x[c] : 0.0;
  pl_channel_moments(rows, channels, x, shift, s1, s2);
  double inv = 1.0 / (double)rows;
  for (size_t c = 0; c < channels; c++) {
    double md = s1[c] * inv;
    double var = s2[c] * inv - md * md;
    if (var < 0.0) var = 0.0;
    float is = (float)(1.0 / sqrt(var + eps));
    mean[c] = (float)(shift[c] + md);
    inv_std[c] = is;
    k[c] = gamma[c] * is;
  }
  pl_affine_rows(rows, channels, x, mean, k, beta, y);
  return 0;
}

int pl_channel_affine(size_t rows, size_t channels, const float *x, const float *mean, const float *inv_std,
                      const float *gamma, const float *beta, float *y) {
  float *k = (float *)pl_norm_doubles(channels / 2 + 1);
  if (k == NULL) return -1;
  for (size_t c = 0; c < channels; c++) k[c] = gamma[c] * inv_std[c];
  pl_affine_rows(rows, channels, x, mean, k, beta, y);
  return 0;
}

int pl_batch_norm_backward(size_t rows, size_t channels, const float *x, const float *dy, const float *mean,
                           const float *inv_std, const float *gamma, float *dx, float *dgamma, float *dbeta) {
  /* s1 = sum dy, s2 = sum dy (x - mean); then dx = k (dy - b - xh a) with k = gamma invStd,
   * b = dbeta / rows, a = dgamma / rows, xh = (x - mean) invStd. */
  double *s1 = pl_norm_doubles(2 * channels + (3 * channels + 1) / 2);
  if (s1 == NULL) return -1;
  double *s2 = s1 + channels;
  float *k = (float *)(s2 + channels), *b = k + channels, *a = b + channels;
  memset(s1, 0, 2 * channels * sizeof(double));
  pl_channel_grad_sums(rows, channels, x, dy, mean, s1, s2);
  double n = (double)rows;
  for (size_t c = 0; c < channels; c++) {
    double is = inv_std[c], ga = gamma[c];
    double db = s1[c], dg = s2[c] * is;
    dbeta[c] = (float)db;
    dgamma[c] = (float)dg;
    k[c] = (float)(ga * is);
    b[c] = (float)(db / n);
    a[c] = (float)(dg / n);
  }
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * channels, *dr = dy + r * channels;
    float *o = dx + r * channels;
    for (size_t c = 0; c < channels; c++) o[c] = k[c] * ((dr[c] - b[c]) - ((xr[c] - mean[c]) * inv_std[c]) * a[c]);
  }
  return 0;
}

/* Group norm, group by group: each (example, group) reads its S runs of C / groups contiguous numbers.
 * Best when the runs are long (dense layers: S = 1; or many channels per group). */
static void pl_group_norm_forward_runs(size_t batch, size_t cols, size_t channels, size_t groups, const float *x,
                                       const float *gamma, const float *beta, double eps, float *mean, float *inv_std,
                                       float *y) {
  size_t per = channels / groups, spatial = cols / channels;
  double inv = 1.0 / ((double)spatial * (double)per);
  for (size_t n = 0; n < batch; n++) {
    const float *xn = x + n * cols;
    float *yn = y + n * cols;
    for (size_t g = 0; g < groups; g++) {
      size_t c0 = g * per;
      /* four independent accumulators per sum, so the loop is not one long dependency chain */
      double as[PL_NORM_LANES] = {0}, aq[PL_NORM_LANES] = {0};
      double sum = 0.0, sq = 0.0, shift = xn[c0];
      for (size_t s = 0; s < spatial; s++) {
        const float *p = xn + s * channels + c0;
        size_t k = 0;
        for (; k + PL_NORM_LANES <= per; k += PL_NORM_LANES) {
          for (int l = 0; l < PL_NORM_LANES; l++) {
            double d = (double)p[k + l] - shift;
            as[l] += d;
            aq[l] += d * d;
          }
        }
        for (; k < per; k++) {
          double d = (double)p[k] - shift;
          sum += d;
          sq += d * d;
        }
      }
      for (int l = 0; l < PL_NORM_LANES; l++) {
        sum += as[l];
        sq += aq[l];
      }
      double md = sum * inv;
      double var = sq * inv - md * md;
      if (var < 0.0) var = 0.0;
      float mu = (float)(shift + md), is = (float)(1.0 / sqrt(var + eps));
      mean[n * groups + g] = mu;
      inv_std[n * groups + g] = is;
      const float *gg = gamma + c0, *bg = beta + c0;
      for (size_t s = 0; s < spatial; s++) {
        const float *px = xn + s * channels + c0;
        float *py = yn + s * channels + c0;
        for (size_t k = 0; k < per; k++) py[k] = (px[k] - mu) * is * gg[k] + bg[k];
      }
    }
  }
}

static void pl_group_norm_backward_runs(size_t batch, size_t cols, size_t channels, size_t groups, const float *x,
                                        const float *dy, const float *mean, const float *inv_std, const float *gamma,
                                        float *dx, double *dg, double *db) {
  size_t per = channels / groups, spatial = cols / channels;
  double m = (double)spatial * (double)per;
  for (size_t n = 0; n < batch; n++) {
    const float *xn = x + n * cols, *dn = dy + n * cols;
    float *on = dx + n * cols;
    for (size_t g = 0; g < groups; g++) {
      size_t c0 = g * per;
      float mu = mean[n * groups + g], is = inv_std[n * groups + g];
      /* sum dxh and sum dxh xh with dxh = dy gamma; dgamma, dbeta per channel. */
      double s1 = 0.0, s2 = 0.0, l1[PL_NORM_LANES] = {0}, l2[PL_NORM_LANES] = {0};
      const float *gg = gamma + c0;
      double *dgg = dg + c0, *dbg = db + c0;
      for (size_t s = 0; s < spatial; s++) {
        const float *px = xn + s * channels + c0, *pd = dn + s * channels + c0;
        size_t k = 0;
        for (; k + PL_NORM_LANES <= per; k += PL_NORM_LANES) {
          for (int l = 0; l < PL_NORM_LANES; l++) {
            double xh = (double)((px[k + l] - mu) * is), d = pd[k + l], dxh = d * (double)gg[k + l];
            dgg[k + l] += d * xh;
            dbg[k + l] += d;
            l1[l] += dxh;
            l2[l] += dxh * xh;
          }
        }
        for (; k < per; k++) {
          double xh = (double)((px[k] - mu) * is), d = pd[k], dxh = d * (double)gg[k];
          dgg[k] += d * xh;
          dbg[k] += d;
          s1 += dxh;
          s2 += dxh * xh;
        }
      }
      for (int l = 0; l < PL_NORM_LANES; l++) {
        s1 += l1[l];
        s2 += l2[l];
      }
      /* dx = (is / m) (m dxh - s1 - xh s2) = is (dxh - b - xh a), b = s1 / m, a = s2 / m */
      float b = (float)(s1 / m), a = (float)(s2 / m);
      for (size_t s = 0; s < spatial; s++) {
        const float *px = xn + s * channels + c0, *pd = dn + s * channels + c0;
        float *po = on + s * channels + c0;
        for (size_t k = 0; k < per; k++) po[k] = is * ((gg[k] * pd[k] - b) - ((px[k] - mu) * is) * a);
      }
    }
  }
}

/* Group norm, example by example over the [S, C] block as batch norm walks its rows: per-channel
 * sums (vectorised across channels) combined into group sums, then one per-channel affine pass.
 * Best for conv maps with few channels per group, where a group's runs are short. */
static void pl_group_norm_forward_channels(size_t batch, size_t cols, size_t channels, size_t groups,
                                           const float *x, const float *gamma, const float *beta, double eps,
                                           float *mean, float *inv_std, float *y, double *scratch) {
  size_t per = channels / groups, spatial = cols / channels;
  double inv = 1.0 / ((double)spatial * (double)per);
  double *s1 = scratch, *s2 = s1 + channels, *shift = s2 + channels;
  float *mc = (float *)(shift + channels), *kc = mc + channels;
  for (size_t n = 0; n < batch; n++) {
    const float *xn = x + n * cols;
    for (size_t c = 0; c < channels; c++) shift[c] = xn[c - c % per]; /* the group's first number */
    memset(s1, 0, 2 * channels * sizeof(double));
    pl_channel_moments(spatial, channels, xn, shift, s1, s2);
    for (size_t g = 0; g < groups; g++) {
      size_t c0 = g * per;
      double sum = 0.0, sq = 0.0;
      for (size_t k = 0; k < per; k++) {
        sum += s1[c0 + k];
        sq += s2[c0 + k];
      }
      double md = sum * inv, var = sq * inv - md * md;
      if (var < 0.0) var = 0.0;
      float mu = (float)(shift[c0] + md), is = (float)(1.0 / sqrt(var + eps));
      mean[n * groups + g] = mu;
      inv_std[n * groups + g] = is;
      for (size_t k = 0; k < per; k++) {
        mc[c0 + k] = mu;
        kc[c0 + k] = is * gamma[c0 + k];
      }
    }
    pl_affine_rows(spatial, channels, xn, mc, kc, beta, y + n * cols);
  }
}

static void pl_group_norm_backward_channels(size_t batch, size_t cols, size_t channels, size_t groups,
                                            const float *x, const float *dy, const float *mean, const float *inv_std,
                                            const float *gamma, float *dx, double *dg, double *db, double *scratch) {
  size_t per = channels / groups, spatial = cols / channels;
  double m = (double)spatial * (double)per;
  double *t1 = scratch, *t2 = t1 + channels;
  float *mc = (float *)(t2 + channels), *ic = mc + channels, *bc = ic + channels, *ac = bc + channels;
  for (size_t n = 0; n < batch; n++) {
    const float *xn = x + n * cols, *dn = dy + n * cols;
    for (size_t c = 0; c < channels; c++) {
      mc[c] = mean[n * groups + c / per];
      ic[c] = inv_std[n * groups + c / per];
    }
    memset(t1, 0, 2 * channels * sizeof(double));
    pl_channel_grad_sums(spatial, channels, xn, dn, mc, t1, t2); /* t1 = sum dy, t2 = sum dy (x - mu) */
    for (size_t g = 0; g < groups; g++) {
      size_t c0 = g * per;
      double is = ic[c0], s1 = 0.0, s2 = 0.0; /* sum dxh, sum dxh xh with dxh = dy gamma */
      for (size_t k = 0; k < per; k++) {
        size_t c = c0 + k;
        db[c] += t1[c];
        dg[c] += t2[c] * is;
        s1 += gamma[c] * t1[c];
        s2 += gamma[c] * t2[c] * is;
      }
      float b = (float)(s1 / m), a = (float)(s2 / m);
      for (size_t k = 0; k < per; k++) {
        bc[c0 + k] = b;
        ac[c0 + k] = a;
      }
    }
    /* dx = is (dy gamma - b - xh a), xh = (x - mu) is */
    for (size_t s = 0; s < spatial; s++) {
      const float *xr = xn + s * channels, *dr = dn + s * channels;
      float *o = dx + n * cols + s * channels;
      for (size_t c = 0; c < channels; c++) o[c] = ic[c] * ((gamma[c] * dr[c] - bc[c]) - ((xr[c] - mc[c]) * ic[c]) * ac[c]);
    }
  }
}

/* Long runs (a dense layer, or many channels per group) go group by group, else channel-wise. */
static int pl_group_runs(size_t spatial, size_t per) { return spatial == 1 || per >= 16; }

int pl_group_norm_forward(size_t batch, size_t cols, size_t channels, size_t groups, const float *x,
                          const float *gamma, const float *beta, double eps, float *mean, float *inv_std, float *y) {
  size_t spatial = cols / channels;
  if (pl_group_runs(spatial, channels / groups)) {
    pl_group_norm_forward_runs(batch, cols, channels, groups, x, gamma, beta, eps, mean, inv_std, y);
    return 0;
  }
  double *scratch = pl_norm_doubles(4 * channels);
  if (scratch == NULL) return -1;
  pl_group_norm_forward_channels(batch, cols, channels, groups, x, gamma, beta, eps, mean, inv_std, y, scratch);
  return 0;
}

int pl_group_norm_backward(size_t batch, size_t cols, size_t channels, size_t groups, const float *x, const float *dy,
                           const float *mean, const float *inv_std, const float *gamma, float *dx, float *dgamma,
                           float *dbeta) {
  double *dg = pl_norm_doubles(6 * channels);
  if (dg == NULL) return -1;
  double *db = dg + channels;
  memset(dg, 0, 2 * channels * sizeof(double));
  if (pl_group_runs(cols / channels, channels / groups)) {
    pl_group_norm_backward_runs(batch, cols, channels, groups, x, dy, mean, inv_std, gamma, dx, dg, db);
  } else {
    pl_group_norm_backward_channels(batch, cols, channels, groups, x, dy, mean, inv_std, gamma, dx, dg, db, db + channels);
  }
  for (size_t c = 0; c < channels; c++) {
    dgamma[c] = (float)dg[c];
    dbeta[c] = (float)db[c];
  }
  return 0;
}

void pl_dropout_mask(size_t len, const float *u, double keep, float *mask) {
  /* t: the smallest float >= keep, so for float u, u < keep exactly when u < t. */
  float t = (float)keep;
  if ((double)t < keep) t = nextafterf(t, INFINITY);
  float scale = (float)(1.0 / keep);
  for (size_t i = 0; i < len; i++) mask[i] = u[i] < t ? scale : 0.0f;
}
