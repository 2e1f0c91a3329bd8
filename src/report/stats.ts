/** Small descriptive statistics used by model selection and the report. */

/** Arithmetic mean (NaN for an empty list). */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample variance with Bessel's correction (n - 1); 0 for one value, NaN for none. */
export function variance(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  if (xs.length === 1) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return s / (xs.length - 1);
}

/** Sample standard deviation (n - 1). */
export function std(xs: readonly number[]): number {
  return Math.sqrt(variance(xs));
}

/** Quantile by linear interpolation between order statistics (type 7, as R and numpy). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/**
 * Cohen's d of `a` minus `b`: difference of means over the pooled standard deviation
 * `sqrt(((na-1) sa^2 + (nb-1) sb^2) / (na + nb - 2))`. NaN when undefined.
 */
export function cohensD(a: readonly number[], b: readonly number[]): number {
  const na = a.length, nb = b.length;
  if (na < 2 || nb < 2) return NaN;
  const pooled = Math.sqrt(((na - 1) * variance(a) + (nb - 1) * variance(b)) / (na + nb - 2));
  return pooled === 0 ? NaN : (mean(a) - mean(b)) / pooled;
}
