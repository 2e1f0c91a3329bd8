/**
 * Descriptive statistics of a list of numbers, as model selection and the report use them.
 * Computed by d3-array; these wrappers only fix what an empty or one-value list gives. Like
 * d3-array, they skip NaN values.
 */
import * as d3 from 'd3-array';

/** Arithmetic mean (NaN for an empty list). */
export function mean(xs: readonly number[]): number {
  return d3.mean(xs) ?? NaN;
}

/** Sample variance with Bessel's correction (n - 1); 0 for one value, NaN for none. */
export function variance(xs: readonly number[]): number {
  if (xs.length === 1) return 0;
  return d3.variance(xs) ?? NaN;
}

/** Sample standard deviation (n - 1); 0 for one value, NaN for none. */
export function std(xs: readonly number[]): number {
  return Math.sqrt(variance(xs));
}

/**
 * Sample standard deviation (n - 1) of differences `d_i = a_i - b_i`, or 0 when it is only
 * floating-point round-off: test errors such as 0.0193 - 0.0192 and 0.0201 - 0.0200 differ in
 * their last bits (sd ~2e-18), which would make a paired t or d_z of ~1e14 out of differences that
 * are all equal. "Round-off" is at most 1e-12 of the largest |a_i|, |b_i|.
 */
export function stdOfDifferences(d: readonly number[], a: readonly number[], b: readonly number[]): number {
  const s = std(d);
  let scale = 0;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  return s <= 1e-12 * scale ? 0 : s;
}

/** Quantile `q` in [0, 1] by linear interpolation between order statistics (type 7, as R and numpy); NaN for none. */
export function quantile(xs: readonly number[], q: number): number {
  return d3.quantile(xs, q) ?? NaN;
}
