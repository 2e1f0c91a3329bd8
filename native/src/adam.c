/*
 * The `adamUpdate` kernel (src/tensor/kernels.ts; reference: src/backends/reference/adam.ts):
 * one Adam / AdamW step on `len` floats. The caller (addon.c) combines the scalars in double:
 * omb = 1 - beta, step_size = lr / c1, inv_sqrt_c2 = 1 / sqrt(c2), lr_decay = lr * decay.
 * Per element, as PyTorch's Adam computes it:
 *   g' = g + l2 w;  m <- beta1 m + omb1 g';  v <- beta2 v + omb2 g'^2
 *   w <- w - step_size m / (sqrt(v) inv_sqrt_c2 + eps) - lr_decay w
 * which is `w - lr (m / c1) / (sqrt(v / c2) + eps) - lr decay w` up to float rounding. One pass,
 * vectorised by GCC (sqrtf becomes sqrtps under -fno-math-errno).
 */
#include <math.h>

#include "kernels.h"

void pl_adam_update(size_t len, float *param, const float *grad, float *m, float *v, float beta1, float omb1,
                    float beta2, float omb2, float eps, float step_size, float inv_sqrt_c2, float l2, float lr_decay) {
#pragma GCC ivdep
  for (size_t i = 0; i < len; i++) {
    float w = param[i];
    float g = grad[i] + l2 * w;
    float mi = beta1 * m[i] + omb1 * g;
    float vi = beta2 * v[i] + omb2 * (g * g);
    m[i] = mi;
    v[i] = vi;
    param[i] = w - (step_size * mi) / (sqrtf(vi) * inv_sqrt_c2 + eps) - lr_decay * w;
  }
}
