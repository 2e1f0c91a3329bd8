/**
 * Normalisation and dropout kernels (the semantics of src/backends/reference/norm.ts):
 * batch normalisation over the channels of a `[rows, C]` view, its per-channel affine map,
 * group normalisation over `[batch, S * C]` NHWC rows, and inverted dropout's mask.
 *
 * Statistics accumulate in float64 in one pass, shifted by a sample K of the same channel or
 * group (the first one): sums of d = x - K and d^2, mean = K + E[d], var = E[d^2] - E[d]^2 (the
 * shifted-data algorithm: no cancellation when |mean| >> std). mean and invStd are stored in
 * float32 and the output pass uses the stored values, like the reference. Backward passes keep
 * the reference's factored form `scale (dy' - mean(dy') - xh mean(dy' xh))`, so a vanishing
 * gradient stays zero. Multiplies and adds are never fused here, so the plain and relaxed SIMD
 * builds agree (native/src/norm.c is the same algorithm).
 */

/** A scratch block of at least `bytes`, kept and grown across calls (per-channel sums, coefficients). */
let scratchPtr: usize = 0;
let scratchBytes: usize = 0;

function scratch(bytes: usize): usize {
  if (scratchBytes < bytes) {
    if (scratchPtr != 0) heap.free(scratchPtr);
    scratchBytes = bytes + (bytes >> 2) + 64;
    scratchPtr = heap.alloc(scratchBytes);
  }
  return scratchPtr;
}

// @ts-ignore: decorator
@inline function hi2(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

// @ts-ignore: decorator
@inline function f32at(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function f64at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/**
 * `s1[c] += sum_r a[r, c]` and `s2[c] += sum_r a[r, c] * b[r, c]` in float64 over a `[rows, C]`
 * block, where `a = b = x - shift` (mode 0: shifted sums of x and x^2; `shift`: C float64) or
 * `a = dy` and `b = x - mean` (mode 1: the batch-norm backward sums; `mean`: C float32).
 * `s1`, `s2`: C float64 each, accumulated into.
 */
function channelSums(mode: i32, x: usize, dy: usize, mean: usize, shift: usize, rows: i32, C: i32, s1: usize, s2: usize): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const dr = dy + <usize>r * rowBytes;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 2, o8 = <usize>c << 3;
      let alo: v128, ahi: v128, blo: v128, bhi: v128;
      if (mode == 1) {
        const a = v128.load(dr + o), b = f32x4.sub(v128.load(xr + o), v128.load(mean + o));
        alo = f64x2.promote_low_f32x4(a);
        ahi = hi2(a);
        blo = f64x2.promote_low_f32x4(b);
        bhi = hi2(b);
      } else {
        const v = v128.load(xr + o);
        alo = blo = f64x2.sub(f64x2.promote_low_f32x4(v), v128.load(shift + o8));
        ahi = bhi = f64x2.sub(hi2(v), v128.load(shift + o8, 16));
      }
      v128.store(s1 + o8, f64x2.add(v128.load(s1 + o8), alo));
      v128.store(s1 + o8, f64x2.add(v128.load(s1 + o8, 16), ahi), 16);
      v128.store(s2 + o8, f64x2.add(v128.load(s2 + o8), f64x2.mul(alo, blo)));
      v128.store(s2 + o8, f64x2.add(v128.load(s2 + o8, 16), f64x2.mul(ahi, bhi)), 16);
    }
    for (; c < C; c++) {
      let a = <f64>f32at(xr, c) - f64at(shift, c);
      let b = a;
      if (mode == 1) {
        b = <f64>(f32at(xr, c) - f32at(mean, c));
        a = <f64>f32at(dr, c);
      }
      const o8 = <usize>c << 3;
      store<f64>(s1 + o8, load<f64>(s1 + o8) + a);
      store<f64>(s2 + o8, load<f64>(s2 + o8) + a * b);
    }
  }
}

/** `y[r, c] <- (x[r, c] - mean[c]) * k[c] + beta[c]` over `[rows, C]` (y may alias x). */
function affinePass(x: usize, rows: i32, C: i32, mean: usize, k: usize, beta: usize, y: usize): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, yr = y + <usize>r * rowBytes;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 2;
      const v = f32x4.mul(f32x4.sub(v128.load(xr + o), v128.load(mean + o)), v128.load(k + o));
      v128.store(yr + o, f32x4.add(v, v128.load(beta + o)));
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      store<f32>(yr + o, (load<f32>(xr + o) - load<f32>(mean + o)) * load<f32>(k + o) + load<f32>(beta + o));
    }
  }
}

/**
 * Batch normalisation, training mode, over x viewed as `[rows, C]`: writes per-channel `mean`
 * and `invStd = 1 / sqrt(var + eps)` (biased variance) and `y = gamma (x - mean) invStd + beta`.
 */
export function batchNormForward(x: usize, rows: i32, C: i32, gamma: usize, beta: usize, eps: f64, mean: usize, invStd: usize, y: usize): void {
  const s1 = scratch(<usize>C * 28);
  const s2 = s1 + (<usize>C << 3);
  const shift = s2 + (<usize>C << 3);
  const k = shift + (<usize>C << 3);
  memory.fill(s1, 0, <usize>C << 4);
  for (let c = 0; c < C; c++) store<f64>(shift + (<usize>c << 3), rows > 0 ? <f64>f32at(x, c) : 0);
  channelSums(0, x, 0, 0, shift, rows, C, s1, s2);
  const inv = 1.0 / <f64>rows;
  for (let c = 0; c < C; c++) {
    const md = f64at(s1, c) * inv;
    let v = f64at(s2, c) * inv - md * md;
    if (v < 0) v = 0;
    const is = <f32>(1.0 / Math.sqrt(v + eps));
    store<f32>(mean + (<usize>c << 2), <f32>(f64at(shift, c) + md));
    store<f32>(invStd + (<usize>c << 2), is);
    store<f32>(k + (<usize>c << 2), f32at(gamma, c) * is);
  }
  affinePass(x, rows, C, mean, k, beta, y);
}

/** `y[r, c] = gamma[c] (x[r, c] - mean[c]) invStd[c] + beta[c]` (batch norm in evaluation mode). */
export function channelAffine(x: usize, rows: i32, C: i32, mean: usize, invStd: usize, gamma: usize, beta: usize, y: usize): void {
  const k = scratch(<usize>C << 2);
  for (let c = 0; c < C; c++) store<f32>(k + (<usize>c << 2), f32at(gamma, c) * f32at(invStd, c));
  affinePass(x, rows, C, mean, k, beta, y);
}

/**
 * Backward of batchNormForward: `dbeta = sum_r dy`, `dgamma = sum_r dy xh` and
 * `dx = (gamma invStd / rows) (rows dy - dbeta - xh dgamma)`, computed as
 * `dx = k (dy - b - xh a)` with `k = gamma invStd`, `b = dbeta / rows`, `a = dgamma / rows` (dx may alias dy).
 */
export function batchNormBackward(x: usize, dy: usize, rows: i32, C: i32, mean: usize, invStd: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize): void {
  const s1 = scratch(<usize>C * 28);
  const s2 = s1 + (<usize>C << 3);
  const kk = s2 + (<usize>C << 3);
  const kb = kk + (<usize>C << 2);
  const ka = kb + (<usize>C << 2);
  memory.fill(s1, 0, <usize>C << 4);
  channelSums(1, x, dy, mean, 0, rows, C, s1, s2);
  const n = <f64>rows;
  for (let c = 0; c < C; c++) {
    const is = <f64>f32at(invStd, c), ga = <f64>f32at(gamma, c);
    const db = f64at(s1, c), dg = f64at(s2, c) * is;
    store<f32>(dbeta + (<usize>c << 2), <f32>db);
    store<f32>(dgamma + (<usize>c << 2), <f32>dg);
    store<f32>(kk + (<usize>c << 2), <f32>(ga * is));
    store<f32>(kb + (<usize>c << 2), <f32>(db / n));
    store<f32>(ka + (<usize>c << 2), <f32>(dg / n));
  }
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, dr = dy + <usize>r * rowBytes, or = dx + <usize>r * rowBytes;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), v128.load(mean + o)), v128.load(invStd + o));
      const t = f32x4.sub(f32x4.sub(v128.load(dr + o), v128.load(kb + o)), f32x4.mul(xh, v128.load(ka + o)));
      v128.store(or + o, f32x4.mul(v128.load(kk + o), t));
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      const xh = (load<f32>(xr + o) - load<f32>(mean + o)) * load<f32>(invStd + o);
      store<f32>(or + o, load<f32>(kk + o) * ((load<f32>(dr + o) - load<f32>(kb + o)) - xh * load<f32>(ka + o)));
    }
  }
}

/** Group norm group by group: each (example, group) reads its S runs of C / groups contiguous numbers. */
function groupNormForwardRuns(x: usize, batch: i32, cols: i32, C: i32, groups: i32, gamma: usize, beta: usize, eps: f64, mean: usize, invStd: usize, y: usize): void {
  const per = C / groups, S = cols / C;
  const inv = 1.0 / (<f64>S * <f64>per);
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * (<usize>cols << 2), yn = y + <usize>n * (<usize>cols << 2);
    for (let g = 0; g < groups; g++) {
      let a0 = f64x2.splat(0), a1 = a0, q0 = a0, q1 = a0;
      let sum: f64 = 0, sq: f64 = 0;
      const shift = <f64>f32at(xn, g * per), vshift = f64x2.splat(shift);
      for (let s = 0; s < S; s++) {
        const p = xn + ((<usize>s * <usize>C + <usize>(g * per)) << 2);
        let k = 0;
        for (; k + 4 <= per; k += 4) {
          const v = v128.load(p + (<usize>k << 2));
          const lo = f64x2.sub(f64x2.promote_low_f32x4(v), vshift), hi = f64x2.sub(hi2(v), vshift);
          a0 = f64x2.add(a0, lo);
          a1 = f64x2.add(a1, hi);
          q0 = f64x2.add(q0, f64x2.mul(lo, lo));
          q1 = f64x2.add(q1, f64x2.mul(hi, hi));
        }
        for (; k < per; k++) {
          const v = <f64>f32at(p, k) - shift;
          sum += v;
          sq += v * v;
        }
      }
      const a = f64x2.add(a0, a1), q = f64x2.add(q0, q1);
      sum += f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
      sq += f64x2.extract_lane(q, 0) + f64x2.extract_lane(q, 1);
      const md = sum * inv;
      let v = sq * inv - md * md;
      if (v < 0) v = 0;
      const mu = <f32>(shift + md), is = <f32>(1.0 / Math.sqrt(v + eps));
      const o = <usize>(n * groups + g) << 2;
      store<f32>(mean + o, mu);
      store<f32>(invStd + o, is);
      const vmu = f32x4.splat(mu), vis = f32x4.splat(is);
      const gg = gamma + (<usize>(g * per) << 2), bg = beta + (<usize>(g * per) << 2);
      for (let s = 0; s < S; s++) {
        const off = (<usize>s * <usize>C + <usize>(g * per)) << 2;
        const px = xn + off, py = yn + off;
        let k = 0;
        for (; k + 4 <= per; k += 4) {
          const ko = <usize>k << 2;
          const xh = f32x4.mul(f32x4.sub(v128.load(px + ko), vmu), vis);
          v128.store(py + ko, f32x4.add(f32x4.mul(xh, v128.load(gg + ko)), v128.load(bg + ko)));
        }
        for (; k < per; k++) {
          const xh = (f32at(px, k) - mu) * is;
          store<f32>(py + (<usize>k << 2), xh * f32at(gg, k) + f32at(bg, k));
        }
      }
    }
  }
}

/** Backward group by group; accumulates dgamma, dbeta (float64) into dg, db. */
function groupNormBackwardRuns(x: usize, dy: usize, batch: i32, cols: i32, C: i32, groups: i32, mean: usize, invStd: usize, gamma: usize, dx: usize, dg: usize, db: usize): void {
  const per = C / groups, S = cols / C;
  const m = <f64>S * <f64>per;
  for (let n = 0; n < batch; n++) {
    const rowOff = <usize>n * (<usize>cols << 2);
    for (let g = 0; g < groups; g++) {
      const o = <usize>(n * groups + g) << 2;
      const mu = load<f32>(mean + o), is = load<f32>(invStd + o);
      const c0 = g * per;
      let s1: f64 = 0, s2: f64 = 0;
      for (let s = 0; s < S; s++) {
        const off = rowOff + ((<usize>s * <usize>C + <usize>c0) << 2);
        for (let k = 0; k < per; k++) {
          const c = c0 + k;
          const xh = <f64>((f32at(x + off, k) - mu) * is);
          const d = <f64>f32at(dy + off, k);
          const dxh = d * <f64>f32at(gamma, c);
          const pg = dg + (<usize>c << 3), pb = db + (<usize>c << 3);
          store<f64>(pg, load<f64>(pg) + d * xh);
          store<f64>(pb, load<f64>(pb) + d);
          s1 += dxh;
          s2 += dxh * xh;
        }
      }
      // dx = (is / m) (m dxh - s1 - xh s2) = is (dxh - b - xh a), b = s1 / m, a = s2 / m
      const b = <f32>(s1 / m), a = <f32>(s2 / m);
      const vmu = f32x4.splat(mu), vis = f32x4.splat(is), vb = f32x4.splat(b), va = f32x4.splat(a);
      const gg = gamma + (<usize>c0 << 2);
      for (let s = 0; s < S; s++) {
        const off = rowOff + ((<usize>s * <usize>C + <usize>c0) << 2);
        const px = x + off, pd = dy + off, po = dx + off;
        let k = 0;
        for (; k + 4 <= per; k += 4) {
          const ko = <usize>k << 2;
          const xh = f32x4.mul(f32x4.sub(v128.load(px + ko), vmu), vis);
          const dxh = f32x4.mul(v128.load(gg + ko), v128.load(pd + ko));
          v128.store(po + ko, f32x4.mul(vis, f32x4.sub(f32x4.sub(dxh, vb), f32x4.mul(xh, va))));
        }
        for (; k < per; k++) {
          const xh = (f32at(px, k) - mu) * is;
          store<f32>(po + (<usize>k << 2), is * ((f32at(gg, k) * f32at(pd, k) - b) - xh * a));
        }
      }
    }
  }
}

/**
 * Group norm example by example over the `[S, C]` block, as batch norm walks its rows: per-channel
 * sums (SIMD across channels) combined into group sums, then one per-channel affine pass. For conv
 * maps with few channels per group, where a group's runs are short.
 */
function groupNormForwardChannels(x: usize, batch: i32, cols: i32, C: i32, groups: i32, gamma: usize, beta: usize, eps: f64, mean: usize, invStd: usize, y: usize): void {
  const per = C / groups, S = cols / C;
  const inv = 1.0 / (<f64>S * <f64>per);
  const s1 = scratch(<usize>C << 5);
  const s2 = s1 + (<usize>C << 3), shift = s2 + (<usize>C << 3);
  const mc = shift + (<usize>C << 3), kc = mc + (<usize>C << 2);
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * (<usize>cols << 2);
    for (let c = 0; c < C; c++) store<f64>(shift + (<usize>c << 3), <f64>f32at(xn, c - c % per)); // the group's first number
    memory.fill(s1, 0, <usize>C << 4);
    channelSums(0, xn, 0, 0, shift, S, C, s1, s2);
    for (let g = 0; g < groups; g++) {
      const c0 = g * per;
      let sum: f64 = 0, sq: f64 = 0;
      for (let k = 0; k < per; k++) {
        sum += f64at(s1, c0 + k);
        sq += f64at(s2, c0 + k);
      }
      const md = sum * inv;
      let v = sq * inv - md * md;
      if (v < 0) v = 0;
      const mu = <f32>(f64at(shift, c0) + md), is = <f32>(1.0 / Math.sqrt(v + eps));
      const o = <usize>(n * groups + g) << 2;
      store<f32>(mean + o, mu);
      store<f32>(invStd + o, is);
      for (let k = 0; k < per; k++) {
        const co = <usize>(c0 + k) << 2;
        store<f32>(mc + co, mu);
        store<f32>(kc + co, is * load<f32>(gamma + co));
      }
    }
    affinePass(xn, S, C, mc, kc, beta, y + <usize>n * (<usize>cols << 2));
  }
}

/** Backward example by example (see groupNormForwardChannels); accumulates dgamma, dbeta into dg, db. */
function groupNormBackwardChannels(x: usize, dy: usize, batch: i32, cols: i32, C: i32, groups: i32, mean: usize, invStd: usize, gamma: usize, dx: usize, dg: usize, db: usize, work: usize): void {
  const per = C / groups, S = cols / C;
  const m = <f64>S * <f64>per;
  const t1 = work, t2 = t1 + (<usize>C << 3);
  const mc = t2 + (<usize>C << 3), ic = mc + (<usize>C << 2), bc = ic + (<usize>C << 2), ac = bc + (<usize>C << 2);
  const rowBytes = <usize>C << 2;
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * (<usize>cols << 2), dn = dy + <usize>n * (<usize>cols << 2), on = dx + <usize>n * (<usize>cols << 2);
    for (let c = 0; c < C; c++) {
      const o = <usize>(n * groups + c / per) << 2;
      store<f32>(mc + (<usize>c << 2), load<f32>(mean + o));
      store<f32>(ic + (<usize>c << 2), load<f32>(invStd + o));
    }
    memory.fill(t1, 0, <usize>C << 4);
    channelSums(1, xn, dn, mc, 0, S, C, t1, t2); // t1 = sum dy, t2 = sum dy (x - mu)
    for (let g = 0; g < groups; g++) {
      const c0 = g * per;
      const is = <f64>f32at(ic, c0);
      let s1: f64 = 0, s2: f64 = 0; // sum dxh, sum dxh xh with dxh = dy gamma
      for (let k = 0; k < per; k++) {
        const c = c0 + k, o8 = <usize>c << 3;
        const ga = <f64>f32at(gamma, c), a1 = f64at(t1, c), a2 = f64at(t2, c) * is;
        store<f64>(db + o8, load<f64>(db + o8) + a1);
        store<f64>(dg + o8, load<f64>(dg + o8) + a2);
        s1 += ga * a1;
        s2 += ga * a2;
      }
      const b = <f32>(s1 / m), a = <f32>(s2 / m);
      for (let k = 0; k < per; k++) {
        const co = <usize>(c0 + k) << 2;
        store<f32>(bc + co, b);
        store<f32>(ac + co, a);
      }
    }
    // dx = is (dy gamma - b - xh a), xh = (x - mu) is
    for (let s = 0; s < S; s++) {
      const xr = xn + <usize>s * rowBytes, dr = dn + <usize>s * rowBytes, or = on + <usize>s * rowBytes;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const o = <usize>c << 2;
        const vis = v128.load(ic + o);
        const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), v128.load(mc + o)), vis);
        const dxh = f32x4.mul(v128.load(gamma + o), v128.load(dr + o));
        v128.store(or + o, f32x4.mul(vis, f32x4.sub(f32x4.sub(dxh, v128.load(bc + o)), f32x4.mul(xh, v128.load(ac + o)))));
      }
      for (; c < C; c++) {
        const o = <usize>c << 2;
        const is = load<f32>(ic + o);
        const xh = (load<f32>(xr + o) - load<f32>(mc + o)) * is;
        store<f32>(or + o, is * ((load<f32>(gamma + o) * load<f32>(dr + o) - load<f32>(bc + o)) - xh * load<f32>(ac + o)));
      }
    }
  }
}

/** Long runs (a dense layer, or many channels per group) go group by group, else channel-wise (as native/src/norm.c). */
// @ts-ignore: decorator
@inline function groupRuns(S: i32, per: i32): bool {
  return S == 1 || per >= 16;
}

/**
 * Group normalisation of `[batch, S * C]` NHWC rows with `groups` consecutive channel groups:
 * per (example n, group g) the mean and biased variance over its S * C / groups numbers,
 * `mean`, `invStd`: `[batch, groups]`, `y = gamma[c] (x - mean) invStd + beta[c]` (y may alias x).
 */
export function groupNormForward(x: usize, batch: i32, cols: i32, C: i32, groups: i32, gamma: usize, beta: usize, eps: f64, mean: usize, invStd: usize, y: usize): void {
  if (groupRuns(cols / C, C / groups)) groupNormForwardRuns(x, batch, cols, C, groups, gamma, beta, eps, mean, invStd, y);
  else groupNormForwardChannels(x, batch, cols, C, groups, gamma, beta, eps, mean, invStd, y);
}

/**
 * Backward of groupNormForward: `dgamma[c] = sum dy xh`, `dbeta[c] = sum dy` (over examples and
 * positions, overwritten), and per (n, g) with m numbers and `dxh = dy gamma`,
 * `dx = (invStd / m) (m dxh - sum dxh - xh sum(dxh xh))` (dx may alias dy).
 */
export function groupNormBackward(x: usize, dy: usize, batch: i32, cols: i32, C: i32, groups: i32, mean: usize, invStd: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize): void {
  const dg = scratch(<usize>C * 48);
  const db = dg + (<usize>C << 3);
  memory.fill(dg, 0, <usize>C << 4);
  if (groupRuns(cols / C, C / groups)) groupNormBackwardRuns(x, dy, batch, cols, C, groups, mean, invStd, gamma, dx, dg, db);
  else groupNormBackwardChannels(x, dy, batch, cols, C, groups, mean, invStd, gamma, dx, dg, db, db + (<usize>C << 3));
  for (let c = 0; c < C; c++) {
    store<f32>(dgamma + (<usize>c << 2), <f32>f64at(dg, c));
    store<f32>(dbeta + (<usize>c << 2), <f32>f64at(db, c));
  }
}

/**
 * Inverted dropout's mask: `mask <- u < keep ? 1 / keep : 0` (mask may alias u). The comparison
 * is exact against the float64 `keep`: `t` is the smallest float32 >= keep, and for float32 u,
 * `u < keep` exactly when `u < t`.
 */
export function dropoutMask(u: usize, n: i32, keep: f64, mask: usize): void {
  let t = <f32>keep;
  if (<f64>t < keep) t = reinterpret<f32>(reinterpret<u32>(t) + 1);
  const scale = <f32>(1.0 / keep);
  const vt = f32x4.splat(t), vs = f32x4.splat(scale);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(mask + o, v128.and(f32x4.lt(v128.load(u + o), vt), vs));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(mask + o, load<f32>(u + o) < t ? scale : 0);
  }
}
