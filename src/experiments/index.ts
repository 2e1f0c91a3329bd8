// Experiments: declarative definitions, expansion, run store, runner, selection. Re-exports only.
export * from './json-data.ts';
export * from './define.ts';
export * from './schema.ts';
export * from './expand.ts';
export * from './hash.ts';
export * from './select.ts';
export * from './store.ts';
export * from './lock.ts';
export * from './runner.ts';
export * from './registry.ts';
export * from './trial-function.ts';
export * from './code-version.ts';
export * from './reproduce.ts';
export * from './variant-guard.ts';
