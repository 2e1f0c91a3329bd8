/**
 * Where one arm's mean test error crosses below another's along a numeric factor: the layer width
 * above which pre-training helps (Erhan et al. 2010, Section 7.3, Figure 9: "pre-training hurts for
 * smaller layer sizes ... but it helps for all depths for larger networks").
 */

/** The crossing of one arm with its baseline along the levels of a numeric factor. */
export type Crossing =
  /** Below at `to` and every larger level, not below at `from`: crosses at `x` (interpolated) in between. */
  | { kind: 'crosses'; x: number; from: number; to: number }
  /** Below at every level: the crossing, if any, lies below the smallest level. */
  | { kind: 'below-everywhere'; x: null }
  /** Not below at the largest level (or no level has data): no crossing in the range. */
  | { kind: 'not-below'; x: null };

/**
 * `levels` ascending-or-not with `differences[i]` = arm mean minus baseline mean at `levels[i]`
 * (negative: the arm is better; NaN: missing, skipped). Finds the smallest level from which every
 * larger level has a negative difference, and interpolates the zero of the difference linearly
 * between it and the level before (in log x when `logX`, as the chart draws it).
 */
export function crossingPoint(levels: readonly number[], differences: readonly number[], logX: boolean): Crossing {
  const pts = levels
    .map((x, i) => ({ x, d: differences[i]! }))
    .filter((p) => Number.isFinite(p.d) && (!logX || p.x > 0))
    .sort((a, b) => a.x - b.x);
  if (pts.length === 0 || pts.at(-1)!.d >= 0) return { kind: 'not-below', x: null };
  let k = pts.length - 1;
  while (k > 0 && pts[k - 1]!.d < 0) k--;
  if (k === 0) return { kind: 'below-everywhere', x: null };
  const a = pts[k - 1]!, b = pts[k]!;
  const t = a.d / (a.d - b.d); // in [0, 1): a.d >= 0 > b.d
  const x = logX ? Math.exp(Math.log(a.x) + t * (Math.log(b.x) - Math.log(a.x))) : a.x + t * (b.x - a.x);
  return { kind: 'crosses', x, from: a.x, to: b.x };
}
