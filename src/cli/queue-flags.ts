/**
 * `run --executor queue`: the queue options and the executor (issue 16, queue part).
 * STUB until the queue executor lands.
 */
import type { Command } from 'commander';
import type { ExecutorFactory } from '../experiments/runner.ts';
import { UsageError } from './errors.ts';

/** Adds `--redis` and the queue's options to `run`. */
export function addQueueOptions(cmd: Command): void {
  void cmd;
}

/** The runner's executor over the Redis queue named by the options. */
export async function queueExecutor(opts: Record<string, unknown>, warn: (m: string) => void): Promise<ExecutorFactory> {
  void opts, warn;
  throw new UsageError('--executor queue is not available in this build');
}
