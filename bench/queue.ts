/**
 * The Redis-backed queue's cost, against the local pool, on a loopback redis-server this script
 * starts (and stops):
 *
 * 1. Overhead per trial: a trivial trial (the tests' synthetic trial function: microseconds of work,
 *    a 50 KB final network) run one at a time, N times, through the local pool (one worker process)
 *    and through the queue (one worker process): the mean round trip, enqueue to result, and the
 *    difference (the issue: under 50 ms).
 * 2. Throughput: the smoke study (real trials, both phases) through two `pretrain-lab worker`
 *    processes vs a local pool of 2, alternating, `--reps` times each (the issue: within 10%). The
 *    queue's time is given with its workers already running (as on a cluster) and counting their start.
 *
 *   node --import tsx bench/queue.ts [--trials 200] [--reps 2] [--preset quick|full] [--json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { queueExecutorFactory } from '../src/cluster/queue/queue-executor.ts';
import { QueueCoordinator } from '../src/cluster/queue/queue-coordinator.ts';
import { resolveExperiment } from '../src/experiments/define.ts';
import { loadExperiment } from '../src/experiments/registry.ts';
import { runExperiment } from '../src/experiments/runner.ts';
import { WorkerPool, type TrialJob } from '../src/experiments/worker-pool.ts';
import { trialHash } from '../src/experiments/hash.ts';
import { resolveTrialConfig } from '../src/train/config.ts';
import { launchRedisServer } from '../test/helpers/redis-server.ts';

const { values: opts } = parseArgs({ options: { trials: { type: 'string', default: '200' }, reps: { type: 'string', default: '2' }, preset: { type: 'string', default: 'quick' }, json: { type: 'boolean', default: false } } });
const N = Number(opts.trials);
const REPS = Number(opts.reps);
const ROOT = path.join(import.meta.dirname, '..');
const SYNTH = { module: path.join(ROOT, 'test', 'fixtures', 'experiments', 'synthetic-trial.ts'), export: 'runTrial' };
const WORKER_MAIN = path.join(ROOT, 'test', 'cluster', 'queue', 'fixtures', 'worker-main.ts');
const BIN = path.join(ROOT, 'bin', 'pretrain-lab.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pretrain-lab-bench-queue-'));
const say = (m: string): void => void (opts.json ? null : console.log(m));
const quiet = (): void => {};

/** Starts a worker process and resolves once it is connected. */
function startProcess(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer): void => {
      out += b;
      if (out.includes('waiting for trials')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${out}`)));
  });
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : (c.once('exit', () => r()), c.kill('SIGTERM'))))));
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean ms of `run(job)` over the trivial jobs, one at a time (after 5 warm-up jobs). */
async function roundTrips(label: string, run: (job: TrialJob) => Promise<unknown>): Promise<number> {
  const jobs = Array.from({ length: N + 5 }, (_, i) => {
    const config = resolveTrialConfig({ seed: i + 1, backend: 'reference', model: { depth: 1, hidden: 16 }, pretrain: { kind: 'none' }, finetune: { epochs: 1 } });
    return { hash: trialHash(config), config, checkpointDir: path.join(tmp, label, String(i)), keepNetwork: true };
  });
  const times: number[] = [];
  for (const [i, job] of jobs.entries()) {
    const t0 = performance.now();
    await run(job);
    if (i >= 5) times.push(performance.now() - t0);
  }
  return mean(times);
}

const redis = await launchRedisServer();
const results: Record<string, unknown> = { trials: N, reps: REPS, preset: opts.preset, cores: os.availableParallelism(), loadavg: os.loadavg().map((x) => +x.toFixed(2)) };
try {
  // 1. overhead per trial
  const pool = new WorkerPool(1, SYNTH);
  const poolMs = await roundTrips('pool', (job) => pool.run(job, {}));
  pool.close();
  const worker = await startProcess(['--import', 'tsx', WORKER_MAIN, JSON.stringify({ redis: redis.url, concurrency: 1, workDir: path.join(tmp, 'work'), trialModule: SYNTH })]);
  const c = await QueueCoordinator.open({ redis: redis.url }, quiet);
  const queueMs = await roundTrips('queue', (job) => c.run(job, {}, 'bench'));
  await c.close();
  await stopAll([worker]);
  Object.assign(results, { poolMs: +poolMs.toFixed(2), queueMs: +queueMs.toFixed(2), overheadMs: +(queueMs - poolMs).toFixed(2) });
  say(`overhead per trial (${N} trivial trials, one at a time): local pool ${poolMs.toFixed(1)} ms, queue ${queueMs.toFixed(1)} ms: +${(queueMs - poolMs).toFixed(1)} ms per trial`);

  // 2. throughput on the smoke study
  const exp = resolveExperiment(await loadExperiment('smoke'), { preset: opts.preset });
  const times: { local: number[]; queue: number[] } = { local: [], queue: [] };
  const withStart: number[] = [];
  for (let r = 0; r < REPS; r++) {
    for (const kind of r % 2 === 0 ? (['local', 'queue'] as const) : (['queue', 'local'] as const)) {
      const runsDir = path.join(tmp, `${kind}-${r}`);
      let workers: ChildProcess[] = [];
      const tStart = performance.now();
      if (kind === 'queue') workers = await Promise.all([1, 2].map((i) => startProcess([BIN, 'worker', '--redis', redis.url, '--concurrency', '1', '--work-dir', path.join(tmp, `w${r}-${i}`)])));
      const t0 = performance.now();
      const s = await runExperiment(exp, { runsDir, ...(kind === 'queue' ? { executor: queueExecutorFactory({ redis: redis.url }, quiet) } : { workers: 2 }) });
      const t1 = performance.now();
      times[kind].push((t1 - t0) / 1000);
      if (kind === 'queue') withStart.push((t1 - tStart) / 1000);
      await stopAll(workers);
      say(`  ${kind}: ${s.ran} trials in ${times[kind].at(-1)!.toFixed(2)} s${kind === 'queue' ? ` (${withStart.at(-1)!.toFixed(2)} s counting the workers' start)` : ''}`);
    }
  }
  const ratio = mean(times.local) / mean(times.queue);
  const ratioWithStart = mean(times.local) / mean(withStart);
  Object.assign(results, { preset: opts.preset, smokeLocalSeconds: times.local, smokeQueueSeconds: times.queue, smokeQueueSecondsWithStart: withStart, throughputRatio: +ratio.toFixed(3), throughputRatioWithStart: +ratioWithStart.toFixed(3) });
  say(`throughput, smoke study --preset ${opts.preset}: local pool of 2 ${mean(times.local).toFixed(2)} s; two queue workers ${mean(times.queue).toFixed(2)} s (already running) or ${mean(withStart).toFixed(2)} s (counting their start): the queue at ${(100 * ratio).toFixed(1)}% / ${(100 * ratioWithStart).toFixed(1)}% of the pool's throughput`);
  say(`load average ${results['loadavg']} on ${results['cores']} cores`);
  if (opts.json) console.log(JSON.stringify(results));
} finally {
  await redis.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(redis.dir, { recursive: true, force: true });
}
