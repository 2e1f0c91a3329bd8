/**
 * The queue under faults, with a real redis-server (append-only, fsync always) and real worker
 * processes: a job queued by another code version or naming a file outside the data directory is
 * refused (no retry), a trial failing on every attempt comes back as a TrialFailedError with each
 * attempt's log, a worker SIGKILLed mid-trial loses nothing (the trial stalls back into the queue
 * and another worker resumes it from the shared work dir: one result), and a redis-server
 * restarted mid-run loses and duplicates nothing.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Queue, QueueEvents } from 'bullmq';
import { QueueCoordinator } from '../../../src/cluster/queue/queue-coordinator.ts';
import { QUEUE_PREFIX, TRIAL_JOB_NAME, type QueueJobData } from '../../../src/cluster/queue/queue-job.ts';
import { codeVersion } from '../../../src/experiments/code-version.ts';
import { trialHash } from '../../../src/experiments/hash.ts';
import type { JobOutcome } from '../../../src/experiments/worker-pool.ts';
import { resolveTrialConfig } from '../../../src/train/config.ts';
import { skipIfMissing } from '../../helpers/skip-if-missing.ts';
import { redisServerMissing, startRedisServer, type RedisServer } from '../../helpers/redis-server.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { firstTrials, smokeStudy, startWorker, stopWorker, withoutTimes, type WorkerProcess } from './queue-helpers.ts';

const skip = skipIfMissing('redis-server (the queue fault tests)', redisServerMissing());
const workers: WorkerProcess[] = [];
const warnings: string[] = [];
let coordinator: QueueCoordinator | null = null;
// Registered first, so that it runs before the harnesses' clean-ups (redis-server stops last).
after(async () => {
  await coordinator?.close();
  await Promise.all(workers.map(stopWorker));
});
// Started at the top level, not in before(): the harnesses register their own after() clean-ups.
const redis = (skip ? null : await startRedisServer({ appendonly: true })) as RedisServer;
const dir = tempDir();
const dataDir = join(dir, 'data');
const workDir = join(dir, 'work');
mkdirSync(dataDir);
if (!skip) coordinator = await QueueCoordinator.open({ redis: redis.url, backoffMs: 100, pollMs: 1000 }, (m) => warnings.push(m));

async function worker(): Promise<WorkerProcess> {
  const w = await startWorker({ redis: redis.url, concurrency: 1, dataDir, workDir, lockMs: 3000 });
  workers.push(w);
  return w;
}

/** Adds a job as a coordinator would (or as an attacker could) and waits for it to end; resolves to its failure reason. */
async function failureOf(data: QueueJobData): Promise<{ reason: string; attempts: number }> {
  const queue = new Queue('pretrain-lab', { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX });
  const events = new QueueEvents('pretrain-lab', { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX });
  queue.on('error', () => {});
  events.on('error', () => {});
  try {
    await events.waitUntilReady();
    const job = await queue.add(TRIAL_JOB_NAME, data, { jobId: data.hash, attempts: 3, backoff: { type: 'fixed', delay: 100 } });
    const err = await job.waitUntilFinished(events, 30_000).then(() => null, (e: Error) => e);
    assert.ok(err, 'the job should have failed');
    const done = (await queue.getJob(data.hash))!;
    return { reason: done.failedReason, attempts: done.attemptsMade };
  } finally {
    await events.close();
    await queue.close();
  }
}

test('a job queued by another code version is refused at once, with a message naming both versions', { skip }, async () => {
  const w = await worker();
  const config = resolveTrialConfig({ seed: 7, data: { trainSize: 100 } });
  const theirs = { package: 'pretrain-lab@0.0.9', git: 'f'.repeat(40), dirty: false };
  const { reason, attempts } = await failureOf({ hash: trialHash(config), config, code: theirs, experiment: 'smoke', keepNetwork: false });
  assert.equal(attempts, 1, 'refused without retrying');
  assert.match(reason, /queued by pretrain-lab@0\.0\.9 \(git ffffffffffff\) but this worker is pretrain-lab@0\.1\.0/);
  assert.match(w.output(), /refused job [0-9a-f]{64} was queued by pretrain-lab@0\.0\.9/);
});

test('a job naming a file outside the data directory is refused, and so is one carrying a module', { skip }, async () => {
  const config = resolveTrialConfig({ seed: 8, data: { name: 'csv:/etc/passwd' } });
  const { reason, attempts } = await failureOf({ hash: trialHash(config), config, code: codeVersion(), experiment: 'smoke', keepNetwork: false });
  assert.equal(attempts, 1);
  assert.match(reason, /data\.name names the file \/etc\/passwd, which is outside this worker's data directory/);
  const c2 = resolveTrialConfig({ seed: 9 });
  const evil = { hash: trialHash(c2), config: c2, code: codeVersion(), experiment: 'smoke', keepNetwork: false, trialModule: { module: '/tmp/evil.mjs' } };
  assert.match((await failureOf(evil as QueueJobData)).reason, /a job is data, never code/);
});

test('a trial failing on every attempt rejects with a TrialFailedError carrying the attempts and each attempt\'s log', { skip }, async () => {
  const [t] = firstTrials(await smokeStudy({ 'data.name': 'csv:missing.csv' }));
  const e = (await coordinator!.run({ hash: t!.hash, config: t!.config, checkpointDir: '-' }, {}, 'smoke').then(() => null, (x: Error) => x)) as (Error & { attempts: number; log: string | null }) | null;
  assert.ok(e, 'the trial should fail');
  assert.equal(e.name, 'TrialFailedError');
  assert.equal(e.attempts, 3);
  assert.match(e.message, /after 3 attempt\(s\) of 3: .*missing\.csv/);
  assert.equal(e.log?.match(/attempt \d of 3 failed: .*missing\.csv/g)?.length, 3, e.log ?? '');
});

test('a job completed while no coordinator was listening hands back its result and files to the next run, without running again', { skip }, async () => {
  const [t] = firstTrials(await smokeStudy({ seeds: 1, 'data.trainSize': 100 }));
  const data: QueueJobData = { hash: t!.hash, config: t!.config, code: codeVersion(), experiment: 'smoke', keepNetwork: true };
  // a coordinator that queued the trial and stopped before it finished
  const queue = new Queue('pretrain-lab', { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX });
  const events = new QueueEvents('pretrain-lab', { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX });
  try {
    await events.waitUntilReady();
    const job = await queue.add(TRIAL_JOB_NAME, data, { jobId: data.hash, attempts: 3 });
    await job.waitUntilFinished(events, 30_000);
  } finally {
    await events.close();
    await queue.close();
  }
  const o = await coordinator!.run({ hash: t!.hash, config: t!.config, checkpointDir: '/store/checkpoints/x', keepNetwork: true }, {}, 'smoke');
  assert.equal(o.kind, 'done');
  assert.ok(o.kind === 'done' && o.files?.['final.safetensors'] && o.files['final.safetensors'].length > 1000, 'the final network comes back');
  assert.equal(o.kind === 'done' && o.result.checkpoint, '/store/checkpoints/x/final.safetensors', "the result's path points into the store");
  const starts = workers.map((w) => w.output()).join('').split(`trial ${t!.hash.slice(0, 12)} started`).length - 1;
  assert.equal(starts, 1, 'computed once');
});

test('a worker SIGKILLed mid-trial loses nothing: the trial goes back to the queue and another worker resumes it and finishes it, once', { skip }, async () => {
  const [t] = firstTrials(await smokeStudy({ 'finetune.epochs': 80, seeds: 1 }));
  const victim = workers[0]!;
  let starts = 0;
  let killedAt = 0;
  let resumedAt = 0;
  const outcome = coordinator!.run(
    { hash: t!.hash, config: t!.config, checkpointDir: '-' },
    {
      onStart: () => starts++,
      onEpoch: (m) => {
        if (starts >= 2 && resumedAt === 0 && m.phase === 'finetune') resumedAt = m.epoch;
        if (killedAt === 0 && m.phase === 'finetune' && m.epoch >= 3) {
          killedAt = m.epoch;
          victim.child.kill('SIGKILL');
        }
      },
    },
    'smoke',
  );
  const rescuer = await worker();
  const o: JobOutcome = await outcome;
  assert.ok(killedAt > 0, 'killed mid-trial');
  assert.equal(o.kind, 'done');
  assert.equal(o.kind === 'done' && o.result.epochsRun, 80);
  assert.ok(resumedAt > 1, `the second worker resumed from the first one's checkpoint (its first epoch: ${resumedAt})`);
  assert.doesNotMatch(victim.output(), new RegExp(`trial ${t!.hash.slice(0, 12)} finished`));
  assert.match(rescuer.output(), new RegExp(`trial ${t!.hash.slice(0, 12)} finished`));
  assert.ok(starts >= 2, `started ${starts} time(s)`);
  assert.ok(warnings.some((m) => /stopped answering/.test(m)), warnings.join('\n'));
  // computed again from scratch (no checkpoint): the same numbers, so the resumed run lost nothing
  const again = await coordinator!.run({ hash: t!.hash, config: t!.config, checkpointDir: '-' }, {}, 'smoke');
  assert.deepEqual(withoutTimes(again.kind === 'done' && again.result), withoutTimes(o.kind === 'done' && o.result));
});

test('redis-server restarted mid-run (append-only) loses and duplicates nothing', { skip }, async () => {
  const trials = firstTrials(await smokeStudy({ 'finetune.epochs': 3, seeds: 1 })).slice(0, 6);
  const done: string[] = [];
  const outcomes = Promise.all(trials.map((t) => coordinator!.run({ hash: t.hash, config: t.config, checkpointDir: '-' }, {}, 'smoke').then((o) => (done.push(t.hash), o))));
  while (done.length < 1) await new Promise((r) => setTimeout(r, 50));
  assert.ok(done.length < trials.length, 'restarted mid-run');
  await redis.restart();
  const all = await outcomes;
  assert.equal(all.length, trials.length);
  assert.ok(all.every((o) => o.kind === 'done'));
  assert.equal(new Set(done).size, trials.length, 'each trial handed back exactly once');
  const queue = new Queue('pretrain-lab', { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX });
  try {
    for (const t of trials) {
      const job = await queue.getJob(t.hash);
      assert.equal(await job?.getState(), 'completed', t.hash);
    }
  } finally {
    await queue.close();
  }
});

test('SIGTERM: a worker takes no new trial, finishes the running one (its result comes back) and exits 0', { skip }, async () => {
  const [a, b] = firstTrials(await smokeStudy({ 'finetune.epochs': 30, seeds: 1, 'model.hidden': 12 }));
  const stopping = await worker();
  await Promise.all(workers.slice(0, -1).map(stopWorker)); // only the new worker serves the queue
  let signalled = false;
  const first = coordinator!.run({ hash: a!.hash, config: a!.config, checkpointDir: '-' }, {
    onEpoch: (m) => {
      if (!signalled && m.phase === 'finetune' && m.epoch >= 2) {
        signalled = true;
        stopping.child.kill('SIGTERM');
      }
    },
  }, 'smoke');
  const second = coordinator!.run({ hash: b!.hash, config: b!.config, checkpointDir: '-' }, {}, 'smoke');
  const o = await first;
  assert.equal(o.kind === 'done' && o.result.epochsRun, 30, 'finished, not cut short');
  assert.equal(await stopping.exited, 0);
  assert.match(stopping.output(), /SIGTERM: taking no new trials; finishing the running ones/);
  assert.doesNotMatch(stopping.output(), new RegExp(`trial ${b!.hash.slice(0, 12)} started`), 'the queued trial was not taken');
  // the second trial waited in the queue for the next worker
  await worker();
  assert.equal((await second).kind, 'done');
});

test('a second SIGTERM releases the running trial: back in the queue at once, without using up an attempt', { skip }, async () => {
  const [t] = firstTrials(await smokeStudy({ 'finetune.epochs': 200, seeds: 1, 'model.hidden': 10 }));
  const stopping = workers.at(-1)!;
  let signalled = false;
  let starts = 0;
  const outcome = coordinator!.run({ hash: t!.hash, config: t!.config, checkpointDir: '-' }, {
    onStart: () => starts++,
    onEpoch: (m) => {
      if (!signalled && m.phase === 'finetune' && m.epoch >= 2) {
        signalled = true;
        stopping.child.kill('SIGTERM');
        setTimeout(() => stopping.child.kill('SIGTERM'), 300);
      }
    },
  }, 'smoke');
  assert.equal(await stopping.exited, 0);
  assert.match(stopping.output(), new RegExp(`trial ${t!.hash.slice(0, 12)} released: back in the queue`));
  await worker();
  const o = await outcome;
  assert.equal(o.kind === 'done' && o.result.epochsRun, 200);
  assert.equal(starts, 2);
  const queue = new Queue('pretrain-lab', { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX });
  try {
    assert.equal((await queue.getJob(t!.hash))?.attemptsMade, 1, 'one attempt used: the released run did not count');
  } finally {
    await queue.close();
  }
});
