import type { Matrix } from '../tensor/matrix.ts';
import type { Rng } from '../rng/rng.ts';

/** The `finetune.augment` config section: what {@link ImageAugmentation} does to each training example. */
export interface AugmentConfig {
  /** Largest shift in pixels along each axis (0: none). */
  shift: number;
  /** Mirror left-right with probability 1/2 (only where the labels allow it: not for digits). */
  flip: boolean;
}

/** True when `cfg` changes anything (a shift or flips). */
export function augments(cfg: AugmentConfig): boolean {
  return cfg.shift > 0 || cfg.flip;
}

/**
 * Seeded augmentation of a gathered training batch, in place (the classic random translations
 * and mirrors of image classifiers; Simard, Steinkraus & Platt 2003; Krizhevsky et al. 2012).
 *
 * Every example is one row of `height * width * channels` numbers, NHWC (channel fastest; for
 * single-channel data `channels = dim / (height * width) = 1`). For each row, in order, the
 * stream draws: when `shift > 0`, `dy` then `dx`, each uniform in `[-shift, shift]`
 * (`rng.int(2 shift + 1) - shift`); when `flip`, one uniform u, flipping when `u < 1/2`. Then
 *
 *   out[y, x, c] = in[y - dy, x', c]   x' = flip ? width - 1 - (x - dx) : x - dx
 *
 * i.e. the image is mirrored, then moved `dy` pixels down and `dx` to the right; pixels whose
 * source falls outside the image are 0 (zero fill). The same stream position gives the same
 * batch, so a run is deterministic from its seed and resumes bit-identically from the stream's
 * saved state.
 */
export class ImageAugmentation {
  private readonly channels: number;
  private scratch: Float32Array | Float64Array | null = null;

  /**
   * @param image the examples' height and width
   * @param dim features per example, a multiple of `height * width`
   * @param rng the augmentation stream (`new Rng(seed).fork('augment')` in fine-tuning)
   */
  constructor(
    readonly image: { readonly height: number; readonly width: number },
    readonly dim: number,
    readonly config: AugmentConfig,
    readonly rng: Rng,
  ) {
    const pixels = image.height * image.width;
    if (!(pixels > 0 && dim % pixels === 0 && dim > 0)) {
      throw new RangeError(`ImageAugmentation: ${dim} features are not a whole number of ${image.height}x${image.width} images (channels = dim / (height * width))`);
    }
    if (!(Number.isInteger(config.shift) && config.shift >= 0)) throw new RangeError(`ImageAugmentation: shift must be an integer >= 0, got ${config.shift}`);
    this.channels = dim / pixels;
  }

  /** Augments every row of `x` (`[batch, dim]`) in place. */
  apply(x: Matrix): void {
    if (x.cols !== this.dim) throw new RangeError(`ImageAugmentation.apply: rows of ${x.cols} features, expected ${this.dim}`);
    const { shift, flip } = this.config;
    const data = x.data;
    if (!this.scratch || this.scratch.constructor !== data.constructor) this.scratch = data instanceof Float64Array ? new Float64Array(this.dim) : new Float32Array(this.dim);
    for (let r = 0; r < x.rows; r++) {
      const dy = shift > 0 ? this.rng.int(2 * shift + 1) - shift : 0;
      const dx = shift > 0 ? this.rng.int(2 * shift + 1) - shift : 0;
      const mirror = flip && this.rng.uniform() < 0.5;
      if (dy !== 0 || dx !== 0 || mirror) this.transform(data, r * this.dim, dy, dx, mirror);
    }
  }

  /** Row at `offset` <- the mirrored (when `mirror`) image moved by (dy, dx), zero fill. */
  private transform(data: Float32Array | Float64Array, offset: number, dy: number, dx: number, mirror: boolean): void {
    const { height: H, width: W } = this.image, C = this.channels, s = this.scratch!;
    s.set(data.subarray(offset, offset + this.dim));
    for (let y = 0; y < H; y++) {
      const ys = y - dy;
      for (let xo = 0; xo < W; xo++) {
        const xs = mirror ? W - 1 - (xo - dx) : xo - dx;
        const o = offset + (y * W + xo) * C;
        if (ys < 0 || ys >= H || xs < 0 || xs >= W) {
          for (let c = 0; c < C; c++) data[o + c] = 0;
        } else {
          const i = (ys * W + xs) * C;
          for (let c = 0; c < C; c++) data[o + c] = s[i + c]!;
        }
      }
    }
  }
}
