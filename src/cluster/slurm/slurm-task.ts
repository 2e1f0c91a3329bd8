/**
 * One array task (`pretrain-lab worker --slurm-tasks <file>`): reads its entry of the tasks file
 * (index `SLURM_ARRAY_TASK_ID`), refuses to run under another code version than the submitter's
 * (the records would not be comparable), and runs the trial against the shared store with
 * `runStoredTrial`: claimed, resumed from its checkpoint, its record (or failure file, with the tail
 * of this task's log) written atomically. SIGTERM (preemption, `scontrol requeue`, the time limit)
 * stops the trial and releases its claim (runStoredTrial listens for it); the checkpoint stays for
 * the requeued task.
 */
import * as path from 'node:path';
import { codeVersion } from '../../experiments/code-version.ts';
import { codeMismatch } from './code-mismatch.ts';
import { RunStore } from '../../experiments/store.ts';
import { runStoredTrial } from '../../experiments/stored-trial.ts';
import { buildTrialFailure } from '../../experiments/trial-record.ts';
import { SlurmError } from './slurm-error.ts';
import { logDir } from './submissions.ts';
import { readTasksFile } from './tasks-file.ts';

/** Exit code of a task stopped by SIGTERM (128 + 15): Slurm requeues it when it was preempted or requeued. */
export const INTERRUPTED_EXIT = 143;

/** `SLURM_ARRAY_JOB_ID_SLURM_ARRAY_TASK_ID` (as in the log's name `%A_%a`), or the plain job id, or undefined outside Slurm. */
function jobName(env: NodeJS.ProcessEnv): string | undefined {
  const a = env['SLURM_ARRAY_JOB_ID'];
  const i = env['SLURM_ARRAY_TASK_ID'];
  if (a && i !== undefined) return `${a}_${i}`;
  return env['SLURM_JOB_ID'];
}

/**
 * Runs entry `index` of the tasks file `file`; resolves to the task's exit code: 0 for a record
 * written (done or diverged) or already there, 1 for a failure (its failure file written), 143
 * when interrupted by SIGTERM.
 * @throws SlurmError when the file is unreadable or the index out of range
 */
export async function runSlurmTask(file: string, index: number, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const tasks = readTasksFile(file);
  const entry = tasks.tasks[index];
  if (!Number.isInteger(index) || !entry) {
    throw new SlurmError(`task index ${index} is not in ${file} (it holds tasks 0..${tasks.tasks.length - 1}): pass --task-index or run under Slurm (SLURM_ARRAY_TASK_ID).`);
  }
  const t = entry.trial;
  const job = jobName(env);
  const logPath = job && env['SLURM_ARRAY_JOB_ID'] ? path.join(logDir(tasks.storeDir), `${job}.out`) : undefined;
  const say = (m: string): void => void process.stderr.write(`pretrain-lab task ${job ?? index}: ${m}\n`);
  const mismatch = codeMismatch(codeVersion(), tasks.code);
  if (mismatch) {
    say(mismatch);
    new RunStore(tasks.storeDir).writeFailure(
      buildTrialFailure(entry.experiment, t, { message: mismatch }, { executor: 'slurm', code: codeVersion(), job: job ?? null, attempts: 1, log: null, logPath: logPath ?? null }),
    );
    return 1;
  }
  const restarts = Number(env['SLURM_RESTART_COUNT'] ?? 0);
  say(`trial ${t.hash.slice(0, 12)} of '${entry.experiment}' (${JSON.stringify({ ...t.cell, ...t.nuisance, seed: t.seed })})${restarts > 0 ? `, restart ${restarts}: resuming from its checkpoint if it has one` : ''}`);
  const outcome = await runStoredTrial(tasks.storeDir, entry.experiment, t, {
    executor: 'slurm',
    ...(job ? { job } : {}),
    ...(logPath ? { logPath } : {}),
    keepNetwork: entry.keepNetwork,
    ...(entry.pretrainCache === false ? { pretrainCache: false } : {}),
    allowMixedVariants: tasks.allowMixedVariants,
    threads: tasks.threads ?? 1,
    onStatus: say,
  });
  say(
    {
      done: 'done, record written',
      diverged: 'diverged, recorded as such',
      exists: 'its record is already in the store (another task or run finished it)',
      failed: `failed: see ${path.join(tasks.storeDir, 'failed', `${t.hash}.json`)}`,
      interrupted: 'interrupted by SIGTERM: claim released, checkpoint kept for the requeued task',
    }[outcome],
  );
  return outcome === 'failed' ? 1 : outcome === 'interrupted' ? INTERRUPTED_EXIT : 0;
}
