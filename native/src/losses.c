/*
 * Fused losses, in double through libm like the reference (rows of a few classes, or one
 * log per pixel: accuracy matters more than vector width here).
 */
#include <math.h>

#include "kernels.h"

/* Row-wise max-subtracted softmax; returns sum_i -log p[i, y_i]; grad <- scale (p - onehot).
 * probs may alias logits (each element is read before it is written) and grad may alias probs. */
double pl_softmax_cross_entropy(size_t rows, size_t cols, const float *logits, const int32_t *labels, float *probs,
                                float *grad, double scale) {
  double nll = 0.0;
  for (size_t r = 0; r < rows; r++) {
    const float *l = logits + r * cols;
    float *p = probs + r * cols;
    double max = -INFINITY;
    for (size_t j = 0; j < cols; j++) max = l[j] > max ? l[j] : max;
    double z = 0.0;
    for (size_t j = 0; j < cols; j++) z += exp(l[j] - max);
    size_t y = (size_t)labels[r];
    nll += log(z) - (l[y] - max);
    for (size_t j = 0; j < cols; j++) p[j] = (float)(exp(l[j] - max) / z);
    if (grad) {
      float *g = grad + r * cols;
      for (size_t j = 0; j < cols; j++) g[j] = (float)(scale * ((double)p[j] - (j == y ? 1.0 : 0.0)));
    }
  }
  return nll;
}

/* sum -(t log q + (1 - t) log(1 - q)), q = clamp(p, 1e-7, 1 - 1e-7). A term whose weight t
 * or 1 - t is exactly 0 contributes exactly 0 (q is clamped, so its log is finite) and is
 * skipped, which halves the logs for binary targets. */
double pl_binary_cross_entropy(size_t len, const float *target, const float *p) {
  const double lo = 1e-7, hi = 1.0 - 1e-7;
  double s = 0.0;
  for (size_t i = 0; i < len; i++) {
    double q = p[i];
    q = q < lo ? lo : q;
    q = q > hi ? hi : q;
    double t = target[i];
    double term = 0.0;
    if (t != 0.0) term += t * log(q);
    if (t != 1.0) term += (1.0 - t) * log(1.0 - q);
    s -= term;
  }
  return s;
}
