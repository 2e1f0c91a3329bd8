/** Fused losses: softmax cross-entropy (fine-tuning) and Bernoulli cross-entropy (DAE, Erhan et al. 2010 Section 5.1.2). */
import { exp4, log4 } from './math';
import { hsum } from './simd';

/**
 * Row-wise softmax of logits [rows, cols] into probs, with grad <- scale (probs - onehot)
 * when grad != 0. Returns sum_i -log probs[i, labels[i]] in float64. probs may alias logits,
 * grad may alias probs.
 */
export function softmaxCrossEntropy(logits: usize, labels: usize, probs: usize, grad: usize, rows: i32, cols: i32, scale: f32): f64 {
  const rowBytes = <usize>cols << 2;
  let nll: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const L = logits + <usize>i * rowBytes;
    const P = probs + <usize>i * rowBytes;
    let max = load<f32>(L);
    for (let j = 1; j < cols; j++) max = Mathf.max(max, load<f32>(L + (<usize>j << 2)));
    const y = load<i32>(labels + (<usize>i << 2));
    const ly = load<f32>(L + (<usize>y << 2));
    const vmax = f32x4.splat(max);
    let z4 = f32x4.splat(0.0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      const e = exp4(f32x4.sub(v128.load(L + o), vmax));
      z4 = f32x4.add(z4, e);
      v128.store(P + o, e);
    }
    let z = hsum(z4);
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(L + o) - max)), 0);
      z += e;
      store<f32>(P + o, e);
    }
    nll += Math.log(<f64>z) - (<f64>ly - <f64>max);
    const inv = f32x4.splat(<f32>1.0 / z);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(P + o, f32x4.mul(v128.load(P + o), inv));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(P + o, load<f32>(P + o) * f32x4.extract_lane(inv, 0));
    }
    if (grad != 0) {
      const G = grad + <usize>i * rowBytes;
      const s = f32x4.splat(scale);
      j = 0;
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        v128.store(G + o, f32x4.mul(s, v128.load(P + o)));
      }
      for (; j < cols; j++) {
        const o = <usize>j << 2;
        store<f32>(G + o, scale * load<f32>(P + o));
      }
      const gy = G + (<usize>y << 2);
      store<f32>(gy, scale * (load<f32>(P + (<usize>y << 2)) - 1.0));
    }
  }
  return nll;
}

/**
 * sum -(t log p + (1 - t) log(1 - p)) with p clamped to [1e-7, 1 - 1e-7]; 1 - p is formed
 * before clamping (exact for p >= 1/2) so log(1 - p) keeps its precision near p = 1.
 */
export function binaryCrossEntropy(t: usize, p: usize, n: i32): f64 {
  const lo = f32x4.splat(1e-7);
  const hi = f32x4.splat(<f32>(1.0 - 1e-7));
  const one = f32x4.splat(1.0);
  let acc0 = f64x2.splat(0.0);
  let acc1 = f64x2.splat(0.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    const tv = v128.load(t + o);
    const q = f32x4.min(f32x4.max(pv, lo), hi);
    const r = f32x4.min(f32x4.max(f32x4.sub(one, pv), lo), hi);
    const term = f32x4.add(f32x4.mul(tv, log4(q)), f32x4.mul(f32x4.sub(one, tv), log4(r)));
    acc0 = f64x2.add(acc0, f64x2.promote_low_f32x4(term));
    acc1 = f64x2.add(acc1, f64x2.promote_low_f32x4(v128.shuffle<f32>(term, term, 2, 3, 2, 3)));
  }
  const acc = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = <f64>load<f32>(p + o);
    const tv = <f64>load<f32>(t + o);
    const q = Math.min(Math.max(pv, 1e-7), 1 - 1e-7);
    s += tv * Math.log(q) + (1 - tv) * Math.log(1 - q);
  }
  return -s;
}
