// Re-exports only.
export * from './checkpoint.ts';
export * from './config.ts';
export * from './config-keys.ts';
export * from './divergence.ts';
export * from './early-stopping.ts';
export * from './evaluate.ts';
export * from './finetune.ts';
export * from './hooks.ts';
export * from './model-checkpoint.ts';
export * from './online.ts';
export * from './pretrain-checkpoint.ts';
export * from './pretrain.ts';
export * from './trial-result.ts';
export * from './trial.ts';
export * from './validate.ts';
export * from './checkpoint-variant.ts';
