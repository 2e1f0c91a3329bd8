// Statistics below model selection and the report: descriptive statistics, Student's t, Welch's test. Re-exports only.
export * from './descriptive.ts';
export * from './cohens-d.ts';
export * from './student-t.ts';
export * from './welch.ts';
export * from './mean-difference.ts';
