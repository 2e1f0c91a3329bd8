/*
 * Convolution (im2col / col2im) and pooling over NHWC images, with the semantics of
 * src/backends/reference/conv.ts. The layout makes every kernel a walk over contiguous runs:
 * the pixels (ix .. ix + n - 1) of one image row are n * C consecutive floats, so one window row
 * of im2col is a single copy of up to kernelW * C floats (zero-filled where it falls in the
 * padding), col2im adds the same runs back, and pooling processes all C channels of a pixel as one
 * vectorisable vector. Accumulation order per element matches the reference (output rows in order,
 * window in (ky, kx) order), so im2col, col2im, maxPool and maxPoolBackward agree with it bit for bit.
 * Lengths and geometry were checked by addon.c (and, with messages, in TypeScript).
 */
#include <string.h>

#include "kernels.h"

/* The valid kx range [*kx0, *kx1) of a window whose first column is x0 (may be negative), on an
 * image of width w; empty (kx1 <= kx0) when the window lies entirely in the padding. */
static inline void pl_kx_range(int x0, int kernel_w, int w, int *kx0, int *kx1) {
  int lo = x0 < 0 ? -x0 : 0;
  int hi = w - x0 < kernel_w ? w - x0 : kernel_w;
  *kx0 = lo;
  *kx1 = hi;
}

/* d[0..n) <- s[0..n); short runs (single-channel images) as a loop, long ones through memcpy. */
static inline void pl_copy_run(float *restrict d, const float *restrict s, size_t n) {
  if (n >= 64) {
    memcpy(d, s, n * sizeof(float));
    return;
  }
  for (size_t i = 0; i < n; i++) d[i] = s[i];
}

void pl_im2col(const pl_conv_geometry *g, const float *restrict x, float *restrict cols) {
  const size_t C = (size_t)g->channels, H = (size_t)g->height, W = (size_t)g->width;
  const size_t run = (size_t)g->kernel_w * C, K = (size_t)g->kernel_h * run;
  float *dst = cols;
  for (int n = 0; n < g->batch; n++) {
    const float *xn = x + (size_t)n * H * W * C;
    for (int oy = 0; oy < g->out_h; oy++) {
      const int y0 = oy * g->stride - g->pad;
      for (int ox = 0; ox < g->out_w; ox++, dst += K) {
        const int x0 = ox * g->stride - g->pad;
        int kx0, kx1;
        pl_kx_range(x0, g->kernel_w, g->width, &kx0, &kx1);
        for (int ky = 0; ky < g->kernel_h; ky++) {
          float *d = dst + (size_t)ky * run;
          const int iy = y0 + ky;
          if (iy < 0 || iy >= g->height || kx1 <= kx0) {
            memset(d, 0, run * sizeof(float));
            continue;
          }
          if (kx0 > 0) memset(d, 0, (size_t)kx0 * C * sizeof(float));
          pl_copy_run(d + (size_t)kx0 * C, xn + ((size_t)iy * W + (size_t)(x0 + kx0)) * C, (size_t)(kx1 - kx0) * C);
          if (kx1 < g->kernel_w) memset(d + (size_t)kx1 * C, 0, (size_t)(g->kernel_w - kx1) * C * sizeof(float));
        }
      }
    }
  }
}

void pl_col2im(const pl_conv_geometry *g, const float *restrict cols, float *restrict dx) {
  const size_t C = (size_t)g->channels, H = (size_t)g->height, W = (size_t)g->width;
  const size_t run = (size_t)g->kernel_w * C, K = (size_t)g->kernel_h * run;
  memset(dx, 0, (size_t)g->batch * H * W * C * sizeof(float));
  const float *src = cols;
  for (int n = 0; n < g->batch; n++) {
    float *xn = dx + (size_t)n * H * W * C;
    for (int oy = 0; oy < g->out_h; oy++) {
      const int y0 = oy * g->stride - g->pad;
      for (int ox = 0; ox < g->out_w; ox++, src += K) {
        const int x0 = ox * g->stride - g->pad;
        int kx0, kx1;
        pl_kx_range(x0, g->kernel_w, g->width, &kx0, &kx1);
        if (kx1 <= kx0) continue;
        const size_t len = (size_t)(kx1 - kx0) * C;
        for (int ky = 0; ky < g->kernel_h; ky++) {
          const int iy = y0 + ky;
          if (iy < 0 || iy >= g->height) continue;
          const float *restrict s = src + (size_t)ky * run + (size_t)kx0 * C;
          float *restrict d = xn + ((size_t)iy * W + (size_t)(x0 + kx0)) * C;
          for (size_t i = 0; i < len; i++) d[i] += s[i];
        }
      }
    }
  }
}

void pl_max_pool(const pl_conv_geometry *g, const float *restrict x, float *restrict y, int32_t *restrict argmax) {
  const size_t C = (size_t)g->channels, H = (size_t)g->height, W = (size_t)g->width;
  float *yo = y;
  int32_t *ao = argmax;
  for (int n = 0; n < g->batch; n++) {
    const size_t xn = (size_t)n * H * W;
    for (int oy = 0; oy < g->out_h; oy++) {
      const int y0 = oy * g->stride - g->pad;
      for (int ox = 0; ox < g->out_w; ox++, yo += C, ao += C) {
        const int x0 = ox * g->stride - g->pad;
        int kx0, kx1;
        pl_kx_range(x0, g->kernel_w, g->width, &kx0, &kx1);
        int first = 1;
        for (int ky = 0; ky < g->kernel_h; ky++) {
          const int iy = y0 + ky;
          if (iy < 0 || iy >= g->height) continue;
          for (int kx = kx0; kx < kx1; kx++) {
            const size_t base = (xn + (size_t)iy * W + (size_t)(x0 + kx)) * C;
            const float *restrict xp = x + base;
            const int32_t b = (int32_t)base;
            if (first) {
              for (size_t c = 0; c < C; c++) {
                yo[c] = xp[c];
                ao[c] = b + (int32_t)c;
              }
              first = 0;
              continue;
            }
            /* Strictly greater replaces: on ties the first position in (ky, kx) order wins. */
            for (size_t c = 0; c < C; c++) {
              const float v = xp[c], best = yo[c];
              const int32_t gt = -(int32_t)(v > best); /* all ones where v wins */
              yo[c] = v > best ? v : best;
              ao[c] = (ao[c] & ~gt) | ((b + (int32_t)c) & gt);
            }
          }
        }
      }
    }
  }
}

size_t pl_max_pool_backward(size_t len, const float *restrict dy, const int32_t *restrict argmax, float *restrict dx,
                            size_t dx_len) {
  size_t bad = 0;
  memset(dx, 0, dx_len * sizeof(float));
  for (size_t i = 0; i < len; i++) {
    const uint32_t j = (uint32_t)argmax[i];
    if (j < dx_len) {
      dx[j] += dy[i];
    } else {
      bad++;
    }
  }
  return bad;
}

void pl_avg_pool(const pl_conv_geometry *g, const float *restrict x, float *restrict y) {
  const size_t C = (size_t)g->channels, H = (size_t)g->height, W = (size_t)g->width;
  const float inv = 1.0f / (float)(g->kernel_h * g->kernel_w);
  float *yo = y;
  for (int n = 0; n < g->batch; n++) {
    const size_t xn = (size_t)n * H * W;
    for (int oy = 0; oy < g->out_h; oy++) {
      const int y0 = oy * g->stride - g->pad;
      for (int ox = 0; ox < g->out_w; ox++, yo += C) {
        const int x0 = ox * g->stride - g->pad;
        int kx0, kx1;
        pl_kx_range(x0, g->kernel_w, g->width, &kx0, &kx1);
        for (size_t c = 0; c < C; c++) yo[c] = 0.0f;
        for (int ky = 0; ky < g->kernel_h; ky++) {
          const int iy = y0 + ky;
          if (iy < 0 || iy >= g->height) continue;
          for (int kx = kx0; kx < kx1; kx++) {
            const float *restrict xp = x + (xn + (size_t)iy * W + (size_t)(x0 + kx)) * C;
            for (size_t c = 0; c < C; c++) yo[c] += xp[c];
          }
        }
        for (size_t c = 0; c < C; c++) yo[c] *= inv;
      }
    }
  }
}

void pl_avg_pool_backward(const pl_conv_geometry *g, const float *restrict dy, float *restrict dx) {
  const size_t C = (size_t)g->channels, H = (size_t)g->height, W = (size_t)g->width;
  const float inv = 1.0f / (float)(g->kernel_h * g->kernel_w);
  memset(dx, 0, (size_t)g->batch * H * W * C * sizeof(float));
  const float *dyo = dy;
  for (int n = 0; n < g->batch; n++) {
    const size_t xn = (size_t)n * H * W;
    for (int oy = 0; oy < g->out_h; oy++) {
      const int y0 = oy * g->stride - g->pad;
      for (int ox = 0; ox < g->out_w; ox++, dyo += C) {
        const int x0 = ox * g->stride - g->pad;
        int kx0, kx1;
        pl_kx_range(x0, g->kernel_w, g->width, &kx0, &kx1);
        for (int ky = 0; ky < g->kernel_h; ky++) {
          const int iy = y0 + ky;
          if (iy < 0 || iy >= g->height) continue;
          for (int kx = kx0; kx < kx1; kx++) {
            float *restrict d = dx + (xn + (size_t)iy * W + (size_t)(x0 + kx)) * C;
            for (size_t c = 0; c < C; c++) d[c] += dyo[c] * inv;
          }
        }
      }
    }
  }
}
