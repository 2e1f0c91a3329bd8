/**
 * Checks, before anything is written to the store, that this machine can submit to Slurm with the
 * given flags: `sbatch` and `squeue` on the PATH, the controller answering, the partition known
 * (or a default partition when none is given), and `sbatch --test-only` accepting the resource
 * flags (a time limit over the partition's, memory no node has, an account that does not exist).
 */
import { firstLine, onPath, runSlurmCommand, type SlurmRunner } from './slurm-command.ts';
import { SlurmError } from './slurm-error.ts';
import { resourceArgs, type SlurmOptions } from './slurm-options.ts';

/** The partitions `sinfo` lists (the default one marked by a trailing `*` in sinfo's output, here `default`). */
export async function listPartitions(run: SlurmRunner = runSlurmCommand): Promise<{ names: string[]; default: string | null }> {
  const r = await run('sinfo', ['-h', '-o', '%P']);
  if (r.code !== 0) {
    throw new SlurmError(
      `Slurm's controller did not answer (sinfo: ${firstLine(r)}). Check that slurmctld runs and that this machine's Slurm configuration ` +
        `(/etc/slurm/slurm.conf, or the file SLURM_CONF names) points at it; then run the same command again.`,
    );
  }
  const raw = r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const names = [...new Set(raw.map((p) => p.replace(/\*$/, '')))];
  const def = raw.find((p) => p.endsWith('*'));
  return { names, default: def ? def.slice(0, -1) : null };
}

/**
 * Throws SlurmError naming what is missing and what to do; resolves when a submission with `o`
 * would be accepted. `pathVar`: the PATH to search (tests).
 */
export async function slurmPreflight(o: SlurmOptions, run: SlurmRunner = runSlurmCommand, pathVar?: string): Promise<void> {
  const missing = ['sbatch', 'squeue'].filter((p) => !onPath(p, pathVar));
  if (missing.length > 0) {
    throw new SlurmError(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not on the PATH: --executor slurm submits job arrays with sbatch and follows them with squeue. ` +
        `Run this on a Slurm login node (on some clusters after \`module load slurm\`), or run the study on this machine with --executor local. Nothing was written.`,
    );
  }
  const parts = await listPartitions(run);
  if (o.partition !== undefined && !parts.names.includes(o.partition)) {
    throw new SlurmError(
      `Slurm partition '${o.partition}' does not exist here (sinfo lists: ${parts.names.join(', ') || 'none'}). ` +
        `Pass one of those with --slurm.partition, or leave the flag out to use the default partition${parts.default ? ` (${parts.default})` : ''}. Nothing was written.`,
    );
  }
  if (o.partition === undefined && parts.default === null) {
    throw new SlurmError(`this Slurm cluster has no default partition: pass --slurm.partition (one of: ${parts.names.join(', ') || 'none'}). Nothing was written.`);
  }
  const test = await run('sbatch', ['--test-only', ...resourceArgs(o), '--wrap', 'true']);
  if (test.code !== 0) {
    throw new SlurmError(
      `sbatch refuses a task with these flags (${resourceArgs(o).join(' ') || 'none'}): ${firstLine(test).replace(/^sbatch: error: /, '')}. ` +
        `Fix --slurm.partition / --slurm.time / --slurm.mem / --slurm.cpus-per-task / --slurm.extra and run again. Nothing was written.`,
    );
  }
}
