/**
 * Runs Slurm's client programs (sbatch, squeue, sinfo, sacct, scontrol). Everything in the
 * executor goes through a {@link SlurmRunner}, so tests can put a fake in its place.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What a client program printed and how it exited (`code` 127: not found on the PATH). */
export interface SlurmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args...` (a Slurm client, looked up on the PATH) and resolves to its result; never rejects. */
export type SlurmRunner = (cmd: string, args: readonly string[]) => Promise<SlurmResult>;

/** The real runner: the program on the PATH, this process's environment (SLURM_CONF included), 60 s at most. */
export const runSlurmCommand: SlurmRunner = (cmd, args) =>
  new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
      if (e.code === 'ENOENT') return resolve({ code: 127, stdout: '', stderr: `${cmd}: not found on the PATH` });
      const code = typeof e.code === 'number' ? e.code : 1;
      resolve({ code, stdout, stderr: stderr || (e.killed ? `${cmd} timed out after 60 s` : e.message) });
    });
  });

/** The absolute path of the executable `name` on `PATH`, or null. */
export function onPath(name: string, pathVar: string = process.env['PATH'] ?? ''): string | null {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** The first line of a client's error output, for messages. */
export function firstLine(r: SlurmResult): string {
  return (r.stderr.trim() || r.stdout.trim() || `exit code ${r.code}`).split('\n')[0]!;
}
