/**
 * `pretrain-lab run --executor queue` end to end, as a user runs it: a real redis-server with an
 * ACL user and password, two `pretrain-lab worker` processes, the smoke study. Its records hold
 * the same results and numeric variants as the local pool's (byte for byte but the wall-clock
 * times), the same final networks, and the same report cells; a trial failing on every attempt
 * is recorded as failed with its log while the study goes on; a wrong password is a clear error;
 * and no output of any command shows the password.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RunStore } from '../../../src/experiments/store.ts';
import { redisServerMissing, startRedisServer, type RedisServer } from '../../helpers/redis-server.ts';
import { skipIfMissing } from '../../helpers/skip-if-missing.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { runCli, startCliWorker, stopWorker, withoutTimes, type WorkerProcess } from './queue-helpers.ts';

const skip = skipIfMissing('redis-server (the queue executor end to end)', redisServerMissing());
const PASSWORD = 'queue-test-s3cret';
const TINY = ['--data.trainSize=200', '--finetune.epochs=1', '--no-report'];
const outputs: string[] = [];
const workers: WorkerProcess[] = [];
after(() => Promise.all(workers.map(stopWorker)));
const redis = (skip ? null : await startRedisServer({ aclUser: { name: 'lab', password: PASSWORD } })) as RedisServer;
const url = skip ? '' : `redis://lab:${PASSWORD}@127.0.0.1:${redis.port}`;
const shown = skip ? '' : `redis://lab:***@127.0.0.1:${redis.port}`;
const dir = tempDir();

/** Runs the CLI to completion in `dir`; its output is kept for the password check. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli(args, { cwd: dir });
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** Starts `pretrain-lab worker --redis <url> ...`; resolves once it is connected. */
async function worker(...args: string[]): Promise<() => string> {
  const w = await startCliWorker(['--redis', url, ...args], { cwd: dir });
  workers.push(w);
  return w.output;
}

/** The records of a store, by hash. */
function records(storeDir: string): Map<string, NonNullable<ReturnType<RunStore['read']>>> {
  const store = new RunStore(storeDir);
  const out = new Map<string, NonNullable<ReturnType<RunStore['read']>>>();
  for (const f of fs.readdirSync(join(storeDir, 'trials'))) {
    const r = store.read(f.replace(/\.json$/, ''));
    if (r) out.set(r.hash, r);
  }
  return out;
}

// Started first and awaited last: with its retries it takes about 15 s.
const wrongPassword = skip ? null : cli(['run', 'smoke', '--executor', 'queue', '--redis', `redis://lab:not-${PASSWORD}@127.0.0.1:${redis.port}`, '--runs-dir', join(dir, 'never'), ...TINY]);

test('the smoke study through the queue (two workers) gives the local pool\'s records, final networks and report cells', { skip, timeout: 120_000 }, async () => {
  const w1 = await worker('--concurrency', '1', '--work-dir', join(dir, 'w1'));
  const w2 = await worker('--concurrency', '1', '--work-dir', join(dir, 'w2'));
  const [local, queued] = await Promise.all([
    cli(['run', 'smoke', '--workers', '2', '--runs-dir', join(dir, 'local'), '--json', ...TINY]),
    cli(['run', 'smoke', '--executor', 'queue', '--redis', url, '--runs-dir', join(dir, 'queue'), '--json', ...TINY]),
  ]);
  assert.equal(local.code, 0, local.stderr);
  assert.equal(queued.code, 0, queued.stderr);
  const a = records(join(dir, 'local', 'smoke'));
  const b = records(join(dir, 'queue', 'smoke'));
  assert.equal(a.size, 16);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [hash, ra] of a) {
    const rb = b.get(hash)!;
    const norm = (r: typeof ra, root: string): string => JSON.stringify(withoutTimes(r.result)).split(root).join('<runs>');
    assert.equal(norm(rb, join(dir, 'queue')), norm(ra, join(dir, 'local')), `result of ${hash}`);
    assert.equal(JSON.stringify(rb.variant), JSON.stringify(ra.variant), `variant of ${hash}`);
    assert.equal(rb.command, ra.command);
    const net = (root: string): Buffer => fs.readFileSync(join(dir, root, 'smoke', 'checkpoints', hash, 'final.safetensors'));
    assert.ok(net('queue').equals(net('local')), `final.safetensors of ${hash}`);
  }
  const cells = (out: string): unknown => JSON.parse(out.trim().split('\n').at(-1)!).cells;
  assert.deepEqual(cells(queued.stdout), cells(local.stdout));
  // each worker ran some trials, and says so without the password
  for (const out of [w1(), w2()]) {
    assert.match(out, new RegExp(`connected to ${shown.replace(/[*.]/g, '\\$&')}, queue pretrain-lab, concurrency 1`));
    assert.match(out, /trial [0-9a-f]{12} finished in/);
  }
});

test('a trial failing on every attempt is recorded as failed with its log; the study goes on and says which failed', { skip, timeout: 60_000 }, async () => {
  const data = join(dir, 'data');
  fs.mkdirSync(data);
  // The coordinator (cwd: dir) has the file and describes it; the worker's data directory does not.
  fs.writeFileSync(join(dir, 'missing.csv'), `label,a,b\n${Array.from({ length: 24 }, (_, i) => `${i % 2},${i % 3},${i % 5}`).join('\n')}\n`);
  await worker('--concurrency', '1', '--work-dir', join(dir, 'w3'), '--data-dir', data, '--queue', 'with-data');
  const study = join(import.meta.dirname, 'fixtures', 'one-bad-data-set.ts');
  const r = await cli(['run', study, '--executor', 'queue', '--redis', url, '--queue', 'with-data', '--attempts', '2', '--runs-dir', join(dir, 'bad'), '--json', '--no-report']);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ran: number; failed: { hash: string; attempts: number; message: string }[] };
  assert.equal(result.ran, 1, r.stdout + r.stderr);
  assert.equal(result.failed.length, 1);
  assert.equal(result.failed[0]!.attempts, 2);
  assert.match(result.failed[0]!.message, /missing\.csv/);
  assert.match(r.stdout, /"event":"trial-failed"/);
  const store = new RunStore(join(dir, 'bad', 'one-bad-data-set'));
  const f = store.readFailures().get(result.failed[0]!.hash)!;
  assert.equal(f.executor, 'queue');
  assert.equal(f.attempts, 2);
  assert.match(f.log ?? '', /attempt 1 of 2 failed: .*missing\.csv[\s\S]*attempt 2 of 2 failed: .*missing\.csv/);
});

test('a wrong password is a clear error naming the URL without any password; no output ever shows the password', { skip, timeout: 60_000 }, async () => {
  const r = await wrongPassword!;
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`cannot use Redis at redis://lab:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port} \\(6 attempts over [\\d.]+ s\\): WRONGPASS`));
  assert.match(r.stderr, /refused the credentials/);
  assert.ok(!fs.existsSync(join(dir, 'never', 'smoke', 'trials')) || fs.readdirSync(join(dir, 'never', 'smoke', 'trials')).length === 0);
  for (const w of workers) outputs.push(w.output());
  for (const out of outputs) {
    assert.ok(!out.includes(PASSWORD), `the password appears in:\n${out}`);
  }
});
