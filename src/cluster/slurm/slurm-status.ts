/**
 * The Slurm part of `pretrain-lab status`: the state of each job array (and continuation job) a
 * store submitted. From `sacct` when the cluster keeps accounting; else from `scontrol show job`,
 * which knows jobs still queued or running and those ended in the last few minutes (MinJobAge):
 * a task it no longer knows counts as `ENDED` (the store's records and failure files tell how each
 * trial ended).
 */
import { firstLine, runSlurmCommand, type SlurmRunner } from './slurm-command.ts';
import { readSubmissions } from './submissions.ts';

/** One job: an array (`tasks` its size) or a continuation job (one task). */
export interface SlurmJobState {
  jobId: string;
  tasks: number;
  pending: number;
  running: number;
  /** Ended (with sacct: completed successfully). */
  done: number;
  /** Any other state, by name (FAILED, CANCELLED, TIMEOUT, ... with sacct; squeue's state codes otherwise). */
  other: Record<string, number>;
  source: 'squeue' | 'sacct' | 'scontrol' | 'none';
}

/** The state of a task Slurm no longer knows (ended a while ago, or cancelled before it ran). */
export const ENDED = 'ENDED';

/** How many jobs of the newest submissions are asked about (older ones have long ended). */
const RECENT = 20;

/** Expands sacct's `123_[1-3,7%2]` / `123_4` / `124` into ids (`123_1`, ...). */
export function expandJobIds(id: string): string[] {
  const m = /^(\d+)_\[([^\]]+)\]$/.exec(id);
  if (!m) return [id];
  const out: string[] = [];
  for (const part of m[2]!.split('%')[0]!.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a!; i <= (b ?? a!); i++) out.push(`${m[1]}_${i}`);
  }
  return out;
}

function emptyState(jobId: string, tasks: number, source: SlurmJobState['source']): SlurmJobState {
  return { jobId, tasks, pending: 0, running: 0, done: 0, other: {}, source };
}

/** The jobs of the newest submissions: arrays with their sizes, then continuation jobs. */
function knownJobs(storeDir: string): { jobId: string; tasks: number }[] {
  const out: { jobId: string; tasks: number }[] = [];
  for (const s of readSubmissions(storeDir).slice(-RECENT)) {
    for (const a of s.arrays) out.push({ jobId: a.job, tasks: a.hashes.length });
    if (s.continueJob) out.push({ jobId: s.continueJob, tasks: 1 });
  }
  return out;
}

/** Per-task states from `sacct` (`id -> STATE`), or null when sacct is missing or has no accounting. */
async function sacctStates(ids: string[], run: SlurmRunner): Promise<Map<string, string> | null> {
  const r = await run('sacct', ['-n', '-X', '-P', '-j', ids.join(','), '-o', 'JobID,State']);
  if (r.code !== 0) return null;
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [id, state] = line.trim().split('|');
    if (!id || !state) continue;
    for (const x of expandJobIds(id)) out.set(x, state.split(' ')[0]!);
  }
  return out;
}

/** Expands scontrol's `ArrayTaskId=1-3%1` / `0,4-5` / `7` into task numbers. */
function taskNumbers(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split('%')[0]!.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a!; i <= (b ?? a!); i++) out.push(i);
  }
  return out;
}

/**
 * Per-job task states from `scontrol -o show job <id>` (one line per task record; a pending
 * remainder of an array is one record with a range): `jobId -> [STATE per known task]`. A job
 * Slurm no longer knows has no entry; any other failure is returned as `error`.
 */
export async function scontrolStates(ids: readonly string[], run: SlurmRunner): Promise<{ states: Map<string, string[]>; error: string | null }> {
  const states = new Map<string, string[]>();
  for (const id of ids) {
    const r = await run('scontrol', ['-o', 'show', 'job', id]);
    if (r.code !== 0 && /invalid job id/i.test(r.stderr)) continue;
    if (r.code !== 0) return { states, error: `scontrol failed (${firstLine(r)}): is slurmctld reachable from here (sinfo)?` };
    const list: string[] = [];
    for (const line of r.stdout.split('\n')) {
      const state = /\bJobState=(\S+)/.exec(line)?.[1];
      if (!state) continue;
      const tasks = /\bArrayTaskId=(\S+)/.exec(line)?.[1];
      for (let k = tasks ? taskNumbers(tasks).length : 1; k > 0; k--) list.push(state);
    }
    states.set(id, list);
  }
  return { states, error: null };
}

/** Tasks of `job` (`123_4` ids for arrays, `123` for a plain job) found in a state map. */
function tasksOf(states: ReadonlyMap<string, string>, job: string): string[] {
  return [...states.entries()].filter(([id]) => id === job || id.startsWith(`${job}_`)).map(([, s]) => s);
}

const RUNNING = new Set(['RUNNING', 'COMPLETING', 'CONFIGURING', 'REQUEUED']);

/** One job's counts from the states of its known tasks; tasks Slurm does not know count as {@link ENDED}. */
function tally(jobId: string, tasks: number, source: SlurmJobState['source'], known: readonly string[]): SlurmJobState {
  const st = emptyState(jobId, tasks, source);
  for (const s of known) {
    if (s === 'PENDING') st.pending++;
    else if (RUNNING.has(s)) st.running++;
    else if (s === 'COMPLETED') st.done++;
    else st.other[s] = (st.other[s] ?? 0) + 1;
  }
  if (known.length < tasks) st.other[ENDED] = tasks - known.length;
  return st;
}

/**
 * The state of every job the store's newest submissions hold; `note` says where the numbers come
 * from when that limits them (no accounting, Slurm unreachable). No submissions: no jobs.
 */
export async function slurmStatus(storeDir: string, run: SlurmRunner = runSlurmCommand): Promise<{ jobs: SlurmJobState[]; note: string | null }> {
  const jobs = knownJobs(storeDir);
  if (jobs.length === 0) return { jobs: [], note: null };
  const acct = await sacctStates(jobs.map((j) => j.jobId), run);
  if (acct && acct.size > 0) return { jobs: jobs.map(({ jobId, tasks }) => tally(jobId, tasks, 'sacct', tasksOf(acct, jobId))), note: null };
  const ctl = await scontrolStates(jobs.map((j) => j.jobId), run);
  if (ctl.error !== null) return { jobs: jobs.map(({ jobId, tasks }) => emptyState(jobId, tasks, 'none')), note: ctl.error };
  return {
    jobs: jobs.map(({ jobId, tasks }) => tally(jobId, tasks, 'scontrol', ctl.states.get(jobId) ?? [])),
    note: `from scontrol (sacct has no accounting here): Slurm forgets ended jobs after a few minutes (MinJobAge), and tasks cancelled before they ran, so those count as ${ENDED}; the store's records and failed/ tell how each trial ended`,
  };
}
