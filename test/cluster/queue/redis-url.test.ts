import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRedisUrl } from '../../../src/cluster/queue/redis-url.ts';
import { RedisUrlError } from '../../../src/cluster/queue/queue-errors.ts';
import { exitCodeFor } from '../../../src/cli/errors.ts';

test('parseRedisUrl reads host, port, db, ACL user and password, and TLS from rediss://', () => {
  const t = parseRedisUrl('rediss://lab:s%40cret@cache.example:6380/3');
  assert.deepEqual(t.options, { host: 'cache.example', port: 6380, db: 3, username: 'lab', password: 's@cret', tls: {} });
  assert.equal(t.display, 'rediss://lab:***@cache.example:6380/3');
  assert.equal(t.password, 's@cret');
  assert.deepEqual(parseRedisUrl('redis://localhost').options, { host: 'localhost', port: 6379, db: 0 });
  assert.deepEqual(parseRedisUrl('redis://:pw@[::1]:7000').options, { host: '::1', port: 7000, db: 0, password: 'pw' });
});

test('a bad --redis URL is a usage error (exit code 2) that names it without its password', () => {
  for (const url of ['http://u:topsecret@h:1', 'redis://u:topsecret@h:1/x', 'u:topsecret@h']) {
    assert.throws(
      () => parseRedisUrl(url),
      (e: Error) => e instanceof RedisUrlError && !e.message.includes('topsecret') && /redis:\/\//.test(e.message) && exitCodeFor(e) === 2,
      url,
    );
  }
});

test('--redis env:NAME reads the URL from the environment, so the password stays out of the command line', () => {
  process.env['PL_TEST_REDIS'] = 'redis://lab:hidden@db:6400';
  const t = parseRedisUrl('env:PL_TEST_REDIS');
  assert.equal(t.display, 'redis://lab:***@db:6400');
  assert.equal(t.options.password, 'hidden');
  delete process.env['PL_TEST_REDIS'];
  assert.throws(() => parseRedisUrl('env:PL_TEST_REDIS'), (e: Error) => e instanceof RedisUrlError && /PL_TEST_REDIS is not set/.test(e.message));
});
