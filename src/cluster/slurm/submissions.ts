/**
 * `<store>/slurm/submissions.json`: every job array this store submitted, with the hashes of its
 * tasks in array order, so that a later `run` knows which trials are still pending or running in
 * Slurm (and does not submit them twice) and `status` can show the arrays' states. Written
 * atomically, under the store's lock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { atomicWriteFile } from '../../io/atomic-write.ts';
import type { CodeVersion } from '../../experiments/code-version.ts';
import type { TrialPhase } from '../../experiments/expand.ts';

/** One job array: its Slurm job id, its tasks file, and the trial hash of each task (index = array index). */
export interface SlurmArray {
  job: string;
  tasksFile: string;
  hashes: string[];
}

/** One submission: the arrays of one phase and the dependent job that continues the study after them. */
export interface Submission {
  /** Directory name under `<store>/slurm/`, e.g. `20261130T081502Z-3fa2`. */
  id: string;
  /** The id of the first submission of this chain (a `run` and the continuations it led to). */
  chain: string;
  phase: TrialPhase;
  arrays: SlurmArray[];
  /** The continuation job (`--dependency=afterany:<arrays>`). */
  continueJob: string;
  code: CodeVersion;
  submittedAt: string;
}

const FORMAT = 1;

/** `<store>/slurm`. */
export function slurmDir(storeDir: string): string {
  return path.join(storeDir, 'slurm');
}

/** `<store>/logs`: the tasks' and continuations' output (`%A_%a.out`, `continue-%j.out`). */
export function logDir(storeDir: string): string {
  return path.join(storeDir, 'logs');
}

function submissionsPath(storeDir: string): string {
  return path.join(slurmDir(storeDir), 'submissions.json');
}

/** A new submission id: the UTC time to the second plus 4 random hex digits. */
export function newSubmissionId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
}

/** Every submission of the store, oldest first (none when the file is absent or unreadable). */
export function readSubmissions(storeDir: string): Submission[] {
  try {
    const f = JSON.parse(fs.readFileSync(submissionsPath(storeDir), 'utf8')) as { format?: number; submissions?: Submission[] };
    return f.format === FORMAT && Array.isArray(f.submissions) ? f.submissions : [];
  } catch {
    return [];
  }
}

/** Adds `s` to the file (atomic replace; the caller holds the store's lock). */
export function appendSubmission(storeDir: string, s: Submission): void {
  const all = [...readSubmissions(storeDir), s];
  atomicWriteFile(submissionsPath(storeDir), JSON.stringify({ format: FORMAT, submissions: all }, null, 1) + '\n');
}
