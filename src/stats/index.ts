// Statistics below model selection and the report: descriptive statistics, Student's t, Welch's test. Re-exports only.
export * from './descriptive.ts';
export * from './cohens-d.ts';
export * from './student-t.ts';
export * from './welch.ts';
export * from './mean-ci.ts';
export * from './quadratic-fit.ts';
