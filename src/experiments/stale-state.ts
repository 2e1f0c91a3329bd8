/**
 * A study's trials run with `resume: true`, so a trial killed mid-way continues from its checkpoint
 * directory. A directory written by another config of the same hash (a pretrain-lab version whose
 * configs had other keys) or by another numeric variant cannot be continued (`StaleStateError`);
 * then the study moves that directory aside, intact, and starts the trial over, once, with a
 * warning naming both directories, instead of stopping the sweep on a file the user would have to
 * find and delete. Finished trials are never touched (they have records and do not run).
 */
import * as fs from 'node:fs';
import type { TrialConfig } from '../train/config.ts';
import type { TrialResult } from '../train/trial-result.ts';
import type { TrialFunction, TrialFunctionOptions } from './trial-function.ts';

/** `<dir>.stale-<UTC time>`, made unique with `-2`, `-3`, ... if taken. */
function asideName(dir: string, now: Date): string {
  const base = `${dir}.stale-${now.toISOString().replace(/[:.]/g, '-')}`;
  let name = base;
  for (let i = 2; fs.existsSync(name); i++) name = `${base}-${i}`;
  return name;
}

/**
 * Runs `fn(config, opts)`; when it throws a StaleStateError and `opts.checkpointDir` is set, renames
 * that directory to `<dir>.stale-<time>`, tells `warn`, and runs the trial once more from the start.
 * A second StaleStateError (or any other error) propagates.
 */
export async function runRestartingStale(fn: TrialFunction, config: TrialConfig, opts: TrialFunctionOptions, warn: (message: string) => void, now: () => Date = () => new Date()): Promise<TrialResult> {
  try {
    return await fn(config, opts);
  } catch (e) {
    const dir = opts.checkpointDir;
    if ((e as Error)?.name !== 'StaleStateError' || !opts.resume || !dir || !fs.existsSync(dir)) throw e;
    const aside = asideName(dir, now());
    fs.renameSync(dir, aside);
    warn(`its saved state cannot be continued by this run (${(e as Error).message.split('; ')[0]}); moved ${dir} aside to ${aside} (delete it once you do not need it) and started the trial over`);
    return fn(config, opts);
  }
}
