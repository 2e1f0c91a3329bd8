/**
 * `pretrain-lab worker`: runs trials for a coordinator elsewhere: one Slurm array task against the
 * shared run store (`--slurm-tasks`), or trials from a Redis-backed queue (`--redis`).
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

function intAtLeast(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min} (got '${v}')`);
    return n;
  };
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run trials for a coordinator: a Slurm array task (--slurm-tasks), or a worker of a Redis-backed queue (--redis)')
    .option('--slurm-tasks <file>', 'the tasks file a `run --executor slurm` submission wrote (the job script passes it)')
    .option('--task-index <i>', 'which task of --slurm-tasks to run (default: $SLURM_ARRAY_TASK_ID)', intAtLeast('--task-index', 0))
    .option('--redis <url>', 'serve trials from the queue at this Redis URL (redis:// or rediss://, with user:password@ when needed)')
    .option('--concurrency <n>', 'trials run at once by this queue worker (default: one per core)', intAtLeast('--concurrency', 1))
    .option('--queue <name>', 'the queue name (default pretrain-lab)')
    .option('--data-dir <dir>', 'the only directory user data files (csv:/idx: data sets) may be read from; without it, jobs naming files are refused')
    .option('--work-dir <dir>', "this worker's checkpoints (default: the OS cache directory), so a restarted worker resumes its trials")
    .addHelpText('after', `\nExamples:\n  $ pretrain-lab worker --redis redis://:PASSWORD@queue-host:6379 --concurrency 8\n  (Slurm tasks run \`pretrain-lab worker --slurm-tasks ...\` from the job script \`run --executor slurm\` writes.)\n`)
    .action(async (opts: Record<string, unknown>) => {
      if (opts.slurmTasks !== undefined && opts.redis !== undefined) throw new UsageError('pass either --slurm-tasks or --redis, not both');
      if (opts.slurmTasks !== undefined) {
        const raw = opts.taskIndex ?? process.env.SLURM_ARRAY_TASK_ID;
        const index = Number(raw);
        if (raw === undefined || !Number.isInteger(index) || index < 0) throw new UsageError('worker --slurm-tasks needs the task index: run it as a Slurm array task ($SLURM_ARRAY_TASK_ID) or pass --task-index');
        const { runSlurmTask } = await import('../../cluster/slurm/slurm-task.ts');
        process.exitCode = await runSlurmTask(opts.slurmTasks as string, index);
        return;
      }
      if (opts.redis !== undefined) {
        const { runQueueWorker } = await import('../../cluster/queue/queue-worker.ts');
        process.exitCode = await runQueueWorker({
          redis: opts.redis as string,
          ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency as number } : {}),
          ...(opts.queue !== undefined ? { queue: opts.queue as string } : {}),
          ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir as string } : {}),
          ...(opts.workDir !== undefined ? { workDir: opts.workDir as string } : {}),
        });
        return;
      }
      throw new UsageError('worker needs --slurm-tasks <file> (a Slurm array task) or --redis <url> (a queue worker); see pretrain-lab worker --help');
    });
}
