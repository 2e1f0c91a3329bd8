/**
 * Holm's step-down correction for multiple comparisons (Holm 1979), applied across the
 * comparisons of one study (issue 10), controlling the family-wise error rate.
 */

/**
 * Holm-adjusted p-values, in the input order. With the m defined p-values sorted ascending,
 * `p_(1) <= ... <= p_(m)`, the adjusted value of the i-th is
 * `max_{j <= i} min(1, (m - j + 1) p_(j))` (a running maximum keeps the order). Rejecting where the
 * adjusted p < alpha is Holm's procedure at level alpha. NaN p-values (tests that could not be
 * computed) stay NaN and do not count in m. Ties keep their input order (the result does not depend on it).
 */
export function holmAdjust(p: readonly number[]): number[] {
  const idx = p.map((_, i) => i).filter((i) => !Number.isNaN(p[i]!));
  idx.sort((i, j) => p[i]! - p[j]! || i - j);
  const m = idx.length;
  const out = p.map(() => NaN);
  let running = 0;
  idx.forEach((i, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p[i]!));
    out[i] = running;
  });
  return out;
}
