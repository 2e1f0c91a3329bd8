/**
 * Least-squares fit of a parabola `y = c0 + c1 x + c2 x^2` (Erhan et al. 2010, Fig. 7 made a number:
 * the curvature of a loss slice near its centre is `c2`, half the second derivative along the slice).
 */

/** Coefficients of `y = c0 + c1 x + c2 x^2`. */
export interface Quadratic {
  c0: number;
  c1: number;
  c2: number;
}

/**
 * The least-squares parabola through the points `(xs[i], ys[i])`, from the 3x3 normal equations
 * solved in float64 on x centred and scaled to unit spread (then mapped back), so a narrow window
 * around 0 loses no precision. Points whose y is not finite are skipped.
 * @throws RangeError with fewer than 3 distinct finite x values, or lists of different lengths
 */
export function fitQuadratic(xs: readonly number[], ys: ArrayLike<number>): Quadratic {
  if (xs.length !== ys.length) throw new RangeError(`fitQuadratic: ${xs.length} x values but ${ys.length} y values`);
  const px: number[] = [], py: number[] = [];
  xs.forEach((x, i) => {
    const y = ys[i]!;
    if (Number.isFinite(x) && Number.isFinite(y)) (px.push(x), py.push(y));
  });
  if (new Set(px).size < 3) throw new RangeError(`fitQuadratic: need at least 3 distinct points with finite values, got ${new Set(px).size}`);
  const n = px.length;
  const m = px.reduce((a, b) => a + b, 0) / n;
  const s = Math.sqrt(px.reduce((a, x) => a + (x - m) ** 2, 0) / n);
  // Normal equations in u = (x - m) / s: sums of u^k (k = 0..4) and of y u^k (k = 0..2).
  const su = [0, 0, 0, 0, 0], sy = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const u = (px[i]! - m) / s;
    let p = 1;
    for (let k = 0; k <= 4; k++) {
      su[k]! += p;
      if (k <= 2) sy[k]! += py[i]! * p;
      p *= u;
    }
  }
  const [d0, d1, d2] = solve3(
    [
      [su[0]!, su[1]!, su[2]!],
      [su[1]!, su[2]!, su[3]!],
      [su[2]!, su[3]!, su[4]!],
    ],
    sy as [number, number, number],
  );
  // y = d0 + d1 u + d2 u^2 with u = (x - m) / s.
  const c2 = d2 / (s * s);
  const c1 = d1 / s - (2 * d2 * m) / (s * s);
  const c0 = d0 - (d1 * m) / s + (d2 * m * m) / (s * s);
  return { c0, c1, c2 };
}

/** Solves the 3x3 system `a z = b` by Gaussian elimination with partial pivoting. */
function solve3(a: number[][], b: [number, number, number]): [number, number, number] {
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < 3; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < 4; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const z = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    let acc = m[r]![3]!;
    for (let k = r + 1; k < 3; k++) acc -= m[r]![k]! * z[k]!;
    z[r] = acc / m[r]![r]!;
  }
  return z as [number, number, number];
}
