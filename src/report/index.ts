// Re-exports only: the HTML report and its charts.
export * from './build-report.ts';
export * from './filter-grid.ts';
export * from './protocol-section.ts';
