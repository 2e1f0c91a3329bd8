/**
 * A plain-loop float64 reference of normalisation, written for the tests from the papers' own
 * equations rather than from the kernels' factored backward: Ioffe & Szegedy 2015, Algorithm 1
 * (forward) and the chain rule of Section 3 through the mean and the variance (backward). Batch
 * and group normalisation differ only in the sets of numbers that share statistics, so one
 * function takes those sets.
 */

/** Forward and backward of `y = gamma_c (x - mu_S) / sqrt(var_S + eps) + beta_c` over index sets S. */
export interface NormReference {
  y: Float64Array;
  dx: Float64Array;
  dgamma: Float64Array;
  dbeta: Float64Array;
  /** Per set: mean and biased variance. */
  mean: Float64Array;
  variance: Float64Array;
}

/**
 * @param x the inputs, NHWC (`channel(i) = i % channels`)
 * @param sets the index sets normalised together (each index in exactly one set)
 * @param dy the upstream gradient (same length as x)
 */
export function normReference(
  x: ArrayLike<number>, dy: ArrayLike<number>, sets: number[][], channels: number,
  gamma: ArrayLike<number>, beta: ArrayLike<number>, eps: number,
): NormReference {
  const n = x.length;
  const y = new Float64Array(n), dx = new Float64Array(n);
  const dgamma = new Float64Array(channels), dbeta = new Float64Array(channels);
  const mean = new Float64Array(sets.length), variance = new Float64Array(sets.length);
  sets.forEach((set, s) => {
    const m = set.length;
    let mu = 0;
    for (const i of set) mu += x[i]!;
    mu /= m;
    let v = 0;
    for (const i of set) v += (x[i]! - mu) ** 2;
    v /= m;
    mean[s] = mu;
    variance[s] = v;
    const sd = Math.sqrt(v + eps);
    // forward
    for (const i of set) y[i] = gamma[i % channels]! * ((x[i]! - mu) / sd) + beta[i % channels]!;
    // backward through xh, then var, then mu (Ioffe & Szegedy 2015, Section 3)
    let dvar = 0, dmu = 0, sumCentered = 0;
    for (const i of set) {
      const dxh = dy[i]! * gamma[i % channels]!;
      dvar += dxh * (x[i]! - mu) * -0.5 * (v + eps) ** -1.5;
      dmu += -dxh / sd;
      sumCentered += x[i]! - mu;
      dgamma[i % channels]! += dy[i]! * ((x[i]! - mu) / sd);
      dbeta[i % channels]! += dy[i]!;
    }
    dmu += (dvar * -2 * sumCentered) / m;
    for (const i of set) dx[i] = (dy[i]! * gamma[i % channels]!) / sd + (dvar * 2 * (x[i]! - mu)) / m + dmu / m;
  });
  return { y, dx, dgamma, dbeta, mean, variance };
}

/** Batch norm's sets: one per channel, over every row of the `[rows, channels]` view. */
export function channelSets(rows: number, channels: number): number[][] {
  return Array.from({ length: channels }, (_, c) => Array.from({ length: rows }, (_, r) => r * channels + c));
}

/** Group norm's sets: one per (example, group), over the example's S positions and the group's channels. */
export function groupSets(batch: number, spatial: number, channels: number, groups: number): number[][] {
  const per = channels / groups, sets: number[][] = [];
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const set: number[] = [];
      for (let s = 0; s < spatial; s++) for (let k = 0; k < per; k++) set.push((n * spatial + s) * channels + g * per + k);
      sets.push(set);
    }
  }
  return sets;
}
