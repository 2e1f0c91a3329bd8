// Re-exports only: analyses hooked into training (probe outputs, weight snapshots) and run on
// trained networks (landscape slices).
export * from './combine-hooks.ts';
export * from './probe-recorder.ts';
export * from './weight-snapshots.ts';
export * from './landscape.ts';
export * from './trial-analyses.ts';
export * from './trajectory-set.ts';
export * from './function-distances.ts';
export * from './embed-points.ts';
export * from './embedding-cache.ts';
export * from './trial-landscape.ts';
export * from './activation-maximization.ts';
export * from './weight-change.ts';
export * from './unit-patterns.ts';
export * from './analysed-trial.ts';
