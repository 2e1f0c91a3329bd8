/**
 * Connecting to Redis with retries: a probe connection is tried with exponential backoff until it
 * answers PING; then the long-lived client is created, which reconnects on its own for ever (a
 * Redis restarted mid-run is waited for, not fatal). Failure after the last attempt is a
 * RedisConnectionError naming the URL without its password, the last error and what to check.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { scrubSecret } from '../redact-url.ts';
import { RedisConnectionError } from './queue-errors.ts';
import type { RedisTarget } from './redis-url.ts';

export interface ConnectOptions {
  /** Connection attempts before giving up (default 6: about 15 s with the default delays). */
  attempts?: number;
  /** Delay after the first failed attempt, doubled after each (default 500 ms, capped at 8 s). */
  delayMs?: number;
  /** Told about each failed attempt but the last (message already redacted). */
  onRetry?(message: string): void;
}

/** What the user should check, from the server's or the socket's error. */
function hint(message: string): string {
  if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(message)) {
    return 'the server refused the credentials: check the user and password in the URL (redis://user:password@host:port; a password alone authenticates the default user)';
  }
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN|timeout/i.test(message)) {
    return 'is redis-server running and reachable from this machine? (check the host, port and firewall; start one with `redis-server`)';
  }
  if (/SSL|TLS|certificate|wrong version number/i.test(message)) {
    return 'TLS failed: use rediss:// only for a TLS port, and trust a private CA with NODE_EXTRA_CA_CERTS=ca.pem';
  }
  return 'check the URL and that the server is a Redis >= 5';
}

/** One probe: connect without retrying, PING, disconnect. Resolves to null on success, else the error message. */
async function probe(target: RedisTarget): Promise<string | null> {
  const options: RedisOptions = { ...target.options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 5000 };
  const c = new Redis({ ...options, replyMapping: 'legacy' });
  let last: string | null = null;
  c.on('error', (e: Error) => {
    last = e.message;
  });
  try {
    await c.connect();
    await c.ping();
    return null;
  } catch (e) {
    return last ?? (e as Error).message;
  } finally {
    c.disconnect();
  }
}

/**
 * Waits until Redis at `target` answers (retrying with backoff), then returns a client for long
 * use: `maxRetriesPerRequest: null` (BullMQ's requirement: commands wait through a reconnect) and
 * reconnecting with a delay of at most 2 s.
 * @throws RedisConnectionError after `attempts` failures
 */
export async function connectRedis(target: RedisTarget, o: ConnectOptions = {}): Promise<Redis> {
  const attempts = o.attempts ?? 6;
  let delay = o.delayMs ?? 500;
  const t0 = Date.now();
  for (let i = 1; ; i++) {
    const err = await probe(target);
    if (err === null) break;
    const message = scrubSecret(err, target.password).replace(/\.\s*$/, '');
    if (i >= attempts) {
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      throw new RedisConnectionError(`cannot use Redis at ${target.display} (${attempts} attempts over ${secs} s): ${message}; ${hint(message)}`);
    }
    o.onRetry?.(`Redis at ${target.display}: ${message}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${i + 1} of ${attempts})`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 8000);
  }
  const options: RedisOptions = { ...target.options, maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(100 * 2 ** times, 2000) };
  return new Redis({ ...options, replyMapping: 'legacy' });
}
