// Re-exports only: the data layer's public API.
export * from './dataset.ts';
export * from './data-error.ts';
export * from './data-name-error.ts';
export * from './idx.ts';
export * from './csv.ts';
export * from './user-data.ts';
export * from './binarize.ts';
export * from './batches.ts';
export * from './mnist.ts';
export * from './deform.ts';
export * from './infinite-mnist.ts';
export * from './infinite-mnist-splits.ts';
export * from './shapeset.ts';
export * from './config.ts';
export * from './load.ts';
export * from './split-summary.ts';
export * from './source.ts';
export { renderExampleGrid, writeExampleGrid, type ExampleGridOptions } from './show.ts';
