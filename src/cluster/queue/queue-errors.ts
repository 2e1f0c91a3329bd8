/** Errors of the Redis-backed queue a user can hit; each message says what to do. */

/** A `--redis` URL that cannot be used (wrong scheme, no host, a bad port or database): a usage mistake (exit code 2). */
export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

/**
 * Redis could not be reached, or refused the credentials, after retrying with backoff. The message
 * names the URL without its password and the last error (exit code 1: the environment, not the command).
 */
export class RedisConnectionError extends Error {
  override name = 'RedisConnectionError';
}

/** A `pretrain-lab worker` option that cannot be used (a concurrency below 1, a data directory that does not exist): exit code 2. */
export class QueueOptionError extends Error {
  override name = 'QueueOptionError';
}
