/**
 * Shapeset (Erhan et al. 2010, Section 5.2): synthetic grey-level images of geometric shapes with a
 * controlled range of invariances, generated deterministically from a seed.
 *
 * - `triangle-square` (the paper's variant): 10x10 images, label 0 = triangle, 1 = square; random
 *   area, orientation, position and foreground/background grey levels; 50,000 / 10,000 / 10,000.
 * - `3x2` (Shapeset-3x2): 32x32 images of one or two shapes of one kind among triangle, square and
 *   ellipse. Labelling (ours): `kind + 3 * (count - 1)`, i.e. 0/1/2 = one triangle/square/ellipse,
 *   3/4/5 = two triangles/squares/ellipses. Two shapes never overlap (disjoint bounding boxes, 1 px
 *   apart) and each has its own grey level.
 *
 * Every shape lies wholly inside its image (nothing is clipped), triangles are equilateral and
 * squares square, with the same distribution of areas for every kind (so ink mass does not give the
 * class away), each foreground grey level differs from the background by at least `minContrast`,
 * and pixels are anti-aliased by coverage (`raster.ts`). Example `i` of a split is a pure function
 * of `(seed, variant, split, i)`; labels are exactly balanced (a seeded permutation of `i mod nClasses`).
 */
import { Rng } from '../rng/rng.ts';
import { makeDataset, type DataSplits, type Dataset } from './dataset.ts';
import { drawShape, shapeBounds, type Shape } from './raster.ts';

export type ShapesetVariant = 'triangle-square' | '3x2';
export type ShapeKind = 'triangle' | 'square' | 'ellipse';

/** Options of `generateShapeset`; defaults are the paper's variant. */
export interface ShapesetOptions {
  /** Data seed (default 0). */
  seed?: number;
  /** Default `triangle-square`. */
  variant?: ShapesetVariant;
  /** Image side in pixels (default 10 for `triangle-square`, 32 for `3x2`). */
  side?: number;
  /** Examples in train / valid / test (default 50,000 / 10,000 / 10,000). */
  sizes?: readonly [number, number, number];
  /** Minimum |foreground - background| grey difference (default 0.3). */
  minContrast?: number;
  /** Range of a shape's area as a fraction of the image area (default [0.12, 0.4] for 10x10, [0.03, 0.12] for 3x2). */
  area?: readonly [number, number];
  /** Ellipses: range of the axis ratio a/b (default [1.3, 2.2], so they are not circles). */
  aspect?: readonly [number, number];
  /** Anti-aliasing samples per pixel side (default 4, i.e. 16 per pixel). */
  supersample?: number;
}

/** Shapeset-3x2 defaults used by `loadData('shapeset-3x2')`. */
export const SHAPESET_3X2_DEFAULTS = { variant: '3x2', side: 32, sizes: [10000, 2000, 2000] } as const satisfies ShapesetOptions;

const KINDS: readonly ShapeKind[] = ['triangle', 'square', 'ellipse'];

/** Resolved options. */
type Resolved = Required<ShapesetOptions>;

function resolve(o: ShapesetOptions): Resolved {
  const variant = o.variant ?? 'triangle-square';
  const is3x2 = variant === '3x2';
  return {
    seed: o.seed ?? 0,
    variant,
    side: o.side ?? (is3x2 ? 32 : 10),
    sizes: o.sizes ?? [50000, 10000, 10000],
    minContrast: o.minContrast ?? 0.3,
    area: o.area ?? (is3x2 ? [0.03, 0.12] : [0.12, 0.4]),
    aspect: o.aspect ?? [1.3, 2.2],
    supersample: o.supersample ?? 4,
  };
}

/** Number of classes of a variant: 2, or 6 for `3x2`. */
export function shapesetClasses(variant: ShapesetVariant): number {
  return variant === '3x2' ? 6 : 2;
}

/** Generates train / valid / test of a Shapeset variant (see the module comment). */
export function generateShapeset(opts: ShapesetOptions = {}): DataSplits {
  const o = resolve(opts);
  if (o.minContrast < 0 || o.minContrast > 0.9) throw new RangeError(`shapeset: minContrast must be in [0, 0.9], got ${o.minContrast}`);
  return {
    train: generateSplit(o, 'train', o.sizes[0]),
    valid: generateSplit(o, 'valid', o.sizes[1]),
    test: generateSplit(o, 'test', o.sizes[2]),
  };
}

function generateSplit(o: Resolved, split: string, n: number): Dataset {
  const nClasses = shapesetClasses(o.variant);
  const dim = o.side * o.side;
  const root = new Rng(o.seed).fork('shapeset', o.variant, split);
  const perm = root.fork('labels').permutation(n);
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = perm[i]! % nClasses;
    drawExample(o, y[i]!, root.fork(i), x.subarray(i * dim, (i + 1) * dim));
  }
  const name = o.variant === '3x2' ? 'shapeset-3x2' : 'shapeset';
  return makeDataset(`${name}/${split}`, x, y, dim, nClasses, { height: o.side, width: o.side });
}

/**
 * Draws one example of class `label` into `out` (`[side * side]`) with the randomness of `rng`.
 * Exposed for tests and streams.
 */
function drawExample(o: Resolved, label: number, rng: Rng, out: Float32Array): void {
  const W = o.side;
  const kind = o.variant === '3x2' ? KINDS[label % 3]! : label === 0 ? 'triangle' : 'square';
  const count = o.variant === '3x2' ? 1 + Math.floor(label / 3) : 1;
  const bg = rng.uniform();
  out.fill(bg);
  const fgs: number[] = [];
  for (let k = 0; k < count; k++) fgs.push(foreground(bg, o.minContrast, rng));
  // Draw sizes, orientations and positions until every shape fits, and two shapes keep apart
  // (disjoint bounding boxes, 1 px between them); a crowded image retries the whole layout.
  let shapes: Shape[] | null = null;
  for (let layout = 0; layout < 100 && !shapes; layout++) {
    const scale = layout < 50 ? 1 : 0.6;
    const placed: Shape[] = [];
    const boxes: [number, number, number, number][] = [];
    for (let k = 0; k < count; k++) {
      let s: Shape | null = null;
      for (let attempt = 0; attempt < 20 && !s; attempt++) {
        const area = scale * (o.area[0] + (o.area[1] - o.area[0]) * rng.uniform()) * W * W;
        const theta = 2 * Math.PI * rng.uniform();
        const aspect = o.aspect[0] + (o.aspect[1] - o.aspect[0]) * rng.uniform();
        const [bx0, by0, bx1, by1] = shapeBounds(makeShape(kind, 0, 0, area, theta, aspect));
        const freeX = W - (bx1 - bx0), freeY = W - (by1 - by0);
        if (freeX < 0 || freeY < 0) continue;
        const cand = makeShape(kind, -bx0 + freeX * rng.uniform(), -by0 + freeY * rng.uniform(), area, theta, aspect);
        const b = shapeBounds(cand);
        if (boxes.some((p) => !(b[2] + 1 <= p[0] || p[2] + 1 <= b[0] || b[3] + 1 <= p[1] || p[3] + 1 <= b[1]))) continue;
        s = cand;
        boxes.push(b);
      }
      if (!s) break;
      placed.push(s);
    }
    if (placed.length === count) shapes = placed;
  }
  if (!shapes) throw new Error(`shapeset: could not place ${count} ${kind}s in a ${W}x${W} image; lower the area range`);
  shapes.forEach((s, k) => drawShape(out, W, W, s, fgs[k]!, o.supersample));
}

/** A grey level in [0, 1] at least `minContrast` away from `bg`, uniform over the allowed set. */
function foreground(bg: number, minContrast: number, rng: Rng): number {
  const below = Math.max(0, bg - minContrast), above = Math.max(0, 1 - (bg + minContrast));
  const u = rng.uniform() * (below + above);
  return u < below ? u : bg + minContrast + (u - below);
}

/** A shape of the given kind, centre, area and orientation (equilateral triangle, square, ellipse of axis ratio `aspect`). */
function makeShape(kind: ShapeKind, cx: number, cy: number, area: number, theta: number, aspect: number): Shape {
  if (kind === 'ellipse') {
    const a = Math.sqrt((area * aspect) / Math.PI), b = Math.sqrt(area / (Math.PI * aspect));
    return { kind: 'ellipse', cx, cy, a, b, theta };
  }
  const nv = kind === 'triangle' ? 3 : 4;
  // Circumradius from area: triangle A = (3 sqrt 3 / 4) R^2, square A = 2 R^2.
  const R = kind === 'triangle' ? Math.sqrt((4 * area) / (3 * Math.sqrt(3))) : Math.sqrt(area / 2);
  const xs: number[] = [], ys: number[] = [];
  for (let v = 0; v < nv; v++) {
    const a = theta + (2 * Math.PI * v) / nv;
    xs.push(cx + R * Math.cos(a));
    ys.push(cy + R * Math.sin(a));
  }
  return { kind: 'polygon', xs, ys };
}
