// pretrain-lab public API: re-exports only.
export * from './tensor/index.ts';
export * from './rng/index.ts';
export * from './backends/index.ts';
