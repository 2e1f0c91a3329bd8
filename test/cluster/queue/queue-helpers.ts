/** Shared by the queue's integration tests: worker processes, the smoke study's trials, a local reference run. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { QueueWorkerOptions } from '../../../src/cluster/queue/queue-worker.ts';
import { resolveExperiment, type ResolvedExperiment } from '../../../src/experiments/define.ts';
import { expandExperiment, uniqueTrials, type PlannedTrial } from '../../../src/experiments/expand.ts';
import { loadExperiment } from '../../../src/experiments/registry.ts';
import { BIN } from '../../helpers/run-cli.ts';

const WORKER_MAIN = path.join(import.meta.dirname, 'fixtures', 'worker-main.ts');

/** A worker process and everything it printed so far. */
export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when its output matches `re` (rejects after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  /** Resolves with its exit code or signal once it has exited. */
  exited: Promise<number | string>;
}

/** Starts `runQueueWorker(opts)` in a child process (tsx), resolved once it says it is connected. */
export function startWorker(opts: QueueWorkerOptions): Promise<WorkerProcess> {
  return startWorkerProcess(['--import', 'tsx', WORKER_MAIN, JSON.stringify(opts)]);
}

/** Starts `pretrain-lab worker ...args` (the CLI), resolved once it says it is connected. */
export function startCliWorker(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<WorkerProcess> {
  return startWorkerProcess([BIN, 'worker', ...args], o);
}

/** Runs `pretrain-lab ...args` to completion (90 s timeout). */
export function runCli(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 90_000, ...o }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function startWorkerProcess(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...o });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (b: Buffer): void => {
    out += b.toString();
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  const waitFor = (re: RegExp, ms = 30_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!re.test(out)) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const fail = (why: string): void => {
        listeners.delete(check);
        clearTimeout(timer);
        reject(new Error(`worker output did not match ${re}: ${why}:\n${out}`));
      };
      const timer = setTimeout(() => fail(`not within ${ms} ms`), ms);
      listeners.add(check);
      check();
      void exited.then((how) => setImmediate(() => listeners.has(check) && fail(`it exited (${how})`)));
    });
  const w = { child, output: () => out, waitFor, exited };
  await waitFor(/waiting for trials/);
  return w;
}

/** Stops a worker with SIGTERM (it finishes its trial) and waits for it; SIGKILL after 10 s. */
export async function stopWorker(w: WorkerProcess): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill('SIGTERM');
  const timer = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
  await w.exited;
  clearTimeout(timer);
}

/** The smoke study made tinier (`data.trainSize` 200, one fine-tuning epoch) unless overridden. */
export async function smokeStudy(overrides: Record<string, unknown> = {}): Promise<ResolvedExperiment> {
  return resolveExperiment(await loadExperiment('smoke'), { preset: 'quick', overrides: { 'data.trainSize': 200, 'finetune.epochs': 1, ...overrides } });
}

/** The distinct trials of the study's first phase. */
export function firstTrials(exp: ResolvedExperiment): PlannedTrial[] {
  return uniqueTrials(expandExperiment(exp, new Map()));
}

/**
 * A value without its wall-clock times (keys `seconds`, `trainSeconds`, ...: no two runs share
 * them) and without `pretrainCache` (which trials loaded a stack from the store's cache depends on
 * the schedule; the queue's workers keep none); the rest must be byte-identical.
 */
export function withoutTimes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutTimes);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !/seconds$/i.test(k) && k !== 'pretrainCache').map(([k, x]) => [k, withoutTimes(x)]));
  return v;
}
