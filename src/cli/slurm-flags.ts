/**
 * `run --executor slurm`: the `--slurm.*` options and the submission (issue 16, Slurm part).
 * STUB until the Slurm executor lands: the options exist, running refuses.
 */
import type { Command } from 'commander';
import type { ResolvedExperiment } from '../experiments/define.ts';
import { UsageError } from './errors.ts';

/** Adds the `--slurm.*` options to `run`. */
export function addSlurmOptions(cmd: Command): void {
  void cmd;
}

/** Submits the study's unfinished trials as a Slurm job array (see the README, "Running on a cluster"). */
export async function runOnSlurm(resolved: ResolvedExperiment, opts: Record<string, unknown>, argv: string[], mode: 'json' | 'tty' | 'plain'): Promise<void> {
  void resolved, opts, argv, mode;
  throw new UsageError('--executor slurm is not available in this build');
}
