/**
 * Convolution (im2col / col2im) and pooling over NHWC images, with the semantics of
 * `src/backends/reference/conv.ts`. The pixels ix .. ix + n - 1 of one image row are n * C
 * consecutive floats, so one window row of im2col is one copy (zero-filled where it falls in the
 * padding), col2im adds the same runs back with f32x4 adds, and pooling treats the C channels of a
 * pixel as vectors (max: compare and bitselect values and indices). Accumulation order per element
 * is the reference's, so im2col, col2im, maxPool and maxPoolBackward agree with it bit for bit.
 * Pointers are byte offsets; the TypeScript side checked the geometry and every size.
 */

/** The first window column `ox * stride - pad` clipped: valid kx are [kxLo(x0), kxHi(x0, kw, w)). */
// @ts-ignore: decorator
@inline function kxLo(x0: i32): i32 {
  return x0 < 0 ? -x0 : 0;
}

// @ts-ignore: decorator
@inline function kxHi(x0: i32, kernelW: i32, width: i32): i32 {
  return width - x0 < kernelW ? width - x0 : kernelW;
}

/** dst <- src, n floats: short runs (single-channel images) element by element, long ones as one memory.copy. */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, n: i32): void {
  if (n >= 16) {
    memory.copy(dst, src, <usize>n << 2);
  } else {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
  }
}

/** dst[i] += src[i], n floats. */
// @ts-ignore: decorator
@inline function addRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** cols[(n, oy, ox), (ky, kx, c)] <- x[n, oy*stride - pad + ky, ox*stride - pad + kx, c], 0 in the padding. */
export function im2col(
  x: usize, cols: usize, batch: i32, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, stride: i32, pad: i32, outH: i32, outW: i32,
): void {
  const runBytes = <usize>(kernelW * channels) << 2;
  const rowBytes = <usize>kernelH * runBytes;
  const pixelBytes = <usize>channels << 2;
  const imageBytes = <usize>height * <usize>width * pixelBytes;
  let dst = cols;
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * imageBytes;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const lo = kxLo(x0), hi = kxHi(x0, kernelW, width);
        for (let ky = 0; ky < kernelH; ky++) {
          const d = dst + <usize>ky * runBytes;
          const iy = y0 + ky;
          if (iy < 0 || iy >= height || hi <= lo) {
            memory.fill(d, 0, runBytes);
            continue;
          }
          if (lo > 0) memory.fill(d, 0, <usize>lo * pixelBytes);
          const src = xn + (<usize>iy * <usize>width + <usize>(x0 + lo)) * pixelBytes;
          copyRun(d + <usize>lo * pixelBytes, src, (hi - lo) * channels);
          if (hi < kernelW) memory.fill(d + <usize>hi * pixelBytes, 0, <usize>(kernelW - hi) * pixelBytes);
        }
        dst += rowBytes;
      }
    }
  }
}

/** The adjoint of im2col: dx <- 0, then every cols entry added to the position it was read from. */
export function col2im(
  cols: usize, dx: usize, batch: i32, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, stride: i32, pad: i32, outH: i32, outW: i32,
): void {
  const runBytes = <usize>(kernelW * channels) << 2;
  const rowBytes = <usize>kernelH * runBytes;
  const pixelBytes = <usize>channels << 2;
  const imageBytes = <usize>height * <usize>width * pixelBytes;
  memory.fill(dx, 0, <usize>batch * imageBytes);
  let src = cols;
  for (let n = 0; n < batch; n++) {
    const xn = dx + <usize>n * imageBytes;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const lo = kxLo(x0), hi = kxHi(x0, kernelW, width);
        if (hi > lo) {
          const len = (hi - lo) * channels;
          for (let ky = 0; ky < kernelH; ky++) {
            const iy = y0 + ky;
            if (iy < 0 || iy >= height) continue;
            const d = xn + (<usize>iy * <usize>width + <usize>(x0 + lo)) * pixelBytes;
            addRun(d, src + <usize>ky * runBytes + <usize>lo * pixelBytes, len);
          }
        }
        src += rowBytes;
      }
    }
  }
}

/**
 * Max pooling per channel; argmax (i32, one per y element) receives the flat index into x. The
 * first window position inside the image starts the search, a later one replaces it only when
 * strictly greater (ties: the first in (ky, kx) order wins).
 */
export function maxPool(
  x: usize, y: usize, argmax: usize, batch: i32, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, stride: i32, pad: i32, outH: i32, outW: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  const lanes = i32x4(0, 1, 2, 3);
  let yo = y, ao = argmax;
  for (let n = 0; n < batch; n++) {
    const pn = n * height * width;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const lo = kxLo(x0), hi = kxHi(x0, kernelW, width);
        let first = true;
        for (let ky = 0; ky < kernelH; ky++) {
          const iy = y0 + ky;
          if (iy < 0 || iy >= height) continue;
          for (let kx = lo; kx < hi; kx++) {
            const base = (pn + iy * width + x0 + kx) * channels;
            const xp = x + (<usize>base << 2);
            if (first) {
              first = false;
              memory.copy(yo, xp, pixelBytes);
              let c = 0;
              for (; c + 4 <= channels; c += 4) v128.store(ao + (<usize>c << 2), i32x4.add(i32x4.splat(base + c), lanes));
              for (; c < channels; c++) store<i32>(ao + (<usize>c << 2), base + c);
              continue;
            }
            let c = 0;
            for (; c + 4 <= channels; c += 4) {
              const o = <usize>c << 2;
              const v = v128.load(xp + o), best = v128.load(yo + o);
              const gt = f32x4.gt(v, best);
              v128.store(yo + o, v128.bitselect(v, best, gt));
              v128.store(ao + o, v128.bitselect(i32x4.add(i32x4.splat(base + c), lanes), v128.load(ao + o), gt));
            }
            for (; c < channels; c++) {
              const o = <usize>c << 2;
              const v = load<f32>(xp + o);
              if (v > load<f32>(yo + o)) {
                store<f32>(yo + o, v);
                store<i32>(ao + o, base + c);
              }
            }
          }
        }
        yo += pixelBytes;
        ao += pixelBytes;
      }
    }
  }
}

/** dx <- 0, then dx[argmax[i]] += dy[i] in order of i (indices checked by the caller). */
export function maxPoolBackward(dy: usize, argmax: usize, dx: usize, n: i32, dxLen: i32): void {
  memory.fill(dx, 0, <usize>dxLen << 2);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const d = dx + (<usize>load<i32>(argmax + o) << 2);
    store<f32>(d, load<f32>(d) + load<f32>(dy + o));
  }
}

/** Average pooling: the window sum (padding counts as zeros) times 1 / (kernelH kernelW). */
export function avgPool(
  x: usize, y: usize, batch: i32, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, stride: i32, pad: i32, outH: i32, outW: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  const inv: f32 = <f32>1 / <f32>(kernelH * kernelW);
  const vinv = f32x4.splat(inv);
  let yo = y;
  for (let n = 0; n < batch; n++) {
    const pn = n * height * width;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const lo = kxLo(x0), hi = kxHi(x0, kernelW, width);
        memory.fill(yo, 0, pixelBytes);
        for (let ky = 0; ky < kernelH; ky++) {
          const iy = y0 + ky;
          if (iy < 0 || iy >= height) continue;
          for (let kx = lo; kx < hi; kx++) {
            addRun(yo, x + (<usize>((pn + iy * width + x0 + kx) * channels) << 2), channels);
          }
        }
        let c = 0;
        for (; c + 4 <= channels; c += 4) {
          const o = yo + (<usize>c << 2);
          v128.store(o, f32x4.mul(v128.load(o), vinv));
        }
        for (; c < channels; c++) {
          const o = yo + (<usize>c << 2);
          store<f32>(o, load<f32>(o) * inv);
        }
        yo += pixelBytes;
      }
    }
  }
}

/** The adjoint of avgPool: dx <- 0, then dy * (1 / (kernelH kernelW)) added over each window. */
export function avgPoolBackward(
  dy: usize, dx: usize, batch: i32, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, stride: i32, pad: i32, outH: i32, outW: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  const inv: f32 = <f32>1 / <f32>(kernelH * kernelW);
  const vinv = f32x4.splat(inv);
  memory.fill(dx, 0, <usize>batch * <usize>height * <usize>width * pixelBytes);
  let dyo = dy;
  for (let n = 0; n < batch; n++) {
    const pn = n * height * width;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const lo = kxLo(x0), hi = kxHi(x0, kernelW, width);
        for (let ky = 0; ky < kernelH; ky++) {
          const iy = y0 + ky;
          if (iy < 0 || iy >= height) continue;
          for (let kx = lo; kx < hi; kx++) {
            const d = dx + (<usize>((pn + iy * width + x0 + kx) * channels) << 2);
            let c = 0;
            for (; c + 4 <= channels; c += 4) {
              const o = <usize>c << 2;
              v128.store(d + o, f32x4.add(v128.load(d + o), f32x4.mul(v128.load(dyo + o), vinv)));
            }
            for (; c < channels; c++) {
              const o = <usize>c << 2;
              store<f32>(d + o, load<f32>(d + o) + load<f32>(dyo + o) * inv);
            }
          }
        }
        dyo += pixelBytes;
      }
    }
  }
}
