// Re-exports only: the HTML report, its charts and statistics.
export * from './build-report.ts';
export * from './stats.ts';
export * from './welch.ts';
export * from './t-distribution.ts';
export * from './filter-grid.ts';
