/** The `--memory-limit <GB>` option of `run` and `train`: the memory a trial (or a run's workers together) may use. */
import { DEFAULT_MEMORY_FRACTION, MEMORY_LIMIT_ENV } from '../train/memory-estimate.ts';
import { UsageError } from './errors.ts';

export const MEMORY_LIMIT_HELP =
  `memory (GB) a trial may need by its estimate, shared among the workers of a run; default ${DEFAULT_MEMORY_FRACTION * 100}% of physical memory (also ${MEMORY_LIMIT_ENV}=<GB>)`;

/**
 * Sets the memory limit for this process and its workers (through `PRETRAIN_LAB_MEMORY_LIMIT`)
 * when the option is given; call before any trial starts.
 * @throws UsageError when the value is not a positive number
 */
export function memoryLimitFlag(value: unknown): void {
  if (value === undefined) return;
  const gb = Number(value);
  if (!(gb > 0) || !Number.isFinite(gb)) throw new UsageError(`--memory-limit must be a positive number of GB, e.g. --memory-limit=16 (got '${String(value)}')`);
  process.env[MEMORY_LIMIT_ENV] = String(gb);
}
