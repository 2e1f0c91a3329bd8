/**
 * An executor like the Redis queue's (it goes on after failures): trials run the synthetic trial
 * in this process, except those of seed `failSeed`, which reject with a TrialFailedError as an
 * executor does after its last attempt.
 */
import { createReferenceBackend } from '../../src/backends/index.ts';
import { TrialFailedError, type ExecutorFactory } from '../../src/experiments/runner.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';

export function failingExecutor(o: { failSeed: number; message: string; attempts: number; log: string | null; job?: string; checkpoints?: boolean }): ExecutorFactory {
  return async () => ({
    workers: 1,
    onFailure: 'continue',
    kind: 'queue',
    exec: async (job, ev) => {
      ev.onStart?.();
      if (job.config.seed === o.failSeed) throw new TrialFailedError(o.message, o.attempts, o.log, o.job ?? null);
      const result = await synthetic(job.config, o.checkpoints ? { checkpointDir: job.checkpointDir } : {});
      return { kind: 'done', result, variant: createReferenceBackend().variant };
    },
    close: () => {},
  });
}
