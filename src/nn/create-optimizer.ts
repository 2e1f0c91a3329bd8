import type { Backend } from '../tensor/kernels.ts';
import { Adam, type AdamConfig } from './adam.ts';
import type { Param } from './layer.ts';
import { Sgd, type SgdConfig, type SgdOptions } from './sgd.ts';

/** The optimisers a config can name. */
export const OPTIMIZERS = ['sgd', 'adam', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** What {@link createOptimizer} reads: the `finetune` config section's optimiser keys. */
export interface OptimizerConfig extends SgdConfig, Omit<AdamConfig, 'lrDecay'> {
  optimizer: OptimizerName;
}

/**
 * The optimiser a config names, over `params`: `sgd` is {@link Sgd} (momentum, `lr`, `lrDecay`,
 * `l1`, `l2`); `adam` and `adamw` are {@link Adam} (`lr`, `beta1`, `beta2`, `eps`, `l1`, `l2`;
 * `adamw` adds the decoupled `weightDecay`). The config schema and `validateTrialConfig` check the
 * values; a `weightDecay` without `adamw` is refused here too (it would be silently ignored).
 */
export function createOptimizer(backend: Backend, params: readonly Param[], cfg: OptimizerConfig, sgdOptions: SgdOptions = {}): Sgd | Adam {
  if (cfg.optimizer === 'sgd') {
    if (cfg.weightDecay !== 0) throw new RangeError(`createOptimizer: weightDecay ${cfg.weightDecay} is AdamW's; use optimizer 'adamw', or l2 with 'sgd'`);
    return new Sgd(backend, params, cfg, sgdOptions);
  }
  if (cfg.optimizer === 'adam' && cfg.weightDecay !== 0) {
    throw new RangeError(`createOptimizer: weightDecay ${cfg.weightDecay} is AdamW's decoupled decay; use optimizer 'adamw' (or l2 for Adam's coupled penalty)`);
  }
  const { lr, beta1, beta2, eps, l1, l2, weightDecay, lrDecay } = cfg;
  return new Adam(backend, params, { lr, beta1, beta2, eps, l1, l2, weightDecay, lrDecay });
}
