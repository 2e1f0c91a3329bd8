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

/** Quantile `q` in [0, 1] by linear interpolation between order statistics (type 7, as R and numpy); NaN for none. */
export function quantile(xs: readonly number[], q: number): number {
  return d3.quantile(xs, q) ?? NaN;
}
