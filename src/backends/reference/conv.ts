/**
 * The convolution and pooling kernels of the `reference` backend over NHWC images: plain loops in
 * the order the specification in `src/tensor/kernels.ts` states them (`im2col`, `col2im`,
 * `maxPool`, `maxPoolBackward`, `avgPool`, `avgPoolBackward`). Never optimise these: the fast
 * backends are proven equal to them. Shapes were checked by `checkedKernels`.
 *
 * Index of pixel (n, iy, ix), channel c in an NHWC batch: `((n * H + iy) * W + ix) * C + c`.
 */
import type { ConvGeometry } from '../../tensor/kernels.ts';
import type { FloatArray } from '../../tensor/matrix.ts';

/** `cols[(n, oy, ox), (ky, kx, c)] = x[n, oy*stride - pad + ky, ox*stride - pad + kx, c]`, 0 in the padding. */
export function im2col(x: FloatArray, g: ConvGeometry, cols: FloatArray): void {
  const { batch, height: H, width: W, channels: C, kernelH, kernelW, stride, pad, outH, outW } = g;
  const k = kernelH * kernelW * C;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const row = (n * outH + oy) * outW + ox;
        for (let ky = 0; ky < kernelH; ky++) {
          for (let kx = 0; kx < kernelW; kx++) {
            const iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
            const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
            for (let c = 0; c < C; c++) {
              cols[row * k + (ky * kernelW + kx) * C + c] = inside ? x[((n * H + iy) * W + ix) * C + c]! : 0;
            }
          }
        }
      }
    }
  }
}

/** The adjoint of {@link im2col}: `dx <- 0`, then every `cols` entry added to the position it was read from. */
export function col2im(cols: FloatArray, g: ConvGeometry, dx: FloatArray): void {
  const { batch, height: H, width: W, channels: C, kernelH, kernelW, stride, pad, outH, outW } = g;
  const k = kernelH * kernelW * C;
  dx.fill(0);
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const row = (n * outH + oy) * outW + ox;
        for (let ky = 0; ky < kernelH; ky++) {
          for (let kx = 0; kx < kernelW; kx++) {
            const iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            for (let c = 0; c < C; c++) {
              const i = ((n * H + iy) * W + ix) * C + c;
              dx[i] = dx[i]! + cols[row * k + (ky * kernelW + kx) * C + c]!;
            }
          }
        }
      }
    }
  }
}

/**
 * Max pooling per channel; `argmax[i]` is the flat index into x of `y[i]`'s maximum. The first
 * position of the window inside the image (window order: ky, then kx) starts the search and a
 * later one replaces it only when strictly greater, so on ties the first wins.
 */
export function maxPool(x: FloatArray, g: ConvGeometry, y: FloatArray, argmax: Int32Array): void {
  const { batch, height: H, width: W, channels: C, kernelH, kernelW, stride, pad, outH, outW } = g;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < C; c++) {
          let best = 0, at = -1;
          for (let ky = 0; ky < kernelH; ky++) {
            for (let kx = 0; kx < kernelW; kx++) {
              const iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              const i = ((n * H + iy) * W + ix) * C + c;
              if (at < 0 || x[i]! > best) {
                best = x[i]!;
                at = i;
              }
            }
          }
          const o = ((n * outH + oy) * outW + ox) * C + c;
          y[o] = best;
          argmax[o] = at;
        }
      }
    }
  }
}

/** `dx <- 0`, then `dx[argmax[i]] += dy[i]` in order of i. */
export function maxPoolBackward(dy: FloatArray, argmax: Int32Array, dx: FloatArray): void {
  dx.fill(0);
  for (let i = 0; i < dy.length; i++) {
    const j = argmax[i]!;
    dx[j] = dx[j]! + dy[i]!;
  }
}

/** Average pooling: the window sum (padding counts as zeros) times `1 / (kernelH * kernelW)`. */
export function avgPool(x: FloatArray, g: ConvGeometry, y: FloatArray): void {
  const { batch, height: H, width: W, channels: C, kernelH, kernelW, stride, pad, outH, outW } = g;
  const inv = 1 / (kernelH * kernelW);
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let ky = 0; ky < kernelH; ky++) {
            for (let kx = 0; kx < kernelW; kx++) {
              const iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              s += x[((n * H + iy) * W + ix) * C + c]!;
            }
          }
          y[((n * outH + oy) * outW + ox) * C + c] = s * inv;
        }
      }
    }
  }
}

/** The adjoint of {@link avgPool}: `dx <- 0`, then `dy * (1 / (kernelH * kernelW))` added over each window. */
export function avgPoolBackward(dy: FloatArray, g: ConvGeometry, dx: FloatArray): void {
  const { batch, height: H, width: W, channels: C, kernelH, kernelW, stride, pad, outH, outW } = g;
  const inv = 1 / (kernelH * kernelW);
  dx.fill(0);
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < kernelH; ky++) {
          for (let kx = 0; kx < kernelW; kx++) {
            const iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            for (let c = 0; c < C; c++) {
              const i = ((n * H + iy) * W + ix) * C + c;
              dx[i] = dx[i]! + dy[((n * outH + oy) * outW + ox) * C + c]! * inv;
            }
          }
        }
      }
    }
  }
}
