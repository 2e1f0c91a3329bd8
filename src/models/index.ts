// Re-exports only.
export * from './conv-dae.ts';
export * from './corruption.ts';
export * from './dae.ts';
export * from './marginals.ts';
export * from './mlp.ts';
export * from './rbm.ts';
export * from './stack.ts';
