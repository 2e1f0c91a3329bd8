/**
 * Types of the few d3-array functions that `src/stats/` uses (d3-array ships no declarations).
 * Each skips null, undefined and NaN values, and returns undefined when nothing is left
 * (`variance`: fewer than two values).
 */
declare module 'd3-array' {
  export function mean(values: Iterable<number>): number | undefined;
  export function variance(values: Iterable<number>): number | undefined;
  export function quantile(values: Iterable<number>, p: number): number | undefined;
}
