import { execFile } from 'node:child_process';
import * as path from 'node:path';

/** bin/pretrain-lab.js of this checkout. */
export const BIN = path.join(import.meta.dirname, '..', '..', 'bin', 'pretrain-lab.js');

/** Runs `pretrain-lab ...args` in a child process (60 s timeout); resolves to its exit code and output. */
export function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
