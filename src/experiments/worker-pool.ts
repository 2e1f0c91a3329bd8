/**
 * A pool of worker processes (child_process.fork), one trial per worker at a time. Workers are
 * started lazily and each keeps its backend for all its trials. Killing the parent (even with
 * SIGKILL) disconnects the IPC channel and the workers exit.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COMPILED, MODULE_EXT } from '../package-root.ts';
import type { TrialConfig } from '../train/config.ts';
import type { EpochMetrics, Progress } from '../train/hooks.ts';
import type { TrialResult } from '../train/trial-result.ts';
import type { NumericVariant } from '../tensor/numeric-variant.ts';
import type { TrialModuleRef } from './trial-function.ts';
import { isTypeScriptFile, typeScriptLoaderUrl } from './typescript-loader.ts';
import { BLAS_THREADS_ENV, type WorkerMessage } from './worker-protocol.ts';

/** One trial to execute. */
export interface TrialJob {
  hash: string;
  config: TrialConfig;
  checkpointDir: string;
  /** Whether the store keeps the trial's final network (`--keep-networks`); a remote executor brings it back only then. */
  keepNetwork?: boolean;
  /** The study's cache of pre-trained stacks (the store's `pretrained/`, or a remote worker's own); none when absent. */
  pretrainCache?: string;
}

export interface JobEvents {
  /** The trial left the queue and began on a worker. */
  onStart?(): void;
  onProgress?(p: Progress): void;
  onEpoch?(m: EpochMetrics): void;
  /** Something the user should know that does not fail the trial (e.g. a stale resume state moved aside: `stale-state.ts`). */
  onWarn?(message: string): void;
}

/** How a trial ended (other failures reject), with the numeric variant that computed it. */
export type JobOutcome =
  | {
      kind: 'done';
      result: TrialResult;
      variant: NumericVariant;
      /** Files an executor brings back from a machine without the shared disk (`final.safetensors`), written by the runner into the trial's checkpoint directory. */
      files?: Record<string, Uint8Array>;
    }
  | { kind: 'diverged'; message: string; variant: NumericVariant };

/** Executes one trial; implemented by WorkerPool (processes) or in-process by the runner. */
export type TrialExecutor = (job: TrialJob, events: JobEvents) => Promise<JobOutcome>;

interface Slot {
  child: ChildProcess;
  busy: { job: TrialJob; events: JobEvents; resolve: (o: JobOutcome) => void; reject: (e: Error) => void } | null;
}

const WORKER_FILE = fileURLToPath(new URL(`./worker${MODULE_EXT}`, import.meta.url));

/**
 * The worker's Node flags: tsx when the worker itself is TypeScript (a source checkout) or the trial
 * module is (a user's `.ts` from a compiled install); none for compiled code and `.js` trial modules.
 */
function workerExecArgv(trialModule: TrialModuleRef): string[] {
  if (!COMPILED) return ['--import', import.meta.resolve('tsx')];
  if (isTypeScriptFile(trialModule.module)) return ['--import', typeScriptLoaderUrl(trialModule.module)];
  return [];
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: NonNullable<Slot['busy']>[] = [];
  private closed = false;

  /**
   * @param size number of worker processes (>= 1)
   * @param opts.threads BLAS threads per worker (native backend; default 1: see `run --threads`).
   *   Fixed for the whole pool, never derived from the number of workers or of trials left: OpenBLAS
   *   with 2 threads gives other last bits than with 1 for some shapes, so a count that followed the
   *   schedule would make a trial's numbers depend on how many trials ran beside it.
   */
  constructor(readonly size: number, private readonly trialModule: TrialModuleRef, private readonly opts: { threads?: number } = {}) {
    if (!(Number.isInteger(size) && size >= 1)) throw new Error(`--workers must be an integer >= 1 (got ${size})`);
    const t = opts.threads ?? 1;
    if (!(Number.isInteger(t) && t >= 1)) throw new Error(`--threads must be an integer >= 1 (got ${t})`);
  }

  /** Queues a trial; resolves when a worker finished it. */
  run: TrialExecutor = (job, events) =>
    new Promise<JobOutcome>((resolve, reject) => {
      if (this.closed) return reject(new Error('worker pool is closed'));
      this.queue.push({ job, events, resolve, reject });
      this.pump();
    });

  private spawn(): Slot {
    const child = fork(WORKER_FILE, [], {
      execArgv: workerExecArgv(this.trialModule),
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [BLAS_THREADS_ENV]: String(this.opts.threads ?? 1) },
    });
    const slot: Slot = { child, busy: null };
    child.on('message', (raw) => this.onMessage(slot, raw as WorkerMessage));
    child.on('exit', (code, signal) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (slot.busy) {
        const b = slot.busy;
        slot.busy = null;
        b.reject(new Error(`worker process ${child.pid} exited (${signal ?? `code ${code}`}) while running trial ${b.job.hash.slice(0, 12)}`));
      }
      if (!this.closed) this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, m: WorkerMessage): void {
    const b = slot.busy;
    if (m.type === 'ready' || !b || m.hash !== b.job.hash) return;
    if (m.type === 'progress') b.events.onProgress?.(m.progress);
    else if (m.type === 'epoch') b.events.onEpoch?.(m.metrics);
    else if (m.type === 'warning') b.events.onWarn?.(m.message);
    else {
      slot.busy = null;
      if (m.type === 'done') b.resolve({ kind: 'done', result: m.result, variant: m.variant });
      else if (m.type === 'diverged') b.resolve({ kind: 'diverged', message: m.message, variant: m.variant });
      else {
        const e = new Error(m.message);
        e.stack = m.stack;
        b.reject(e);
      }
      this.pump();
    }
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const item = this.queue.shift()!;
      slot.busy = item;
      item.events.onStart?.();
      slot.child.send({ type: 'run', hash: item.job.hash, config: item.job.config, checkpointDir: item.job.checkpointDir, ...(item.job.pretrainCache ? { pretrainCache: item.job.pretrainCache } : {}), trialModule: this.trialModule });
    }
  }

  /** Kills every worker; queued and running trials reject. */
  close(): void {
    this.closed = true;
    for (const item of this.queue.splice(0)) item.reject(new Error('worker pool closed'));
    for (const s of [...this.slots]) {
      if (s.busy) {
        const b = s.busy;
        s.busy = null;
        b.reject(new Error('worker pool closed'));
        s.child.kill('SIGKILL');
      } else if (s.child.connected) s.child.disconnect();
    }
  }
}
