/**
 * Worker process entry (forked by WorkerPool). Creates each backend once, then runs one trial per
 * 'run' message, streaming progress and epoch metrics back. Exits when the parent goes away.
 *
 * Mid-trial resume: every trial runs with `resume: true` and its checkpoint directory
 * (`checkpoints/<hash>/` in the store), so a trial interrupted mid-way (sweep killed, machine
 * rebooted) continues from its last finished fine-tuning epoch (`resume.safetensors`, written
 * atomically by `runTrial` after every epoch and deleted when the trial completes), bit-identically
 * to an uninterrupted run. The store's guarantees are unchanged: only trials without a record
 * run at all, the record is still written once by the parent when the trial returns, and a
 * checkpoint directory is keyed by the hash of the resolved config, so it can only be resumed
 * by the same config. A trial killed during pre-training continues from its last finished
 * pre-trained layer (`pretrain.safetensors`), also bit-identically. A checkpoint directory this
 * run cannot continue (another pretrain-lab version's config keys, another numeric variant) is
 * moved aside and the trial starts over, with a warning (`stale-state.ts`).
 */
import { createBackend } from '../backends/registry.ts';
import type { Backend } from '../tensor/kernels.ts';
import type { Progress } from '../train/hooks.ts';
import { runRestartingStale } from './stale-state.ts';
import { loadTrialFunction, type TrialFunction, type TrialFunctionOptions } from './trial-function.ts';
import { BLAS_THREADS_ENV, type ParentMessage, type WorkerMessage } from './worker-protocol.ts';

/** Sends to the parent; once the parent is gone (it exited, e.g. on a closed pipe), there is no one to tell: exit. */
const send = (m: WorkerMessage): void => {
  if (!process.connected) process.exit(0);
  process.send?.(m, undefined, undefined, (e: Error | null) => {
    if (e) process.exit(0);
  });
};
const backends = new Map<string, Backend>();
const functions = new Map<string, TrialFunction>();

process.on('disconnect', () => process.exit(0));

process.on('message', (raw) => {
  const m = raw as ParentMessage;
  if (m.type !== 'run') return;
  void (async () => {
    const { hash, config, checkpointDir, pretrainCache, trialModule } = m;
    try {
      const key = `${trialModule.module}#${trialModule.export ?? ''}`;
      let fn = functions.get(key);
      if (!fn) functions.set(key, (fn = await loadTrialFunction(trialModule)));
      let backend = backends.get(config.backend);
      if (!backend) {
        backends.set(config.backend, (backend = await createBackend(config.backend)));
        const threads = Number(process.env[BLAS_THREADS_ENV] ?? 1);
        if (backend.name === 'native' && threads > 1) (await import('../backends/native/threads.ts')).setThreads(threads);
      }
      let last = 0;
      const options: TrialFunctionOptions = {
        backend,
        checkpointDir,
        ...(pretrainCache ? { pretrainCache } : {}),
        resume: true,
        hooks: {
          onEpoch: async (metrics) => {
            send({ type: 'epoch', hash, metrics });
            // Yield to the event loop once per epoch, so that a 'disconnect' (the parent was
            // killed) ends this process at the next epoch boundary instead of after the trial.
            await new Promise<void>((resolve) => setImmediate(resolve));
          },
          onProgress: (progress: Progress) => {
            const now = Date.now();
            if (now - last < 250) return;
            last = now;
            send({ type: 'progress', hash, progress });
          },
        },
      };
      let result;
      try {
        result = await runRestartingStale(fn, config, options, (message) => send({ type: 'warning', hash, message }));
      } catch (e) {
        const err = e as Error;
        if (err?.name !== 'DivergenceError') throw e;
        send({ type: 'diverged', hash, message: err.message, stack: err.stack ?? '', variant: backend.variant });
        return;
      }
      send({ type: 'done', hash, result, variant: backend.variant });
    } catch (e) {
      const err = e as Error;
      send({ type: 'error', hash, message: err?.message ?? String(e), stack: err?.stack ?? '' });
    }
  })();
});

send({ type: 'ready' });
