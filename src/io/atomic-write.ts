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
  openSync(p: string, flags: string): number;
  writeSync(fd: number, data: Uint8Array): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(p: string): void;
}

export const nodeIo: WriteIo = {
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

/** Suffix of temp files; `<name>.tmp-<pid>-<n>`. Leftovers from killed processes are removed on open. */
export const TEMP_MARK = '.tmp-';
let counter = 0;

/**
 * Atomically replaces `file` with `data` (a string, bytes, or byte chunks written in order),
 * creating its directory if needed. On failure the target is untouched, the temp file is
 * removed, and an AtomicWriteError is thrown; a full disk (ENOSPC/EDQUOT) says so explicitly.
 */
export function atomicWriteFile(file: string, data: string | Uint8Array | readonly Uint8Array[], io: WriteIo = nodeIo): void {
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}${TEMP_MARK}${process.pid}-${counter++}`;
  let fd: number | null = null;
  try {
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
        `disk full while writing ${file}: nothing was changed (the previous contents, if any, are intact). ` +
          `Free some space (or write to another disk, e.g. --runs-dir) and re-run the same command; finished work is kept.`,
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
