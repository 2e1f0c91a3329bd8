/**
 * A lock file (`.lock`, holding the owner's pid, host and start time) so that two runs never write
 * one store at once. A lock whose pid is dead (e.g. after SIGKILL) is stale and taken over.
 *
 * Taking over is race-free between runs started at the same moment: a stale lock is removed only
 * while holding a short-lived guard file (`.lock.takeover`, created exclusively), and only if the
 * lock file still holds the very owner judged stale; so a run can never remove a lock that
 * another run has just taken, and whoever then creates the lock exclusively wins.
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

/** Age (ms) after which an unreadable lock, or a takeover guard, is considered abandoned. */
export const STALE_MS = 10_000;

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function ageMs(file: string): number | null {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Removes the lock at `file` if it still holds `seen` (the owner judged stale; `null`: an
 * unreadable lock older than {@link STALE_MS}), under the exclusive guard `file.takeover`.
 * Returns false when another process holds the guard (try again shortly). A guard older than
 * {@link STALE_MS} was abandoned by a process that died while taking over, and is cleared.
 */
export function removeStaleLock(file: string, seen: LockInfo | null): boolean {
  const guard = `${file}.takeover`;
  let fd: number;
  try {
    fd = fs.openSync(guard, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const age = ageMs(guard);
    if (age !== null && age > STALE_MS) fs.rmSync(guard, { force: true });
    return false;
  }
  try {
    const cur = readInfo(file);
    const same = seen === null
      ? cur === null && (ageMs(file) ?? 0) > STALE_MS
      : cur !== null && cur.pid === seen.pid && cur.host === seen.host && cur.startedAt === seen.startedAt;
    if (same) fs.rmSync(file, { force: true });
    return true;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(guard, { force: true });
  }
}

/**
 * Takes the lock at `file` or throws LockError naming the holder. Stale locks (dead pid on this
 * host, or an unreadable lock older than 10 s) are replaced (see {@link removeStaleLock}).
 */
export function acquireLock(file: string, what: string): Lock {
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  for (let attempt = 0; attempt < 50; attempt++) {
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
    if (holder) {
      if (!(holder.host === os.hostname() && !pidAlive(holder.pid))) {
        throw new LockError(
          `${what} is in use by another pretrain-lab run (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}: ${holder.command}). ` +
            `Wait for it to finish, stop it, or use another --runs-dir. If that process is gone, delete ${file}.`,
        );
      }
    } else {
      const age = ageMs(file);
      if (age === null) continue; // vanished: retry
      if (age <= STALE_MS) {
        sleep(100); // being written right now, or left unreadable moments ago
        continue;
      }
    }
    if (!removeStaleLock(file, holder)) sleep(20);
  }
  throw new LockError(`could not take the lock ${file} after several attempts; another run may be starting. Try again.`);
}
