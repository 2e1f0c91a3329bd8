/** Error for wrong command-line usage (exit code 2); the message says what to type instead. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit code for an error: 2 for usage and configuration mistakes (a port already in use included), 1 for everything else. */
export function exitCodeFor(e: unknown): number {
  const n = (e as Error)?.name;
  return ['UsageError', 'SlurmError', 'ServeError', 'RedisUrlError', 'QueueOptionError', 'ExperimentError', 'UnknownKeyError', 'ConfigError', 'LayerSpecError', 'ReportError', 'BackendUnavailableError', 'MixedVariantError', 'DataNameError', 'OnnxExportError'].includes(n) ? 2 : 1;
}
