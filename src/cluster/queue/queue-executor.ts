/**
 * `run --executor queue`: the runner's executor over the Redis queue. Each phase of a study opens a
 * coordinator, hands every unfinished trial to the queue and waits; a trial that fails on every
 * attempt is recorded as failed and the sweep goes on (`onFailure: 'continue'`), so one bad trial
 * never stops a study of hundreds.
 */
import type { ExecutorFactory } from '../../experiments/runner.ts';
import { QueueCoordinator, type QueueCoordinatorOptions } from './queue-coordinator.ts';

/**
 * The executor factory for `o`; `warn` hears about retries, stalled trials, a Redis that went away
 * and a queue without workers.
 */
export function queueExecutorFactory(o: QueueCoordinatorOptions, warn: (m: string) => void): ExecutorFactory {
  return async (plan) => {
    const c = await QueueCoordinator.open(o, warn);
    let workers = 0;
    try {
      workers = await c.workerCount();
    } catch {
      /* CLIENT LIST refused (a managed Redis): unknown */
    }
    if (workers === 0 && plan.todo.length > 0) {
      const url = o.redis.startsWith('env:') || o.redis === c.display ? o.redis : '<the same URL>';
      warn(`no worker is serving the queue ${c.queueName} at ${c.display} yet; the ${plan.todo.length} trial(s) wait there. Start workers with: pretrain-lab worker --redis ${url}${c.queueName === 'pretrain-lab' ? '' : ` --queue ${c.queueName}`}`);
    }
    return {
      exec: (job, events) => c.run(job, events, plan.experiment),
      workers: Math.max(1, workers),
      onFailure: 'continue',
      kind: 'queue',
      close: () => c.close(),
    };
  };
}
