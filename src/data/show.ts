/**
 * A look at the data: a PNG grid of examples, each with its label drawn beneath it.
 */
import { PNG } from 'pngjs';
import type { Dataset, ExampleStream } from './dataset.ts';
import { drawText, GLYPH_HEIGHT, textWidth } from './bitmap-font.ts';
import { atomicWriteFile } from '../io/atomic-write.ts';
import { isDataset } from './source.ts';

export { resolveDataSource, isDataset } from './source.ts';

/** Options of `writeExampleGrid`. */
export interface ExampleGridOptions {
  /** Number of examples (default 64, fewer if the data set is smaller). */
  count?: number;
  /** Columns of the grid (default ceil(sqrt(count))). */
  cols?: number;
  /** Pixels per image pixel (default: so an image is about 84 pixels wide). */
  scale?: number;
  /**
   * Index of the first example (default 0; for a stream with a `firstSynthetic` property, e.g.
   * InfiniteMNIST, that index, so the grid shows generated examples).
   */
  start?: number;
}

/**
 * Renders examples `start .. start + count - 1` of `source` as a grid: grey levels (0 black,
 * 1 white; values are clamped to [0, 1]), each cell labelled with its class in yellow.
 * Examples without an image shape are shown square when `dim` is a perfect square, else as one
 * row of `dim` pixels.
 * @returns the PNG bytes
 */
export function renderExampleGrid(source: Dataset | ExampleStream, opts: ExampleGridOptions = {}): Buffer {
  const ds = isDataset(source) ? source : null;
  const dim = source.dim;
  const side = Math.round(Math.sqrt(dim));
  const img = source.image ?? (side * side === dim ? { height: side, width: side } : { height: 1, width: dim });
  const start = opts.start ?? (ds ? 0 : ((source as ExampleStream).firstSynthetic ?? 0));
  const count = Math.max(1, Math.min(opts.count ?? 64, ds ? ds.n - start : Infinity));
  if (ds && (start < 0 || start >= ds.n)) throw new RangeError(`writeExampleGrid: start ${start} is outside [0, ${ds.n}) of ${ds.name}`);
  const cols = Math.max(1, Math.min(count, opts.cols ?? Math.ceil(Math.sqrt(count))));
  const rows = Math.ceil(count / cols);
  const scale = Math.max(1, opts.scale ?? Math.max(1, Math.round(84 / Math.max(img.width, img.height))));
  const fs = Math.max(1, Math.min(3, Math.floor((img.width * scale) / 16)));
  const pad = 2, labelH = GLYPH_HEIGHT * fs + 2 * pad;
  const cellW = img.width * scale + pad, cellH = img.height * scale + labelH;
  const W = cols * cellW + pad, H = rows * cellH + pad;
  const png = new PNG({ width: W, height: H });
  const rgba = png.data;
  for (let p = 0; p < rgba.length; p += 4) {
    rgba[p] = 40;
    rgba[p + 1] = 40;
    rgba[p + 2] = 48;
    rgba[p + 3] = 255;
  }
  const x = new Float32Array(dim);
  for (let k = 0; k < count; k++) {
    const i = start + k;
    let label: number;
    if (ds) {
      x.set(ds.x.subarray(i * dim, (i + 1) * dim));
      label = ds.y[i]!;
    } else {
      label = (source as ExampleStream).example(i, x);
    }
    const ox = pad + (k % cols) * cellW, oy = pad + Math.floor(k / cols) * cellH;
    for (let r = 0; r < img.height; r++) {
      for (let c = 0; c < img.width; c++) {
        const v = x[r * img.width + c]!;
        const g = Math.round(255 * (v < 0 ? 0 : v > 1 ? 1 : v));
        for (let dy = 0; dy < scale; dy++) {
          let p = 4 * ((oy + r * scale + dy) * W + ox + c * scale);
          for (let dx = 0; dx < scale; dx++, p += 4) {
            rgba[p] = g;
            rgba[p + 1] = g;
            rgba[p + 2] = g;
          }
        }
      }
    }
    const text = String(label);
    const tx = ox + Math.max(0, Math.floor((img.width * scale - textWidth(text) * fs) / 2));
    drawText(rgba, W, text, tx, oy + img.height * scale + pad, fs, [255, 220, 60]);
  }
  return PNG.sync.write(png);
}

/** Writes `renderExampleGrid(source, opts)` to `outPath` atomically (temp file + rename). */
export async function writeExampleGrid(source: Dataset | ExampleStream, outPath: string, opts: ExampleGridOptions = {}): Promise<void> {
  atomicWriteFile(outPath, renderExampleGrid(source, opts));
}
