// pretrain-lab public API: re-exports only.
export * from './tensor/index.ts';
export * from './rng/index.ts';
export * from './backends/index.ts';
export * from './data/index.ts';
export * from './nn/index.ts';
export * from './models/index.ts';
export * from './train/index.ts';
export * from './io/index.ts';
export * from './stats/index.ts';
export * from './experiments/index.ts';
export * from './report/index.ts';
export * from './export/index.ts';
export * from './analysis/index.ts';
