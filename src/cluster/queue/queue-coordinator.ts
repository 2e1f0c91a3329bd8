/**
 * The coordinator's side of the queue: enqueues trials (job id = trial hash, so enqueuing twice is
 * harmless and a second coordinator, or a rerun, joins the same job) and turns the queue's events
 * into what the runner's executor returns. A job a previous run left completed hands back its
 * return value; one left failed is queued again with fresh attempts; one queued by another code
 * version is replaced. Retries with exponential backoff and the detection of stalled jobs (a dead
 * worker) are BullMQ's; a job still failing after its last attempt rejects with the runner's
 * TrialFailedError carrying the attempts and the job's log (what each worker wrote about it).
 *
 * Events can be missed (Redis restarted without persistence loses the job itself): every `pollMs`
 * the coordinator looks at its unfinished jobs and re-queues any that vanished.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { codeVersion, type CodeVersion } from '../../experiments/code-version.ts';
import { TrialFailedError } from '../../experiments/runner.ts';
import type { JobEvents, JobOutcome, TrialJob } from '../../experiments/worker-pool.ts';
import type { EpochMetrics, Progress } from '../../train/hooks.ts';
import { scrubSecret } from '../redact-url.ts';
import { DEFAULT_QUEUE, describeCode, filesKey, QUEUE_PREFIX, sameCode, TRIAL_JOB_NAME, type QueueJobData, type QueueJobResult } from './queue-job.ts';
import { connectRedis, type ConnectOptions } from './redis-connect.ts';
import { parseRedisUrl, type RedisTarget } from './redis-url.ts';
import { relocatePaths } from './relocate-paths.ts';
import { takeTrialFiles } from './trial-files.ts';

/** `run --executor queue` options. */
export interface QueueCoordinatorOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://...` */
  redis: string;
  /** Queue name; default `pretrain-lab`. */
  queue?: string;
  /** Attempts per trial before it is recorded as failed (default 3). */
  attempts?: number;
  /** Delay before the first retry, doubled for each later one (default 2000 ms). */
  backoffMs?: number;
  /** How often unfinished jobs are checked for having vanished (default 5000 ms). */
  pollMs?: number;
  /** Retries of the first connection. */
  connect?: ConnectOptions;
}

/** The most of a job's log a failure keeps (its tail). */
const LOG_TAIL = 64 * 1024;
/** Finished jobs stay this long in Redis (30 days), so a later run can still collect them. */
const KEEP_SECONDS = 30 * 24 * 3600;

interface Waiter {
  data: QueueJobData;
  /** The store's checkpoint directory of the trial (where the runner writes its files). */
  checkpointDir: string;
  events: JobEvents;
  resolve(o: JobOutcome): void;
  reject(e: Error): void;
  /** A completion or failure is being handled (events and polls may both see it). */
  busy: boolean;
}

const short = (hash: string): string => hash.slice(0, 12);

/** A trial job's data for the queue. */
function jobData(job: TrialJob, experiment: string, code: CodeVersion): QueueJobData {
  return { hash: job.hash, config: job.config, code, experiment, keepNetwork: job.keepNetwork ?? true };
}

export class QueueCoordinator {
  private readonly waiters = new Map<string, Waiter>();
  private readonly code = codeVersion();
  private poller: NodeJS.Timeout | null = null;
  private polling = false;
  private lastError = 0;
  private closed = false;

  private constructor(
    private readonly target: RedisTarget,
    readonly queueName: string,
    private readonly redis: Redis,
    private readonly queue: Queue<QueueJobData, QueueJobResult>,
    private readonly events: QueueEvents,
    private readonly o: QueueCoordinatorOptions,
    private readonly warn: (m: string) => void,
  ) {}

  /**
   * Connects (retrying with backoff) and listens to the queue's events.
   * @throws RedisUrlError for a bad URL, RedisConnectionError when Redis cannot be used
   */
  static async open(o: QueueCoordinatorOptions, warn: (m: string) => void): Promise<QueueCoordinator> {
    const target = parseRedisUrl(o.redis);
    const name = o.queue ?? DEFAULT_QUEUE;
    const redis = await connectRedis(target, { ...o.connect, onRetry: warn });
    const queue = new Queue<QueueJobData, QueueJobResult>(name, { connection: redis, prefix: QUEUE_PREFIX });
    const events = new QueueEvents(name, { connection: redis, prefix: QUEUE_PREFIX });
    const c = new QueueCoordinator(target, name, redis, queue, events, o, warn);
    redis.on('error', c.onRedisError);
    queue.on('error', c.onRedisError);
    events.on('error', c.onRedisError);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    c.listen();
    c.poller = setInterval(() => void c.poll(), o.pollMs ?? 5000);
    c.poller.unref();
    return c;
  }

  /** The URL as it may be printed (no password). */
  get display(): string {
    return this.target.display;
  }

  private readonly onRedisError = (e: Error): void => {
    if (this.closed || Date.now() - this.lastError < 10_000) return;
    this.lastError = Date.now();
    this.warn(`Redis at ${this.target.display}: ${scrubSecret(e.message, this.target.password)}; waiting for it to come back`);
  };

  /** Workers connected to this queue now. */
  async workerCount(): Promise<number> {
    return (await this.queue.getWorkers()).length;
  }

  private listen(): void {
    this.events.on('active', ({ jobId }) => this.waiters.get(jobId)?.events.onStart?.());
    this.events.on('progress', ({ jobId, data }) => {
      const w = this.waiters.get(jobId);
      const d = data as { progress?: Progress; epoch?: EpochMetrics } | null;
      if (!w || !d || typeof d !== 'object') return;
      if (d.progress) w.events.onProgress?.(d.progress);
      if (d.epoch) w.events.onEpoch?.(d.epoch);
    });
    this.events.on('completed', ({ jobId }) => void this.settle(jobId));
    this.events.on('failed', ({ jobId }) => void this.settle(jobId));
    this.events.on('stalled', ({ jobId }) => {
      if (this.waiters.has(jobId)) this.warn(`trial ${short(jobId)}: its worker stopped answering (killed or lost); back in the queue for another worker`);
    });
  }

  /**
   * Runs one trial through the queue: resolves with its outcome (and the files it brought back),
   * rejects with a TrialFailedError once its last attempt failed (or a worker refused it).
   */
  run(job: TrialJob, events: JobEvents, experiment: string): Promise<JobOutcome> {
    if (this.closed) return Promise.reject(new Error('the queue coordinator is closed'));
    const data = jobData(job, experiment, this.code);
    return new Promise<JobOutcome>((resolve, reject) => {
      this.waiters.set(job.hash, { data, checkpointDir: job.checkpointDir, events, resolve, reject, busy: false });
      this.enqueue(data).catch((e: Error) => this.finish(job.hash, e));
    });
  }

  /** Adds the job unless a usable one exists; then settles it at once if it is already finished. */
  private async enqueue(data: QueueJobData): Promise<void> {
    const existing = await this.queue.getJob(data.hash);
    if (existing) {
      const state = await existing.getState();
      const ours = existing.data && typeof existing.data === 'object' && existing.data.code && sameCode(existing.data.code, this.code);
      if (state === 'completed' && ours) return void (await this.settle(data.hash));
      if (ours && state !== 'failed') return; // waiting, delayed or running: wait for it
      if (state === 'active') {
        this.warn(`trial ${short(data.hash)} is running on a worker for ${existing.data?.code ? describeCode(existing.data.code) : 'another version'}; it will be queued again when that ends`);
        return;
      }
      await existing.remove();
    }
    await this.add(data);
  }

  private async add(data: QueueJobData): Promise<void> {
    await this.queue.add(TRIAL_JOB_NAME, data, {
      jobId: data.hash,
      attempts: this.o.attempts ?? 3,
      backoff: { type: 'exponential', delay: this.o.backoffMs ?? 2000 },
      removeOnComplete: { age: KEEP_SECONDS },
      removeOnFail: { age: KEEP_SECONDS },
    });
  }

  /** Handles a job that may have finished (from an event or a poll). */
  private async settle(hash: string): Promise<void> {
    const w = this.waiters.get(hash);
    if (!w || w.busy) return;
    w.busy = true;
    try {
      const job = await this.queue.getJob(hash);
      const state = job ? await job.getState() : 'unknown';
      if (!job || state === 'unknown') {
        this.warn(`trial ${short(hash)} is no longer in the queue (Redis restarted without persistence?); queued again`);
        await this.add(w.data);
      } else if (state === 'completed') await this.completed(job, w);
      else if (state === 'failed' && sameCode(job.data.code, this.code)) await this.failed(job, w);
      else if (!sameCode(job.data.code, this.code) && state !== 'active') {
        // queued by another code version (its failure is not ours to report): queue ours instead
        await job.remove();
        await this.add(w.data);
      }
    } catch (e) {
      if (!this.closed) this.warn(`trial ${short(hash)}: ${scrubSecret((e as Error).message, this.target.password)}; will look again`);
    } finally {
      w.busy = false;
    }
  }

  private async completed(job: Job<QueueJobData, QueueJobResult>, w: Waiter): Promise<void> {
    const rv = job.returnvalue;
    const files = rv && sameCode(job.data.code, this.code) ? await takeTrialFiles(this.redis, filesKey(this.queueName, w.data.hash), rv.files ?? []) : null;
    if (!rv || !files) {
      // A result of another code version, or whose files were taken by a run that stopped before storing them: compute it again.
      await job.remove();
      await this.add(w.data);
      return;
    }
    const outcome: JobOutcome =
      rv.kind === 'done' ? { kind: 'done', result: relocatePaths(rv.result, rv.dir, w.checkpointDir), variant: rv.variant, ...(Object.keys(files).length ? { files } : {}) } : { kind: 'diverged', message: rv.message, variant: rv.variant };
    this.finish(w.data.hash, null, outcome);
  }

  private async failed(job: Job<QueueJobData, QueueJobResult>, w: Waiter): Promise<void> {
    const { logs } = await this.queue.getJobLogs(w.data.hash);
    const log = logs.join('\n');
    const tail = log.length > LOG_TAIL ? log.slice(log.length - LOG_TAIL) : log;
    const attempts = job.attemptsMade;
    const message = `failed on the queue ${this.queueName} after ${attempts} attempt(s) of ${job.opts.attempts ?? 1}: ${job.failedReason}`;
    this.finish(w.data.hash, new TrialFailedError(message, attempts, tail || null, job.processedBy ?? null));
  }

  private finish(hash: string, e: Error | null, outcome?: JobOutcome): void {
    const w = this.waiters.get(hash);
    if (!w) return;
    this.waiters.delete(hash);
    if (e) w.reject(e);
    else w.resolve(outcome!);
  }

  /** Looks at every unfinished job (missed events, vanished jobs). */
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      for (const hash of [...this.waiters.keys()]) {
        if (this.closed) break;
        const job = await this.queue.getJob(hash);
        const state = job ? await job.getState() : 'unknown';
        if (state === 'completed' || state === 'failed' || state === 'unknown') await this.settle(hash);
      }
    } catch {
      /* Redis away: the error handler said so; look again next time */
    } finally {
      this.polling = false;
    }
  }

  /**
   * Stops listening; trials still waiting reject (their jobs stay queued: workers go on computing
   * them, and a rerun collects their results).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    for (const [hash, w] of [...this.waiters]) {
      this.waiters.delete(hash);
      w.reject(new Error(`stopped waiting for trial ${short(hash)}: it stays queued on ${this.target.display} (${this.queueName}); rerun to collect it`));
    }
    // Closing waits for Redis; a Redis that is gone is not waited for longer than 2 s.
    await Promise.race([Promise.allSettled([this.events.close(), this.queue.close()]), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.redis.disconnect();
  }
}

