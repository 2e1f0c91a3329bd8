/**
 * The one crash-safe file writer of the project (run records, reports, checkpoints, data caches).
 * Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it over
 * the target, fsync the directory. A reader sees the old file or the new one, never half of one,
 * even if the process is killed (SIGKILL) or the disk fills up at any moment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file-system calls atomicWriteFile uses; injectable so tests can simulate a full disk. */
export interface WriteIo {
  mkdirSync(dir: string): void;
  openSync(p: string, flags: string): number;
  writeSync(fd: number, data: Uint8Array): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(p: string): void;
}

export const nodeIo: WriteIo = {
  mkdirSync: (d) => void fs.mkdirSync(d, { recursive: true }),
  openSync: (p, f) => fs.openSync(p, f),
  writeSync: (fd, d) => fs.writeSync(fd, d),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
  unlinkSync: (p) => fs.unlinkSync(p),
};

/** Error writing a file atomically; the message says the previous contents are intact and what to do. */
export class AtomicWriteError extends Error {
  override name = 'AtomicWriteError';
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

/**
 * The WriteIo of calls that pass none: `nodeIo`, except inside `withWriteIo` (tests).
 * This is the one test seam for faults on write: every record, checkpoint, report and cache goes
 * through atomicWriteFile, so a test can fail any of them (e.g. ENOSPC on the third trial record)
 * without threading an `io` argument through the runner, the trial function and the report.
 */
let defaultIo: WriteIo = nodeIo;

/**
 * Runs `fn` with `io` as the WriteIo of every atomicWriteFile call that passes none, then restores
 * the previous one (also when `fn` throws or rejects). For tests that simulate a full disk; only
 * this process is affected (worker processes use nodeIo).
 */
export async function withWriteIo<T>(io: WriteIo, fn: () => T | Promise<T>): Promise<T> {
  const prev = defaultIo;
  defaultIo = io;
  try {
    return await fn();
  } finally {
    defaultIo = prev;
  }
}

/** Suffix of temp files; `<name>.tmp-<pid>-<n>`. Leftovers from killed processes are removed on open. */
export const TEMP_MARK = '.tmp-';
let counter = 0;

/**
 * Atomically replaces `file` with `data` (a string, bytes, or byte chunks written in order),
 * creating its directory if needed. On failure the target is untouched, the temp file is
 * removed, and an AtomicWriteError is thrown; a full disk (ENOSPC/EDQUOT) says so explicitly.
 * `io` defaults to nodeIo (see withWriteIo).
 */
export function atomicWriteFile(file: string, data: string | Uint8Array | readonly Uint8Array[], io: WriteIo = defaultIo): void {
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  const tmp = `${file}${TEMP_MARK}${process.pid}-${counter++}`;
  let fd: number | null = null;
  try {
    io.mkdirSync(path.dirname(file));
    fd = io.openSync(tmp, 'w');
    for (const bytes of chunks) {
      let off = 0;
      while (off < bytes.length) off += io.writeSync(fd, bytes.subarray(off));
    }
    io.fsyncSync(fd);
    io.closeSync(fd);
    fd = null;
    io.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) {
      try {
        io.closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      io.unlinkSync(tmp);
    } catch {
      /* may not exist */
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      throw new AtomicWriteError(
        `disk full (${code}: no space left on device) while writing ${file}: nothing was changed (the previous contents, if any, are intact). ` +
          `Free some space (or write to another disk, e.g. --runs-dir) and re-run the same command; finished trials are kept.`,
        code,
      );
    }
    throw new AtomicWriteError(
      `could not write ${file} (${code ?? (e as Error).message}); the previous contents, if any, are intact`,
      code,
    );
  }
  fsyncDir(path.dirname(file));
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some file systems refuse fsync on directories; the rename is still atomic */
  }
}
