/**
 * Anti-aliased rasterisation of convex shapes into grey-level images: each pixel takes the
 * fraction of its area covered by the shape (estimated by `s x s` supersampling), blended over
 * what is already there: `p <- p (1 - c) + grey c`.
 *
 * Coordinates are continuous: pixel (row r, column c) covers `[c, c+1] x [r, r+1]`.
 */

/** A shape to draw: a convex polygon (vertices in order) or an ellipse. */
export type Shape =
  | { kind: 'polygon'; xs: number[]; ys: number[] }
  | { kind: 'ellipse'; cx: number; cy: number; a: number; b: number; theta: number };

/** Axis-aligned bounding box of a shape: `[minX, minY, maxX, maxY]`. */
export function shapeBounds(s: Shape): [number, number, number, number] {
  if (s.kind === 'polygon') return [Math.min(...s.xs), Math.min(...s.ys), Math.max(...s.xs), Math.max(...s.ys)];
  const c = Math.cos(s.theta), sn = Math.sin(s.theta);
  const hx = Math.sqrt(s.a * s.a * c * c + s.b * s.b * sn * sn);
  const hy = Math.sqrt(s.a * s.a * sn * sn + s.b * s.b * c * c);
  return [s.cx - hx, s.cy - hy, s.cx + hx, s.cy + hy];
}

/**
 * Draws `shape` of grey level `grey` into `img` (`[height, width]` row-major) with coverage
 * anti-aliasing of `ss x ss` samples per pixel. Pixels far inside (or outside) a polygon are
 * decided from the distance of their centre to its edges, without sampling.
 */
export function drawShape(img: Float32Array, width: number, height: number, shape: Shape, grey: number, ss = 4): void {
  const [x0, y0, x1, y1] = shapeBounds(shape);
  const c0 = Math.max(0, Math.floor(x0)), c1 = Math.min(width - 1, Math.ceil(x1) - 1);
  const r0 = Math.max(0, Math.floor(y0)), r1 = Math.min(height - 1, Math.ceil(y1) - 1);
  const inside = insideTest(shape);
  const edgeDist = shape.kind === 'polygon' ? polygonEdgeDistance(shape) : null;
  const inv = 1 / ss, half = 0.5 / ss;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      let cov: number;
      const d = edgeDist ? edgeDist(c + 0.5, r + 0.5) : 0;
      if (edgeDist && d > 0.7072) cov = 1;
      else if (edgeDist && d < -0.7072) cov = 0;
      else {
        let hits = 0;
        for (let i = 0; i < ss; i++) {
          const py = r + half + i * inv;
          for (let j = 0; j < ss; j++) if (inside(c + half + j * inv, py)) hits++;
        }
        cov = hits / (ss * ss);
      }
      if (cov > 0) {
        const p = r * width + c;
        img[p] = img[p]! * (1 - cov) + grey * cov;
      }
    }
  }
}

function insideTest(s: Shape): (x: number, y: number) => boolean {
  if (s.kind === 'ellipse') {
    const c = Math.cos(s.theta), sn = Math.sin(s.theta), ia = 1 / s.a, ib = 1 / s.b;
    return (x, y) => {
      const dx = x - s.cx, dy = y - s.cy;
      const u = (dx * c + dy * sn) * ia, v = (-dx * sn + dy * c) * ib;
      return u * u + v * v <= 1;
    };
  }
  const d = polygonEdgeDistance(s);
  return (x, y) => d(x, y) >= 0;
}

/**
 * For a convex polygon: the minimum over its edges of the signed distance from (x, y) to the
 * edge's line, positive inside. > 0 means inside; < -r means a disc of radius r is outside.
 */
function polygonEdgeDistance(s: { xs: number[]; ys: number[] }): (x: number, y: number) => number {
  const n = s.xs.length;
  // Orientation: signed area decides which side is inside.
  let area2 = 0;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    area2 += s.xs[i]! * s.ys[j]! - s.xs[j]! * s.ys[i]!;
  }
  const sign = area2 >= 0 ? 1 : -1;
  const nx: number[] = [], ny: number[] = [], off: number[] = [];
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const ex = s.xs[j]! - s.xs[i]!, ey = s.ys[j]! - s.ys[i]!;
    const len = Math.hypot(ex, ey) || 1;
    // Inward normal of a counter-clockwise (area2 > 0) polygon is (-ey, ex).
    const ux = (sign * -ey) / len, uy = (sign * ex) / len;
    nx.push(ux);
    ny.push(uy);
    off.push(-(ux * s.xs[i]! + uy * s.ys[i]!));
  }
  return (x, y) => {
    let m = Infinity;
    for (let i = 0; i < n; i++) {
      const v = nx[i]! * x + ny[i]! * y + off[i]!;
      if (v < m) m = v;
    }
    return m;
  };
}
