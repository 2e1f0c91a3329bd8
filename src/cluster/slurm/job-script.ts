/**
 * The two batch scripts of a submission. Both run this very checkout with this very node
 * (absolute paths, so a compute node's PATH does not matter; the store and the checkout must be
 * on the shared filesystem): the array's script runs one trial per task, the continuation's
 * script runs the same `run` command again with `--slurm.continue <submission>`.
 */
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../experiments/code-version.ts';
import { shellQuote } from './shell-words.ts';

/** The command line that starts pretrain-lab here: this node and this checkout's bin/pretrain-lab.js. */
export function selfCommand(): string[] {
  return [process.execPath, path.join(PACKAGE_ROOT, 'bin', 'pretrain-lab.js')];
}

const line = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');

/** The array's script: task `$SLURM_ARRAY_TASK_ID` runs entry of that index of `tasksFile`. */
export function arrayScript(o: { experiment: string; tasks: number; tasksFile: string }): string {
  return [
    '#!/bin/sh',
    `# pretrain-lab: ${o.tasks} trial(s) of '${o.experiment}', one per array task (written by pretrain-lab run --executor slurm).`,
    '# Task i runs entry i of the tasks file against the run store; a requeued task resumes from the trial\'s checkpoint.',
    `exec ${line([...selfCommand(), 'worker', '--slurm-tasks', o.tasksFile])}`,
    '',
  ].join('\n');
}

/** The continuation's script: `run <runArgs...> --slurm.continue <submission>`. */
export function continueScript(o: { experiment: string; runArgs: readonly string[]; submission: string }): string {
  return [
    '#!/bin/sh',
    `# pretrain-lab: continues '${o.experiment}' once its job array has ended: the evaluation phase, or the report.`,
    `exec ${line([...selfCommand(), 'run', ...o.runArgs, '--slurm.continue', o.submission])}`,
    '',
  ].join('\n');
}
