/**
 * Direct labels at the ends of lines, moved apart so that none overlaps another: a greedy
 * vertical nudge in pixel space (labels keep their order; each is moved as little as the ones
 * above it require, then the stack is pushed back inside the plot if it ran off the bottom).
 */

/**
 * Positions (pixels, y down) for labels wanted at `ys`, at least `gap` apart, within
 * [`top`, `bottom`] when they fit there. Returned in the order of `ys`.
 * @example spreadLabels([100, 101, 102], 12, 0, 300) // [100, 112, 124]
 */
export function spreadLabels(ys: readonly number[], gap: number, top: number, bottom: number): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y || a.i - b.i);
  const pos = order.map((o) => o.y);
  for (let k = 0; k < pos.length; k++) pos[k] = Math.max(pos[k]!, k === 0 ? top : pos[k - 1]! + gap);
  for (let k = pos.length - 1; k >= 0; k--) pos[k] = Math.min(pos[k]!, k === pos.length - 1 ? bottom : pos[k + 1]! - gap);
  const out = new Array<number>(ys.length);
  order.forEach((o, k) => (out[o.i] = pos[k]!));
  return out;
}
