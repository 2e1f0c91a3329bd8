/**
 * Image grids (first-layer filters, inputs, reconstructions) as pixels, made in the worker so the
 * page only draws a finished bitmap: `count` images of `height` x `width` in `columns`, 1-pixel
 * white gaps, dark = high. Filters are each scaled to their own min..max; pixels (`fixed`) to [0, 1].
 */

/** The grid of `data` `[count, height * width]` as an `ImageData` (works in a worker). */
export function imageGrid(data: Float32Array, count: number, height: number, width: number, columns: number, fixed = false): ImageData {
  const rows = Math.ceil(count / columns), gap = 1;
  const w = columns * (width + gap) + gap, h = rows * (height + gap) + gap;
  const img = new ImageData(w, h);
  img.data.fill(255); // white background and gaps
  const size = height * width;
  for (let k = 0; k < count; k++) {
    let lo = 0, hi = 1;
    if (!fixed) {
      lo = Infinity;
      hi = -Infinity;
      for (let i = 0; i < size; i++) {
        const v = data[k * size + i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const span = hi - lo || 1;
    const ox = gap + (k % columns) * (width + gap), oy = gap + Math.floor(k / columns) * (height + gap);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const g = Math.max(0, Math.min(255, Math.round((255 * (data[k * size + y * width + x]! - lo)) / span)));
        const o = 4 * ((oy + y) * w + ox + x);
        img.data[o] = img.data[o + 1] = img.data[o + 2] = 255 - g;
      }
    }
  }
  return img;
}

/** The height and width to draw examples of `dim` values as: the data set's image, else a square, else one row. */
export function pictureShape(dim: number, image: { height: number; width: number } | undefined): [number, number] {
  if (image) return [image.height, image.width];
  const side = Math.round(Math.sqrt(dim));
  return side * side === dim ? [side, side] : [1, dim];
}
