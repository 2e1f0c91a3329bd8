/**
 * `--redis` URLs: `redis://[user[:password]@]host[:port][/db]` and `rediss://...` (TLS). The user
 * name selects a Redis ACL user; a password alone (`redis://:pw@host`) authenticates the default
 * user. TLS uses Node's trust store (add a private CA with `NODE_EXTRA_CA_CERTS=ca.pem`).
 * `env:NAME` reads the URL from the environment variable NAME, so that a password never stands in
 * a command line (which `ps` shows every user of the machine).
 */
import type { RedisOptions } from 'ioredis';
import { redactUrl } from '../redact-url.ts';
import { RedisUrlError } from './queue-errors.ts';

/** A parsed `--redis` URL. */
export interface RedisTarget {
  /** Connection options for ioredis (credentials included: never print these). */
  options: RedisOptions;
  /** The URL as it may be printed: the password replaced by `***`. */
  display: string;
  /** The password, for scrubbing library messages (`scrubSecret`); undefined without one. */
  password: string | undefined;
}

/**
 * Parses a `--redis` URL (or `env:NAME`: the URL in that environment variable).
 * @throws RedisUrlError naming the URL (without its password) and the accepted form
 */
export function parseRedisUrl(given: string): RedisTarget {
  let url = given;
  if (given.startsWith('env:')) {
    const name = given.slice(4);
    const v = process.env[name];
    if (!v) throw new RedisUrlError(`--redis ${given}: the environment variable ${name} is not set; export ${name}=redis://[user:password@]host[:port][/db]`);
    url = v;
  }
  const display = redactUrl(url);
  const form = 'use redis://[user:password@]host[:port][/db] or rediss://... for TLS, e.g. redis://localhost:6379';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError(`--redis ${display} is not a URL: ${form}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RedisUrlError(`--redis ${display}: unknown scheme '${u.protocol}'; ${form}`);
  if (!u.hostname) throw new RedisUrlError(`--redis ${display} names no host; ${form}`);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new RedisUrlError(`--redis ${display}: the database '${dbText}' must be an integer >= 0; ${form}`);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}), // the certificate is checked against the host name (Node's default)
  };
  return { options, display, password };
}
