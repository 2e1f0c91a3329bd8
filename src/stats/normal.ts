/**
 * The standard normal distribution's tail, for the Wilcoxon signed-rank test's normal approximation.
 * `erfc` is computed to about 1e-15 relative error: by the series
 * `erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1 3 5 ... (2n+1))` (positive terms, no
 * cancellation) for `|x| < 1`, and by the continued fraction
 * `erfc(x) = e^{-x^2}/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))` (modified Lentz) for `x >= 1`.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const TINY = 1e-300;

/** `erf(x)` for `|x| < 1` by the series above. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** `erfc(x)` for `x >= 1` by the continued fraction above (a_k = k/2, b_k = x). */
function erfcFraction(x: number): number {
  let f = x, c = x, d = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < TINY ? TINY : d;
    c = x + a / c;
    c = Math.abs(c) < TINY ? TINY : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** Complementary error function `erfc(x) = 1 - erf(x) = 2/sqrt(pi) int_x^inf e^{-t^2} dt`. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 1) return x > 27.3 ? 0 : erfcFraction(x);
  if (x > -1) return 1 - erfSeries(x);
  return 2 - erfc(-x);
}

/** Standard normal CDF `Phi(z) = erfc(-z / sqrt 2) / 2`. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Two-sided p-value `P(|Z| >= |z|) = erfc(|z| / sqrt 2)` of a standard normal statistic. NaN for NaN. */
export function normalTwoSided(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}
