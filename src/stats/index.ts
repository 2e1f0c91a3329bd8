// Statistics below model selection and the report: descriptive statistics, Student's t, the normal tail,
// Welch's and the paired t-test, Wilcoxon's signed-rank test, bootstrap intervals, Holm's correction. Re-exports only.
export * from './descriptive.ts';
export * from './cohens-d.ts';
export * from './student-t.ts';
export * from './normal.ts';
export * from './welch.ts';
export * from './paired-t.ts';
export * from './wilcoxon.ts';
export * from './bootstrap.ts';
export * from './holm.ts';
export * from './mean-ci.ts';
export * from './quadratic-fit.ts';
export * from './seeded-comparison.ts';
