/**
 * What Slurm still holds of some jobs, from `squeue -h -r -j <ids> -o '%i %t'`: one line per array
 * task (`123_4 PD`) or plain job (`124 R`). Finished jobs leave squeue (after the controller's
 * MinJobAge), so absence means ended, whatever the outcome.
 */
import { firstLine, runSlurmCommand, type SlurmRunner } from './slurm-command.ts';
import { SlurmError } from './slurm-error.ts';

/** Job states that mean "will still run or is running" (pending, running, completing, suspended, requeued, ...). */
const LIVE = new Set(['PD', 'R', 'CG', 'CF', 'S', 'RQ', 'RH', 'RF', 'RS', 'SI', 'SO', 'ST', 'RD']);

/** Whether an squeue state code (`%t`) means the task may still run. */
export function isLiveState(state: string): boolean {
  return LIVE.has(state);
}

/** Parses `%i %t` lines into `id -> state` (`123_4` for an array task, `124` for a job). */
export function parseSqueue(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [id, state] = line.trim().split(/\s+/);
    if (id && state) out.set(id, state);
  }
  return out;
}

/**
 * The queued tasks of `jobIds` (array job ids or plain job ids), `id -> state`.
 * @throws SlurmError when squeue fails for another reason than "these jobs are gone"
 */
export async function queuedTasks(jobIds: readonly string[], run: SlurmRunner = runSlurmCommand): Promise<Map<string, string>> {
  if (jobIds.length === 0) return new Map();
  const r = await run('squeue', ['-h', '-r', '-j', jobIds.join(','), '-o', '%i %t']);
  // squeue exits 1 with "Invalid job id specified" when it knows none of the ids: all ended.
  if (r.code !== 0 && /invalid job id/i.test(r.stderr)) return new Map();
  if (r.code !== 0) throw new SlurmError(`squeue failed (${firstLine(r)}): cannot tell which earlier Slurm tasks still run. Check that slurmctld answers (sinfo), then try again.`);
  return parseSqueue(r.stdout);
}
