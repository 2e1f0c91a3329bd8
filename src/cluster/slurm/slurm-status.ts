/**
 * The Slurm part of `pretrain-lab status`: the state of each job array (and continuation job) a
 * store submitted. From `sacct` when the cluster keeps accounting; else from `squeue`, which only
 * lists jobs still queued, running or lately ended, so a task squeue no longer shows is counted as
 * done whatever its exit (the store's records and failure files tell how each trial ended).
 */
import { runSlurmCommand, type SlurmRunner } from './slurm-command.ts';
import { isLiveState, queuedTasks } from './squeue.ts';
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
  source: 'squeue' | 'sacct' | 'none';
}

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

/** Tasks of `job` (`123_4` ids for arrays, `123` for a plain job) found in a state map. */
function tasksOf(states: ReadonlyMap<string, string>, job: string): string[] {
  return [...states.entries()].filter(([id]) => id === job || id.startsWith(`${job}_`)).map(([, s]) => s);
}

/**
 * The state of every job the store's newest submissions hold; `note` says where the numbers come
 * from when that limits them (no accounting, Slurm unreachable). No submissions: no jobs.
 */
export async function slurmStatus(storeDir: string, run: SlurmRunner = runSlurmCommand): Promise<{ jobs: SlurmJobState[]; note: string | null }> {
  const jobs = knownJobs(storeDir);
  if (jobs.length === 0) return { jobs: [], note: null };
  const ids = jobs.map((j) => j.jobId);
  const acct = await sacctStates(ids, run);
  if (acct && acct.size > 0) {
    return {
      jobs: jobs.map(({ jobId, tasks }) => {
        const st = emptyState(jobId, tasks, 'sacct');
        for (const s of tasksOf(acct, jobId)) {
          if (s === 'PENDING') st.pending++;
          else if (s === 'RUNNING' || s === 'COMPLETING' || s === 'REQUEUED') st.running++;
          else if (s === 'COMPLETED') st.done++;
          else st.other[s] = (st.other[s] ?? 0) + 1;
        }
        return st;
      }),
      note: null,
    };
  }
  let queued: Map<string, string>;
  try {
    queued = await queuedTasks(ids, run);
  } catch (e) {
    return { jobs: jobs.map(({ jobId, tasks }) => emptyState(jobId, tasks, 'none')), note: (e as Error).message };
  }
  return {
    jobs: jobs.map(({ jobId, tasks }) => {
      const st = emptyState(jobId, tasks, 'squeue');
      const live = tasksOf(queued, jobId);
      for (const s of live) {
        if (s === 'PD') st.pending++;
        else if (s === 'R' || s === 'CG') st.running++;
        else if (isLiveState(s)) st.other[s] = (st.other[s] ?? 0) + 1;
      }
      st.done = tasks - live.filter(isLiveState).length;
      return st;
    }),
    note: 'from squeue (sacct has no accounting here): a task no longer queued counts as done whatever its exit; failed trials are listed under failed/ in the store',
  };
}
