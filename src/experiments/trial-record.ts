/**
 * The records a trial leaves in the store, built in one place for every executor (the runner's pool
 * or queue, a Slurm task through `runStoredTrial`): the record of a finished or diverged trial, and
 * the failure file of a trial that failed for good.
 */
import type { TrialConfig } from '../train/config.ts';
import type { CodeVersion } from './code-version.ts';
import type { Setting, TrialPhase } from './expand.ts';
import { reproduceCommand } from './reproduce.ts';
import { FAILURE_LOG_BYTES, RECORD_FORMAT, type TrialFailure, type TrialRecord } from './store.ts';
import type { JobOutcome } from './worker-pool.ts';

/** What one trial of a study is, with everything its record needs (a PlannedTrial satisfies it). */
export interface TrialSpec {
  hash: string;
  config: TrialConfig;
  seed: number;
  cell: Setting;
  nuisance: Setting;
  phase?: TrialPhase;
}

/** The record of one finished (or diverged) trial: its config, outcome, code version, times and the command that reproduces it. */
export function buildTrialRecord(experiment: string, t: TrialSpec, outcome: JobOutcome, code: CodeVersion, started: Date, finished: Date, mixedVariant: boolean): TrialRecord {
  return {
    format: RECORD_FORMAT,
    experiment,
    hash: t.hash,
    status: outcome.kind,
    config: t.config,
    seed: t.seed,
    cell: t.cell,
    nuisance: t.nuisance,
    code,
    result: outcome.kind === 'done' ? outcome.result : null,
    error: outcome.kind === 'diverged' ? outcome.message : null,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    command: reproduceCommand(t.config, outcome.variant),
    variant: outcome.variant,
    ...(mixedVariant ? { mixedVariant } : {}),
  };
}

/** The last {@link FAILURE_LOG_BYTES} of a log (whole lines where possible). */
export function logTail(text: string): string {
  if (text.length <= FAILURE_LOG_BYTES) return text;
  const tail = text.slice(-FAILURE_LOG_BYTES);
  const nl = tail.indexOf('\n');
  return `[... ${text.length - FAILURE_LOG_BYTES} earlier characters cut]\n${nl >= 0 && nl < 1000 ? tail.slice(nl + 1) : tail}`;
}

/** The failure file of a trial that failed for good. */
export function buildTrialFailure(
  experiment: string,
  t: TrialSpec,
  e: { message: string; stack?: string },
  o: { executor: TrialFailure['executor']; code: CodeVersion; job?: string | null; attempts: number; log?: string | null; logPath?: string | null },
): TrialFailure {
  return {
    format: RECORD_FORMAT,
    experiment,
    hash: t.hash,
    config: t.config,
    seed: t.seed,
    cell: t.cell,
    nuisance: t.nuisance,
    code: o.code,
    executor: o.executor,
    job: o.job ?? null,
    attempts: o.attempts,
    message: e.message,
    stack: e.stack ?? '',
    log: o.log == null ? null : logTail(o.log),
    logPath: o.logPath ?? null,
    failedAt: new Date().toISOString(),
  };
}
