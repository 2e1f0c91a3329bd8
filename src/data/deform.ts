/**
 * Random deformations of grey-level digit images, as used to make InfiniteMNIST (Loosli, Canu &
 * Bottou 2007; Erhan et al. 2010, Section 5.2):
 *
 * 1. an elastic displacement field (Simard, Steinkraus & Platt 2003): independent uniforms in
 *    [-1, 1] smoothed by a normalised Gaussian of width `sigma`, scaled by `alpha`. For speed the
 *    uniforms sit on a grid of spacing `h = max(1, round(1.5 sigma))` pixels rather than on every
 *    pixel, and are multiplied by `h` so the displacement variance matches the full-resolution field
 *    (within a few per cent; with `sigma < 1` it *is* the full-resolution field). The kernel is cut
 *    at 3 sigma. Displacements have a standard deviation of about `alpha / (2 sqrt(3 pi) sigma)`
 *    pixels per axis (1.2 px with the defaults).
 * 2. a small affine map about the image centre: rotation, anisotropic scaling, shear, translation;
 * 3. bilinear resampling of the source at the displaced, transformed positions (0 outside);
 * 4. stroke thickening or thinning by grey-level morphology: the image is blended with its
 *    dilation (t > 0) or erosion (t < 0) by a plus-shaped 3x3 element, with weight |t|.
 *
 * All randomness comes from the `Rng` passed to `deform` (one stream per example); kernels and
 * scratch buffers are precomputed once per `Deformer`.
 */
import type { Rng } from '../rng/rng.ts';
import type { FloatArray } from '../tensor/matrix.ts';

/** Deformation parameters; the defaults keep MNIST digits legible. */
export interface DeformOptions {
  /** Elastic field scale in pixels (Simard's alpha; default 30). 0 disables the elastic field. */
  alpha: number;
  /** Width of the smoothing Gaussian in pixels (Simard's sigma; default 4). */
  sigma: number;
  /** Maximum rotation in degrees, drawn uniformly in [-r, r] (default 8). */
  rotationDeg: number;
  /** Maximum relative scaling per axis: each scale is exp(U[-s, s]) (default 0.08). */
  scale: number;
  /** Maximum shear, drawn uniformly in [-s, s] (default 0.12). */
  shear: number;
  /** Maximum translation in pixels per axis, drawn uniformly in [-t, t] (default 1). */
  translate: number;
  /** Range of the morphology weight t: negative thins strokes, positive thickens (default [-0.35, 0.6]). */
  thickness: readonly [number, number];
  /** Spacing in pixels of the grid of random values (default max(1, round(1.5 sigma)); 1 is Simard's full-resolution field). */
  gridStep?: number;
}

export const DEFAULT_DEFORM: Readonly<DeformOptions> = Object.freeze({
  alpha: 30,
  sigma: 4,
  rotationDeg: 8,
  scale: 0.08,
  shear: 0.12,
  translate: 1,
  thickness: [-0.35, 0.6] as const,
});

/** The parameters drawn for one deformation (for tests and inspection). */
export interface DeformDraw {
  rotation: number;
  scaleX: number;
  scaleY: number;
  shear: number;
  tx: number;
  ty: number;
  thickness: number;
}

/**
 * Deforms `height x width` images. Not re-entrant (it reuses scratch buffers); make one per worker.
 */
export class Deformer {
  readonly opts: DeformOptions;
  private readonly h: number;
  private readonly w: number;
  private readonly nodesY: number;
  private readonly nodesX: number;
  /** Band of Gaussian weights from grid nodes to pixel rows/columns: for pixel p, nodes start[p]..start[p]+len[p]-1. */
  private readonly rowStart: Int32Array;
  private readonly rowLen: Int32Array;
  private readonly rowW: Float64Array; // [h, maxLen]
  private readonly colStart: Int32Array;
  private readonly colLen: Int32Array;
  private readonly colW: Float64Array; // [w, maxLen]
  private readonly maxLen: number;
  private readonly ux: Float64Array; // [nodesY, nodesX] node uniforms
  private readonly uy: Float64Array;
  private readonly tx: Float64Array; // [nodesY, w] after the column pass
  private readonly ty: Float64Array;
  private readonly dx: Float64Array; // [h, w] displacement field
  private readonly dy: Float64Array;
  private readonly img: Float32Array; // [h, w] warped image before morphology
  private readonly pad: Float32Array; // [h + 2, w + 2] source with a border of zeros

  constructor(height: number, width: number, opts: Partial<DeformOptions> = {}) {
    const o = { ...DEFAULT_DEFORM, ...opts };
    if (!(o.sigma > 0)) throw new RangeError(`Deformer: sigma must be > 0, got ${o.sigma}`);
    if (!(o.alpha >= 0)) throw new RangeError(`Deformer: alpha must be >= 0, got ${o.alpha}`);
    if (!(o.thickness[0] >= -1 && o.thickness[1] <= 1 && o.thickness[0] <= o.thickness[1])) {
      throw new RangeError(`Deformer: thickness must be a range within [-1, 1], got [${o.thickness.join(', ')}]`);
    }
    this.opts = o;
    this.h = height;
    this.w = width;
    const step = o.gridStep ?? Math.max(1, Math.round(1.5 * o.sigma));
    if (!(Number.isInteger(step) && step >= 1)) throw new RangeError(`Deformer: gridStep must be an integer >= 1, got ${step}`);
    const reach = Math.ceil(3 * o.sigma);
    // Grid nodes at positions -reach + k * step, covering [-reach, size - 1 + reach].
    const band = (size: number) => {
      const nodes = Math.floor((size - 1 + 2 * reach) / step) + 1;
      const starts = new Int32Array(size), lens = new Int32Array(size);
      const lists: number[][] = [];
      // Normalised Gaussian; node values are scaled by the grid spacing (sqrt per axis) so the
      // displacement variance matches a field with a random value at every pixel.
      const norm = Math.sqrt(step) / (Math.sqrt(2 * Math.PI) * o.sigma);
      for (let p = 0; p < size; p++) {
        const ws: number[] = [];
        let first = -1;
        for (let k = 0; k < nodes; k++) {
          const d = p - (-reach + k * step);
          if (Math.abs(d) > reach) continue;
          if (first < 0) first = k;
          ws.push(norm * Math.exp((-d * d) / (2 * o.sigma * o.sigma)));
        }
        starts[p] = first;
        lens[p] = ws.length;
        lists.push(ws);
      }
      return { nodes, starts, lens, lists };
    };
    const rb = band(height), cb = band(width);
    this.nodesY = rb.nodes;
    this.nodesX = cb.nodes;
    this.maxLen = Math.max(...rb.lists.map((l) => l.length), ...cb.lists.map((l) => l.length));
    this.rowStart = rb.starts;
    this.rowLen = rb.lens;
    this.colStart = cb.starts;
    this.colLen = cb.lens;
    this.rowW = new Float64Array(height * this.maxLen);
    this.colW = new Float64Array(width * this.maxLen);
    rb.lists.forEach((l, p) => this.rowW.set(l, p * this.maxLen));
    cb.lists.forEach((l, p) => this.colW.set(l, p * this.maxLen));
    this.ux = new Float64Array(this.nodesY * this.nodesX);
    this.uy = new Float64Array(this.nodesY * this.nodesX);
    this.tx = new Float64Array(this.nodesY * width);
    this.ty = new Float64Array(this.nodesY * width);
    this.dx = new Float64Array(height * width);
    this.dy = new Float64Array(height * width);
    this.img = new Float32Array(height * width);
    this.pad = new Float32Array((height + 2) * (width + 2));
  }

  /** Number of uniforms one deformation consumes (fixed, so streams stay aligned). */
  get uniformsPerDraw(): number {
    return 2 * this.nodesY * this.nodesX + 7;
  }

  /**
   * Writes a random deformation of `src` (`[height * width]`, values in [0, 1]) into `out`,
   * drawing every random number from `rng`. Returns the affine and morphology parameters drawn.
   */
  deform(src: ArrayLike<number>, out: FloatArray, rng: Rng, outOffset = 0): DeformDraw {
    const o = this.opts, H = this.h, W = this.w;
    // Parameters first, so they do not depend on the grid size.
    const d: DeformDraw = {
      rotation: ((2 * rng.uniform() - 1) * o.rotationDeg * Math.PI) / 180,
      scaleX: Math.exp((2 * rng.uniform() - 1) * o.scale),
      scaleY: Math.exp((2 * rng.uniform() - 1) * o.scale),
      shear: (2 * rng.uniform() - 1) * o.shear,
      tx: (2 * rng.uniform() - 1) * o.translate,
      ty: (2 * rng.uniform() - 1) * o.translate,
      thickness: o.thickness[0] + (o.thickness[1] - o.thickness[0]) * rng.uniform(),
    };
    this.elasticField(rng);
    // Inverse map: output (c, r) -> source position; A = R(rot) [1 shear; 0 1] diag(sx, sy).
    const cs = Math.cos(d.rotation), sn = Math.sin(d.rotation);
    const a11 = cs * d.scaleX, a12 = (cs * d.shear - sn) * d.scaleY;
    const a21 = sn * d.scaleX, a22 = (sn * d.shear + cs) * d.scaleY;
    const cx = (W - 1) / 2, cy = (H - 1) / 2;
    const img = this.img, dx = this.dx, dy = this.dy, pad = this.pad, PW = W + 2;
    for (let r = 0; r < H; r++) {
      const pb = (r + 1) * PW + 1, sb = r * W;
      for (let c = 0; c < W; c++) pad[pb + c] = src[sb + c]!;
    }
    // Bilinear taps at (x0, y0) .. (x0 + 1, y0 + 1); positions are clamped to [-1, size] so every
    // tap falls in the zero-bordered copy (anything further out is 0 anyway).
    const maxX = W - 1e-9, maxY = H - 1e-9;
    for (let r = 0; r < H; r++) {
      const v = r - cy;
      const bx = a12 * v + cx + d.tx, by = a22 * v + cy + d.ty;
      for (let c = 0; c < W; c++) {
        const u = c - cx, p = r * W + c;
        let sx = a11 * u + bx + dx[p]!;
        let sy = a21 * u + by + dy[p]!;
        sx = sx < -1 ? -1 : sx > maxX ? maxX : sx;
        sy = sy < -1 ? -1 : sy > maxY ? maxY : sy;
        const x0 = Math.floor(sx), y0 = Math.floor(sy);
        const fx = sx - x0, fy = sy - y0;
        const q = (y0 + 1) * PW + x0 + 1;
        const top = pad[q]! + fx * (pad[q + 1]! - pad[q]!);
        const bot = pad[q + PW]! + fx * (pad[q + PW + 1]! - pad[q + PW]!);
        img[p] = top + fy * (bot - top);
      }
    }
    this.morphology(img, out, outOffset, d.thickness);
    return d;
  }

  /** Draws only an elastic displacement field from `rng` (for tests): `dx`, `dy` `[height * width]` in pixels. */
  displacementField(rng: Rng): { dx: Float64Array; dy: Float64Array } {
    this.elasticField(rng);
    return { dx: Float64Array.from(this.dx), dy: Float64Array.from(this.dy) };
  }

  /** dx, dy = Gy U Gx^T for node uniforms U (separable Gaussian, banded). */
  private elasticField(rng: Rng): void {
    const ux = this.ux, uy = this.uy, tx = this.tx, ty = this.ty, dx = this.dx, dy = this.dy;
    const nodesX = this.nodesX, nodesY = this.nodesY, maxLen = this.maxLen;
    const colStart = this.colStart, colLen = this.colLen, colW = this.colW;
    const rowStart = this.rowStart, rowLen = this.rowLen, rowW = this.rowW;
    const a2 = 2 * this.opts.alpha, a = this.opts.alpha;
    const nu = ux.length;
    for (let k = 0; k < nu; k++) ux[k] = a2 * rng.uniform() - a;
    for (let k = 0; k < nu; k++) uy[k] = a2 * rng.uniform() - a;
    const W = this.w, H = this.h;
    // Column pass: t[i, c] = sum_k U[i, k] gx[c, k]
    for (let i = 0; i < nodesY; i++) {
      const ub = i * nodesX, tb = i * W;
      for (let c = 0; c < W; c++) {
        const s = ub + colStart[c]!, n = colLen[c]!, wb = c * maxLen;
        let ax = 0, ay = 0;
        for (let j = 0; j < n; j++) {
          const g = colW[wb + j]!;
          ax += g * ux[s + j]!;
          ay += g * uy[s + j]!;
        }
        tx[tb + c] = ax;
        ty[tb + c] = ay;
      }
    }
    // Row pass: d[r, c] = sum_i gy[r, i] t[i, c]
    dx.fill(0);
    dy.fill(0);
    for (let r = 0; r < H; r++) {
      const s = rowStart[r]!, n = rowLen[r]!, wb = r * maxLen, ob = r * W;
      for (let j = 0; j < n; j++) {
        const g = rowW[wb + j]!, tb = (s + j) * W;
        for (let c = 0; c < W; c++) {
          dx[ob + c]! += g * tx[tb + c]!;
          dy[ob + c]! += g * ty[tb + c]!;
        }
      }
    }
  }

  /** out = (1 - |t|) img + |t| (t > 0 ? dilate(img) : erode(img)), plus-shaped element, 0 outside. */
  private morphology(img: Float32Array, out: FloatArray, off: number, t: number): void {
    const H = this.h, W = this.w;
    const wt = Math.abs(t), keep = 1 - wt, dilate = t > 0;
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        const p = r * W + c;
        const v = img[p]!;
        const up = r > 0 ? img[p - W]! : 0, down = r < H - 1 ? img[p + W]! : 0;
        const left = c > 0 ? img[p - 1]! : 0, right = c < W - 1 ? img[p + 1]! : 0;
        let m: number;
        if (dilate) m = Math.max(v, up, down, left, right);
        else m = Math.min(v, up, down, left, right);
        const y = keep * v + wt * m;
        out[off + p] = y < 0 ? 0 : y > 1 ? 1 : y;
      }
    }
  }
}
