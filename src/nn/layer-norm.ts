/**
 * Layer normalisation (Ba, Kiros & Hinton 2016): each example normalised over all of its
 * features, `y = gamma_c (x - mu) / sqrt(var + eps) + beta_c` with mu and var over the S * C
 * numbers of the row. It is group normalisation with one group (Wu & He 2018, Figure 2), so it is
 * a {@link GroupNorm}; as there, gamma and beta are per channel.
 */
import type { Backend } from '../tensor/kernels.ts';
import { GroupNorm, type GroupNormOptions } from './group-norm.ts';

/**
 * A layer normalisation layer over `[batch, spatial * channels]` rows (NHWC; spatial 1 after a
 * dense layer): `new GroupNorm(backend, channels, spatial, 1, options)`.
 */
export function layerNorm(backend: Backend, channels: number, spatial: number, options: GroupNormOptions = {}): GroupNorm {
  return new GroupNorm(backend, channels, spatial, 1, options);
}
