/**
 * Worker process entry (forked by WorkerPool). Creates each backend once, then runs one trial per
 * 'run' message, streaming progress and epoch metrics back. Exits when the parent goes away.
 */
import { createBackend, type BackendName } from '../backends/registry.ts';
import type { Backend } from '../tensor/kernels.ts';
import type { Progress } from '../train/hooks.ts';
import { loadTrialFunction, type TrialFunction } from './trial-function.ts';
import type { ParentMessage, WorkerMessage } from './worker-protocol.ts';

const send = (m: WorkerMessage): void => {
  process.send?.(m);
};
const backends = new Map<string, Backend>();
const functions = new Map<string, TrialFunction>();

process.on('disconnect', () => process.exit(0));

process.on('message', (raw) => {
  const m = raw as ParentMessage;
  if (m.type !== 'run') return;
  void (async () => {
    const { hash, config, checkpointDir, trialModule } = m;
    try {
      const key = `${trialModule.module}#${trialModule.export ?? ''}`;
      let fn = functions.get(key);
      if (!fn) functions.set(key, (fn = await loadTrialFunction(trialModule)));
      let backend = backends.get(config.backend);
      if (!backend) backends.set(config.backend, (backend = await createBackend(config.backend as BackendName)));
      let last = 0;
      const result = await fn(config, {
        backend,
        checkpointDir,
        hooks: {
          onEpoch: (metrics) => send({ type: 'epoch', hash, metrics }),
          onProgress: (progress: Progress) => {
            const now = Date.now();
            if (now - last < 250) return;
            last = now;
            send({ type: 'progress', hash, progress });
          },
        },
      });
      send({ type: 'done', hash, result });
    } catch (e) {
      const err = e as Error;
      send({ type: err?.name === 'DivergenceError' ? 'diverged' : 'error', hash, message: err?.message ?? String(e), stack: err?.stack ?? '' });
    }
  })();
});

send({ type: 'ready' });
