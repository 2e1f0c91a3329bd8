// Re-exports only.
export * from './conv-geometry.ts';
export * from './conv2d.ts';
export * from './dense-params.ts';
export * from './dense.ts';
export * from './fused-update.ts';
export * from './init.ts';
export * from './layer.ts';
export * from './losses.ts';
export * from './optimizer.ts';
export * from './penalties.ts';
export * from './sgd.ts';
export * from './activation-layer.ts';
export * from './layer-update.ts';
export * from './image-shape.ts';
export * from './pool2d.ts';
