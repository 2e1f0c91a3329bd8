/**
 * A real `redis-server` (Debian package `redis-server`) for the queue's integration tests: on a free
 * loopback port, in its own temporary directory, stopped by pid when the test file ends. Persistence
 * is off unless asked for (`appendonly`: every write fsynced, so a restart loses nothing).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** Why the queue tests cannot run here (with the command that fixes it), or undefined when redis-server is on the PATH. */
export function redisServerMissing(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return r.error || r.status !== 0 ? 'redis-server is not on the PATH (apt-get install redis-server)' : undefined;
}

export interface RedisServerOptions {
  /** `requirepass`: clients must authenticate. */
  password?: string;
  /** An ACL user (`user <name> on ><password> ~* &* +@all`) besides the default one. */
  aclUser?: { name: string; password: string };
  /** Append-only file with `appendfsync always`: nothing acknowledged is lost across a restart. */
  appendonly?: boolean;
  /** TLS only (no plain port), with a certificate for 127.0.0.1 signed by a CA made here (`ca`). */
  tls?: boolean;
}

/** A running redis-server. */
export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>` (`rediss://` with `tls`; no credentials). */
  url: string;
  dir: string;
  /** With `tls`: the CA certificate to trust (`NODE_EXTRA_CA_CERTS`). */
  ca: string | null;
  pid(): number;
  /** Stops the server (SIGTERM, then waits for its exit). */
  stop(): Promise<void>;
  /** Stops and starts it again on the same port and directory (its data survives only with `appendonly`). */
  restart(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Why TLS cannot be tested here, or undefined (redis-server built with TLS and openssl present). */
export function redisTlsMissing(): string | undefined {
  const r = spawnSync('openssl', ['version'], { stdio: 'ignore' });
  return r.error || r.status !== 0 ? 'openssl is not on the PATH (apt-get install openssl)' : undefined;
}

/** A CA and a server certificate for 127.0.0.1 in `dir` (openssl, a second or so). */
function makeCertificates(dir: string): void {
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=pretrain-lab test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
}

function serverArgs(port: number, dir: string, o: RedisServerOptions): string[] {
  const ports = o.tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', join(dir, 'ca.crt'), '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [...ports, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--loglevel', 'warning'];
  if (o.appendonly) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  if (o.password) args.push('--requirepass', o.password);
  if (o.aclUser) args.push('--user', o.aclUser.name, 'on', `>${o.aclUser.password}`, '~*', '&*', '+@all');
  return args;
}

/** Resolves once the server accepts connections (its log says "Ready to accept connections"). */
function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${out}`)), 10_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (code ${code}) before it was ready:\n${out}`));
    });
  });
}

/** Starts a redis-server for the current test file (stopped and its directory removed in `after`). */
export async function startRedisServer(o: RedisServerOptions = {}): Promise<RedisServer> {
  const server = await launchRedisServer(o);
  after(async () => {
    await server.stop();
    rmSync(server.dir, { recursive: true, force: true });
  });
  return server;
}

/** Starts a redis-server outside the test runner (benchmarks); the caller stops it and removes `dir`. */
export async function launchRedisServer(o: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pretrain-lab-redis-'));
  const port = await freePort();
  if (o.tls) makeCertificates(dir);
  let child: ChildProcess | null = null;
  const launch = async (): Promise<void> => {
    // --loglevel notice would be needed for the ready line; warning keeps the log short, so ask for notice only here.
    const c = spawn('redis-server', serverArgs(port, dir, o).map((a) => (a === 'warning' ? 'notice' : a)), { stdio: ['ignore', 'pipe', 'inherit'] });
    child = c;
    await waitReady(c);
    c.stdout?.resume();
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await launch();
  return {
    port,
    url: `${o.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    dir,
    ca: o.tls ? join(dir, 'ca.crt') : null,
    pid: () => (child as ChildProcess | null)?.pid ?? -1,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}
