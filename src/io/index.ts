// Re-exports only.
export * from './atomic-write.ts';
