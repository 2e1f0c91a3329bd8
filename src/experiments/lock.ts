/**
 * A lock file (`.lock`, holding the owner's pid, host and start time) so that two runs never write
 * one store at once. A lock whose pid is dead (e.g. after SIGKILL) is stale and taken over.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/** Thrown when another live process holds the lock; the message names it and what to do. */
export class LockError extends Error {
  override name = 'LockError';
}

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/** A held lock; `release()` removes it (idempotent). */
export interface Lock {
  readonly path: string;
  release(): void;
}

/** Whether process `pid` exists on this host. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readInfo(file: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock at `file` or throws LockError naming the holder. Stale locks (dead pid on this
 * host, or an unreadable lock older than 10 s) are replaced.
 */
export function acquireLock(file: string, what: string): Lock {
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      try {
        fs.writeSync(fd, JSON.stringify(info));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      let released = false;
      return {
        path: file,
        release() {
          if (released) return;
          released = true;
          const cur = readInfo(file);
          if (cur && cur.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readInfo(file);
    let stale: boolean;
    if (holder) stale = holder.host === os.hostname() && !pidAlive(holder.pid);
    else {
      let age = Infinity;
      try {
        age = Date.now() - fs.statSync(file).mtimeMs;
      } catch {
        continue; // vanished: retry
      }
      stale = age > 10_000;
      if (!stale) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        continue;
      }
    }
    if (!stale && holder) {
      throw new LockError(
        `${what} is in use by another pretrain-lab run (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}: ${holder.command}). ` +
          `Wait for it to finish, stop it, or use another --runs-dir. If that process is gone, delete ${file}.`,
      );
    }
    fs.rmSync(file, { force: true });
  }
  throw new LockError(`could not take the lock ${file} after several attempts; another run may be starting. Try again.`);
}
