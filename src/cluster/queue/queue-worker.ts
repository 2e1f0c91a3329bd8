/**
 * `pretrain-lab worker --redis URL`: takes trials from the queue and runs them, `concurrency` at a
 * time, each in a child process of a WorkerPool, so this process's event loop stays free for
 * BullMQ's lock renewal (a live worker's trials are never declared stalled) and the stalled
 * detection of trials whose worker died (another worker's BullMQ puts them back in the queue).
 *
 * A job is data, never code: `admitJob` refuses anything but a schema-valid config of this code
 * version whose hash is the job's, naming no file outside `--data-dir` (relative paths are relative
 * to it: the worker runs there). Checkpoints go to the work directory (`<work>/<hash>/`), so a
 * worker restarted on the same machine resumes a trial it was running from its last epoch.
 *
 * Shutdown (SIGTERM, SIGINT): the first signal stops taking trials and FINISHES the running ones:
 * nothing computed is thrown away and their records come back (a restarted or another worker would
 * start them over, since checkpoints are local). A second signal RELEASES them: the trials' child
 * processes are killed and their jobs go back to the queue at once (without using up an attempt)
 * for another worker; their checkpoints stay in the work directory for this machine's next worker.
 * SIGKILL (or a machine lost) leaves them to BullMQ's stalled detection: back in the queue after
 * the lock expires (`lockMs`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { codeVersion } from '../../experiments/code-version.ts';
import { defaultWorkers } from '../../experiments/runner.ts';
import { DEFAULT_TRIAL_MODULE, type TrialModuleRef } from '../../experiments/trial-function.ts';
import { WorkerPool } from '../../experiments/worker-pool.ts';
import { scrubSecret } from '../redact-url.ts';
import { admitJob, JobRefusedError } from './job-guard.ts';
import { QueueOptionError } from './queue-errors.ts';
import { DEFAULT_QUEUE, describeCode, filesKey, QUEUE_PREFIX, type QueueJobData, type QueueJobResult } from './queue-job.ts';
import { connectRedis, type ConnectOptions } from './redis-connect.ts';
import { parseRedisUrl } from './redis-url.ts';
import { putTrialFiles } from './trial-files.ts';

/** `pretrain-lab worker --redis ...` options. */
export interface QueueWorkerOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://...` */
  redis: string;
  /** Trials run at once (child processes, one BLAS thread each); default one per core. */
  concurrency?: number;
  /** Queue name; default `pretrain-lab`. */
  queue?: string;
  /** The only directory whose files a job may name (user data sets); none: built-in data sets only. */
  dataDir?: string;
  /** Where running trials checkpoint; default `<user cache>/pretrain-lab/queue-work`. */
  workDir?: string;
  /** The lock lease in ms: a dead worker's trial goes back to the queue about this long after it died (default 30 000). */
  lockMs?: number;
  /** The trial function (tests, benchmarks): this worker's own choice, never a job's. Default: the real trial. */
  trialModule?: TrialModuleRef;
  /** Where progress lines go; default stderr. */
  log?(line: string): void;
  /** Aborting it is a first SIGTERM (finish the running trials, then return). */
  signal?: AbortSignal;
  /** Handle SIGTERM and SIGINT (default true). */
  handleSignals?: boolean;
  /** Retries of the first connection. */
  connect?: ConnectOptions;
}

/** Progress events (not epochs) sent at most this often per trial. */
export const PROGRESS_EVERY_MS = 1000;

/** `$XDG_CACHE_HOME/pretrain-lab/queue-work` (default `~/.cache/...`). */
export function defaultWorkDir(): string {
  const cache = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(cache, 'pretrain-lab', 'queue-work');
}

function checkOptions(o: QueueWorkerOptions): { concurrency: number; dataDir: string | null; workDir: string } {
  const concurrency = o.concurrency ?? defaultWorkers();
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new QueueOptionError(`--concurrency must be an integer >= 1 (got ${concurrency})`);
  let dataDir: string | null = null;
  if (o.dataDir !== undefined) {
    dataDir = path.resolve(o.dataDir);
    if (!fs.existsSync(dataDir) || !fs.statSync(dataDir).isDirectory()) throw new QueueOptionError(`--data-dir ${dataDir} is not a directory: give the directory holding your data sets`);
  }
  const workDir = path.resolve(o.workDir ?? defaultWorkDir());
  fs.mkdirSync(workDir, { recursive: true });
  return { concurrency, dataDir, workDir };
}

const short = (hash: string): string => hash.slice(0, 12);

/**
 * Runs a queue worker until it is told to stop (SIGTERM/SIGINT or `signal`); resolves to the exit code.
 * @throws RedisUrlError / QueueOptionError for bad options, RedisConnectionError when Redis cannot be used
 */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<number> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const target = parseRedisUrl(o.redis);
  const queueName = o.queue ?? DEFAULT_QUEUE;
  const { concurrency, dataDir, workDir } = checkOptions(o);
  const code = codeVersion();
  const me = `${os.hostname()}:${process.pid}`;
  const connection = await connectRedis(target, { ...o.connect, onRetry: log });
  let lastError = 0;
  const onRedisError = (e: Error): void => {
    if (Date.now() - lastError < 10_000) return;
    lastError = Date.now();
    log(`Redis at ${target.display}: ${scrubSecret(e.message, target.password)}; retrying`);
  };
  connection.on('error', onRedisError);
  // Relative data paths in jobs are relative to the data directory: the trials run there.
  if (dataDir) process.chdir(dataDir);
  const pool = new WorkerPool(concurrency, o.trialModule ?? DEFAULT_TRIAL_MODULE);
  let releasing = false;
  const processor = async (job: Job<QueueJobData, QueueJobResult>, token?: string): Promise<QueueJobResult> => {
    let d: QueueJobData;
    try {
      d = admitJob(job.data, job.id, { dataDir, code });
    } catch (e) {
      if (!(e instanceof JobRefusedError)) throw e;
      log(`refused ${e.message}`);
      await job.log(`${new Date().toISOString()} ${me}: refused: ${e.message}`).catch(() => {});
      throw new UnrecoverableError(`refused by worker ${me}: ${e.message}`);
    }
    const attempt = `attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1}`;
    const dir = path.join(workDir, d.hash);
    log(`trial ${short(d.hash)} started (${d.experiment}, ${attempt})`);
    await job.log(`${new Date().toISOString()} ${me}: ${attempt} started`).catch(() => {});
    const t0 = Date.now();
    let lastProgress = 0;
    try {
      const outcome = await pool.run(
        { hash: d.hash, config: d.config, checkpointDir: dir },
        {
          onProgress: (progress) => {
            const now = Date.now();
            if (now - lastProgress < PROGRESS_EVERY_MS) return;
            lastProgress = now;
            job.updateProgress({ progress }).catch(() => {});
          },
          onEpoch: (epoch) => void job.updateProgress({ epoch }).catch(() => {}),
          onWarn: (m) => {
            log(`trial ${short(d.hash)}: ${m}`);
            void job.log(`${new Date().toISOString()} ${me}: ${m}`).catch(() => {});
          },
        },
      );
      const files = await putTrialFiles(connection, filesKey(queueName, d.hash), dir, d.keepNetwork);
      log(`trial ${short(d.hash)} finished in ${((Date.now() - t0) / 1000).toFixed(1)} s (${outcome.kind})`);
      const base = { variant: outcome.variant, files, worker: me, dir };
      return outcome.kind === 'done' ? { kind: 'done', result: outcome.result, ...base } : { kind: 'diverged', message: outcome.message, ...base };
    } catch (e) {
      if (releasing) {
        log(`trial ${short(d.hash)} released: back in the queue (its checkpoint stays in ${dir})`);
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      const err = e as Error;
      log(`trial ${short(d.hash)} failed (${attempt}): ${err.message}`);
      await job.log(`${new Date().toISOString()} ${me}: ${attempt} failed: ${(err.stack ?? err.message).slice(0, 32_768)}`).catch(() => {});
      throw err;
    }
  };
  const lockMs = o.lockMs ?? 30_000;
  const worker = new Worker<QueueJobData, QueueJobResult>(queueName, processor, {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency,
    autorun: false,
    name: me,
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.min(30_000, lockMs)),
    maxStalledCount: 2,
  });
  worker.on('error', onRedisError);
  worker.on('completed', (job) => fs.rmSync(path.join(workDir, job.id ?? '-'), { recursive: true, force: true }));
  worker.on('stalled', (id) => log(`trial ${short(id)}: its worker stopped renewing the lock (killed?); back in the queue`));

  let signals = 0;
  let closing: Promise<void> | null = null;
  // After a second signal the worker returns within 5 s even if Redis is gone (closing waits for it).
  let forced: () => void = () => {};
  const forcedStop = new Promise<void>((resolve) => (forced = resolve));
  const stop = (why: string): void => {
    signals++;
    if (signals === 1) {
      log(`${why}: taking no new trials; finishing the running ones (signal again to stop now and put them back in the queue)`);
      closing = worker.close();
    } else if (!releasing) {
      log(`${why} again: stopping now; the running trials go back to the queue`);
      releasing = true;
      pool.close();
      setTimeout(forced, 5000).unref();
    }
  };
  const onSignal = (sig: NodeJS.Signals): void => stop(sig);
  if (o.handleSignals ?? true) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  o.signal?.addEventListener('abort', () => stop('stop requested'), { once: true });
  try {
    await worker.waitUntilReady();
    log(`worker ${me}: connected to ${target.display}, queue ${queueName}, concurrency ${concurrency}, code ${describeCode(code)}`);
    log(`  work dir ${workDir}; data dir ${dataDir ?? '(none: built-in data sets only)'}; waiting for trials`);
    await Promise.race([worker.run().then(() => closing), forcedStop]);
    log(`worker ${me}: stopped`);
    return 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    pool.close();
    await Promise.race([worker.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
    connection.disconnect();
  }
}
