/**
 * `--threads <n|auto>`: the native backend's BLAS threads. OpenBLAS gives other last bits with 2
 * threads than with 1 for some matrix shapes, so the count is a numeric choice: each record's
 * variant names it, and the command that reproduces a trial passes it.
 */
import { availableParallelism } from 'node:os';
import { isReproducibleMode } from '../backends/reproducible.ts';
import { UsageError } from './errors.ts';

export const THREADS_HELP = "BLAS threads of the native backend: a number, or auto (all cores; 1 under --reproducible, whose bits must not depend on the machine's core count)";

/** Parses `--threads`: an integer >= 1, or `auto` (kept as the string). */
export function threadsArg(v: string): number | 'auto' {
  if (v === 'auto') return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads must be an integer >= 1 or auto (got '${v}')`);
  return n;
}

/**
 * The thread count to use: the flag's number; for `auto` (or no flag), `cores / share` (at least
 * 1), or 1 in reproducible mode. (The native addon starts single-threaded whatever
 * OPENBLAS_NUM_THREADS says; this is the one place the count is chosen.)
 */
export function resolveThreads(flag: number | 'auto' | undefined, share = 1): number {
  if (typeof flag === 'number') return flag;
  if (isReproducibleMode()) return 1;
  return Math.max(1, Math.floor(availableParallelism() / share));
}
