/**
 * One Adam / AdamW step on `n` float32s (the `adamUpdate` kernel of src/tensor/kernels.ts; the
 * reference is src/backends/reference/adam.ts). The caller passes the scalars already combined
 * in float64: `omb1 = 1 - beta1`, `omb2 = 1 - beta2`, `stepSize = lr / c1`,
 * `invSqrtC2 = 1 / sqrt(c2)`, `lrDecay = lr * decay`. Per element, as in PyTorch's Adam:
 *
 *   g' = g + l2 w;  m <- beta1 m + omb1 g';  v <- beta2 v + omb2 g'^2
 *   w <- w - stepSize m / (sqrt(v) invSqrtC2 + eps) - lrDecay w
 *
 * (= `w - lr (m / c1) / (sqrt(v / c2) + eps) - lr decay w` up to float rounding.)
 */
import { madd } from './simd';

export function adamUpdate(
  w: usize, g: usize, m: usize, v: usize, n: i32,
  beta1: f32, omb1: f32, beta2: f32, omb2: f32, eps: f32, stepSize: f32, invSqrtC2: f32, l2: f32, lrDecay: f32,
): void {
  const vb1 = f32x4.splat(beta1), vo1 = f32x4.splat(omb1);
  const vb2 = f32x4.splat(beta2), vo2 = f32x4.splat(omb2);
  const veps = f32x4.splat(eps), vstep = f32x4.splat(stepSize), visc = f32x4.splat(invSqrtC2);
  const vl2 = f32x4.splat(l2), vlrd = f32x4.splat(lrDecay);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const wv = v128.load(w + o);
    const gp = madd(vl2, wv, v128.load(g + o));
    const mv = madd(vo1, gp, f32x4.mul(vb1, v128.load(m + o)));
    const vv = madd(vo2, f32x4.mul(gp, gp), f32x4.mul(vb2, v128.load(v + o)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const denom = madd(f32x4.sqrt(vv), visc, veps);
    const step = f32x4.div(f32x4.mul(vstep, mv), denom);
    v128.store(w + o, f32x4.sub(f32x4.sub(wv, step), f32x4.mul(vlrd, wv)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const wv = load<f32>(w + o);
    const gp = load<f32>(g + o) + l2 * wv;
    const mv = beta1 * load<f32>(m + o) + omb1 * gp;
    const vv = beta2 * load<f32>(v + o) + omb2 * gp * gp;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(w + o, wv - (stepSize * mv) / (Mathf.sqrt(vv) * invSqrtC2 + eps) - lrDecay * wv);
  }
}
