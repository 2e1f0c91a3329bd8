/**
 * The error for an invalid configuration value: its message names the key, the value given and
 * what is allowed. Defined here, at the lowest layer that reads configuration (the data section),
 * so that `loadData` can refuse a size it cannot serve; `src/train/config.ts` re-exports it as the
 * error of the whole trial config.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
