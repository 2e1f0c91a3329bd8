/**
 * The queue over TLS (`rediss://`): a redis-server with only a TLS port and a certificate signed by
 * a private CA, trusted the documented way (`NODE_EXTRA_CA_CERTS`); a worker connects and a study
 * runs through it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { redisServerMissing, redisTlsMissing, startRedisServer, type RedisServer } from '../../helpers/redis-server.ts';
import { skipIfMissing } from '../../helpers/skip-if-missing.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { runCli, startCliWorker, stopWorker, type WorkerProcess } from './queue-helpers.ts';

const skip = skipIfMissing('redis-server with TLS and openssl (the queue over rediss://)', redisServerMissing() ?? redisTlsMissing());
const workers: WorkerProcess[] = [];
after(() => Promise.all(workers.map(stopWorker)));
const redis = (skip ? null : await startRedisServer({ tls: true })) as RedisServer;
const dir = tempDir();

test('over rediss:// with a private CA (NODE_EXTRA_CA_CERTS) a worker connects and a study runs through the queue', { skip, timeout: 60_000 }, async () => {
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: redis.ca! };
  const w = await startCliWorker(['--redis', redis.url, '--concurrency', '1', '--work-dir', join(dir, 'work')], { env });
  workers.push(w);
  assert.match(w.output(), new RegExp(`connected to rediss://127\\.0\\.0\\.1:${redis.port}, queue pretrain-lab`));
  const study = join(import.meta.dirname, 'fixtures', 'one-bad-data-set.ts');
  const r = await runCli(['run', study, '--data.name=mnist', '--executor', 'queue', '--redis', redis.url, '--runs-dir', join(dir, 'runs'), '--json', '--no-report'], { cwd: dir, env });
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ran: number; failed: unknown[] };
  assert.equal(result.ran, 1);
  assert.deepEqual(result.failed, []);
});
