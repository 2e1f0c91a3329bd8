/**
 * First-layer filters as an image grid (Erhan et al. 2010, Fig. 3-4): column j of `hidden.0.W`
 * ([nIn, nOut]) is the filter of hidden unit j, drawn as a `height x width` tile, each tile scaled
 * to its own min..max (black to white). Encoded as PNG with pngjs.
 */
import { PNG } from 'pngjs';

export interface FilterGridOptions {
  /** Tile height and width (height * width must equal nIn). */
  height: number;
  width: number;
  /** At most this many filters, the first ones (default 100). */
  max?: number;
  /** Tiles per row (default ceil(sqrt(count))). */
  columns?: number;
  /** Pixels per weight (default 2) and gap between tiles in pixels (default 2). */
  scale?: number;
  gap?: number;
}

/**
 * Renders filters of `w` ([nIn, nOut], row-major) into a PNG buffer.
 * Returns the PNG bytes and the number of filters drawn.
 */
export function filterGridPng(w: ArrayLike<number>, nIn: number, nOut: number, opts: FilterGridOptions): { png: Buffer; count: number } {
  const { height: h, width: wd } = opts;
  if (h * wd !== nIn) throw new Error(`filterGridPng: tiles of ${h}x${wd} need nIn = ${h * wd}, but W is [${nIn}, ${nOut}]`);
  if (w.length !== nIn * nOut) throw new Error(`filterGridPng: W has ${w.length} values, expected [${nIn}, ${nOut}]`);
  const count = Math.min(nOut, opts.max ?? 100);
  const cols = opts.columns ?? Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  const s = opts.scale ?? 2;
  const gap = opts.gap ?? 2;
  const W = cols * (wd * s + gap) + gap;
  const H = rows * (h * s + gap) + gap;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  for (let f = 0; f < count; f++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < nIn; i++) {
      const v = w[i * nOut + f]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = hi > lo ? hi - lo : 1;
    const ox = gap + (f % cols) * (wd * s + gap);
    const oy = gap + Math.floor(f / cols) * (h * s + gap);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < wd; c++) {
        const g = Math.round((255 * (w[(r * wd + c) * nOut + f]! - lo)) / span);
        for (let dy = 0; dy < s; dy++) {
          for (let dx = 0; dx < s; dx++) {
            const p = ((oy + r * s + dy) * W + ox + c * s + dx) * 4;
            png.data[p] = png.data[p + 1] = png.data[p + 2] = g;
            png.data[p + 3] = 255;
          }
        }
      }
    }
  }
  return { png: PNG.sync.write(png), count };
}
