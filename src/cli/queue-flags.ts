/** `run --executor queue`: the queue's options and the executor they describe (issue 16). */
import type { Command } from 'commander';
import type { ExecutorFactory } from '../experiments/runner.ts';
import { DEFAULT_QUEUE } from '../cluster/queue/queue-job.ts';
import { parseRedisUrl } from '../cluster/queue/redis-url.ts';
import { UsageError } from './errors.ts';

function attemptsArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--attempts must be an integer >= 1 (got '${v}')`);
  return n;
}

/** Adds `--redis`, `--queue` and `--attempts` to `run`. */
export function addQueueOptions(cmd: Command): void {
  cmd
    .option('--redis <url>', 'with --executor queue: the Redis of the queue, redis://[user:password@]host[:port][/db] (rediss:// for TLS), or env:NAME to read it from that environment variable (keeps the password out of `ps`); the password is never printed')
    .option('--queue <name>', `with --executor queue: the queue name (default ${DEFAULT_QUEUE}; workers must use the same)`)
    .option('--attempts <n>', 'with --executor queue: attempts per trial (retried with exponential backoff) before it is recorded as failed (default 3)', attemptsArg);
}

/**
 * The runner's executor over the Redis queue named by the options (checked now: a bad URL is a
 * usage error before anything is written; Redis itself is first contacted when the first phase runs).
 */
export async function queueExecutor(opts: Record<string, unknown>, warn: (m: string) => void): Promise<ExecutorFactory> {
  const redis = opts.redis as string | undefined;
  if (!redis) throw new UsageError('--executor queue needs --redis <url>, e.g. --redis redis://localhost:6379 (and workers started with pretrain-lab worker --redis <url>)');
  parseRedisUrl(redis);
  if (opts.threads !== undefined) warn('--threads does not travel with queue jobs: each worker runs a trial with one BLAS thread (use worker --concurrency for its cores)');
  if (opts.workers !== undefined) warn('--workers is ignored with --executor queue: start as many `pretrain-lab worker` processes (or --concurrency) as you like');
  const { queueExecutorFactory } = await import('../cluster/queue/queue-executor.ts');
  return queueExecutorFactory(
    {
      redis,
      ...(opts.queue !== undefined ? { queue: opts.queue as string } : {}),
      ...(opts.attempts !== undefined ? { attempts: opts.attempts as number } : {}),
    },
    warn,
  );
}
