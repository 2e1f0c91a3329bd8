/**
 * The reference (specification) bodies of the normalisation and dropout kernels of
 * `ModernKernels` (`src/tensor/kernels.ts`): batch normalisation (Ioffe & Szegedy 2015), the
 * per-channel affine map of its evaluation mode, group normalisation (Wu & He 2018; layer
 * normalisation is one group) and inverted dropout's mask (Srivastava et al. 2014).
 *
 * Plain loops, never optimised. Statistics are accumulated in float64 (JavaScript numbers) and
 * stored in the backend's dtype; the normalised outputs and the backward passes then use the
 * stored (rounded) `mean` and `invStd`, so forward and backward agree on the numbers a layer
 * keeps. Shapes were checked by `checkedKernels`.
 */
import type { ModernKernels } from '../../tensor/kernels.ts';
import type { Matrix } from '../../tensor/matrix.ts';

/** The kernels of this file, as a backend spreads them. */
export type NormKernels = Pick<
  ModernKernels,
  'batchNormForward' | 'channelAffine' | 'batchNormBackward' | 'groupNormForward' | 'groupNormBackward' | 'dropoutMask'
>;

/**
 * The norm group's kernels for a reference backend.
 * @param own throws unless every matrix belongs to this backend (the backend's ownership check)
 */
export function referenceNormKernels(own: (op: string, ...ms: Matrix[]) => void): NormKernels {
  return {
    batchNormForward(x, channels, gamma, beta, eps, mean, invStd, y) {
      own('batchNormForward', x, gamma, beta, mean, invStd, y);
      const X = x.data, Y = y.data, G = gamma.data, B = beta.data, M = mean.data, S = invStd.data;
      const C = channels, rows = x.size / C;
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += X[r * C + c]!;
        const mu = sum / rows;
        let sq = 0;
        for (let r = 0; r < rows; r++) sq += (X[r * C + c]! - mu) ** 2;
        M[c] = mu;
        S[c] = 1 / Math.sqrt(sq / rows + eps);
      }
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < C; c++) Y[r * C + c] = G[c]! * (X[r * C + c]! - M[c]!) * S[c]! + B[c]!;
      }
    },

    channelAffine(x, channels, mean, invStd, gamma, beta, y) {
      own('channelAffine', x, mean, invStd, gamma, beta, y);
      const X = x.data, Y = y.data, G = gamma.data, B = beta.data, M = mean.data, S = invStd.data;
      const C = channels, rows = x.size / C;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < C; c++) Y[r * C + c] = G[c]! * (X[r * C + c]! - M[c]!) * S[c]! + B[c]!;
      }
    },

    batchNormBackward(x, dy, channels, mean, invStd, gamma, dx, dgamma, dbeta) {
      own('batchNormBackward', x, dy, mean, invStd, gamma, dx, dgamma, dbeta);
      const X = x.data, D = dy.data, O = dx.data, G = gamma.data, M = mean.data, S = invStd.data;
      const DG = dgamma.data, DB = dbeta.data;
      const C = channels, rows = x.size / C;
      for (let c = 0; c < C; c++) {
        let sumDy = 0, sumDyXh = 0;
        for (let r = 0; r < rows; r++) {
          const xh = (X[r * C + c]! - M[c]!) * S[c]!;
          sumDy += D[r * C + c]!;
          sumDyXh += D[r * C + c]! * xh;
        }
        DG[c] = sumDyXh;
        DB[c] = sumDy;
        for (let r = 0; r < rows; r++) {
          const xh = (X[r * C + c]! - M[c]!) * S[c]!;
          O[r * C + c] = ((G[c]! * S[c]!) / rows) * (rows * D[r * C + c]! - sumDy - xh * sumDyXh);
        }
      }
    },

    groupNormForward(x, channels, groups, gamma, beta, eps, mean, invStd, y) {
      own('groupNormForward', x, gamma, beta, mean, invStd, y);
      const X = x.data, Y = y.data, G = gamma.data, B = beta.data, M = mean.data, S = invStd.data;
      const C = channels, per = C / groups, spatial = x.cols / C, m = spatial * per;
      for (let n = 0; n < x.rows; n++) {
        for (let g = 0; g < groups; g++) {
          const at = (s: number, k: number): number => n * x.cols + s * C + g * per + k;
          let sum = 0;
          for (let s = 0; s < spatial; s++) for (let k = 0; k < per; k++) sum += X[at(s, k)]!;
          const mu = sum / m;
          let sq = 0;
          for (let s = 0; s < spatial; s++) for (let k = 0; k < per; k++) sq += (X[at(s, k)]! - mu) ** 2;
          M[n * groups + g] = mu;
          S[n * groups + g] = 1 / Math.sqrt(sq / m + eps);
          const mu32 = M[n * groups + g]!, is32 = S[n * groups + g]!;
          for (let s = 0; s < spatial; s++) {
            for (let k = 0; k < per; k++) {
              const c = g * per + k;
              Y[at(s, k)] = G[c]! * (X[at(s, k)]! - mu32) * is32 + B[c]!;
            }
          }
        }
      }
    },

    groupNormBackward(x, dy, channels, groups, mean, invStd, gamma, dx, dgamma, dbeta) {
      own('groupNormBackward', x, dy, mean, invStd, gamma, dx, dgamma, dbeta);
      const X = x.data, D = dy.data, O = dx.data, G = gamma.data, M = mean.data, S = invStd.data;
      const C = channels, per = C / groups, spatial = x.cols / C, m = spatial * per;
      const dg = new Float64Array(C), db = new Float64Array(C);
      for (let n = 0; n < x.rows; n++) {
        for (let g = 0; g < groups; g++) {
          const at = (s: number, k: number): number => n * x.cols + s * C + g * per + k;
          const mu = M[n * groups + g]!, is = S[n * groups + g]!;
          let sumDxh = 0, sumDxhXh = 0;
          for (let s = 0; s < spatial; s++) {
            for (let k = 0; k < per; k++) {
              const c = g * per + k, xh = (X[at(s, k)]! - mu) * is, d = D[at(s, k)]!;
              dg[c]! += d * xh;
              db[c]! += d;
              sumDxh += d * G[c]!;
              sumDxhXh += d * G[c]! * xh;
            }
          }
          for (let s = 0; s < spatial; s++) {
            for (let k = 0; k < per; k++) {
              const c = g * per + k, xh = (X[at(s, k)]! - mu) * is;
              O[at(s, k)] = (is / m) * (m * D[at(s, k)]! * G[c]! - sumDxh - xh * sumDxhXh);
            }
          }
        }
      }
      dgamma.data.set(dg);
      dbeta.data.set(db);
    },

    dropoutMask(u, keep, mask) {
      own('dropoutMask', u, mask);
      const U = u.data, K = mask.data;
      for (let i = 0; i < K.length; i++) K[i] = U[i]! < keep ? 1 / keep : 0;
    },
  };
}
