/**
 * The `--slurm.*` flags as the executor uses them, and the sbatch arguments they become. Resource
 * flags apply to every array task; the continuation job (which only plans, submits and writes the
 * report) asks for one CPU and otherwise the same partition, time, memory and extra flags (an
 * account or QOS the cluster requires applies to it too).
 */
import { shellWords } from './shell-words.ts';

export interface SlurmOptions {
  /** `--partition`; absent: the cluster's default partition. */
  partition?: string;
  /** `--time` of each task, in Slurm's format (`30:00`, `1-00:00:00`). */
  time?: string;
  /** `--mem` of each task (`4G`). */
  mem?: string;
  /** `--cpus-per-task` of each task. */
  cpusPerTask?: number;
  /** At most this many array tasks at once (`--array=...%N`). */
  maxParallel?: number;
  /** More sbatch flags, split as a shell would (`--account=abc --qos=low`). */
  extra?: string;
}

/** The sbatch arguments for resources: one array task (`continuation`: the dependent job, one CPU). */
export function resourceArgs(o: SlurmOptions, continuation = false): string[] {
  return [
    ...(o.partition !== undefined ? [`--partition=${o.partition}`] : []),
    ...(o.time !== undefined ? [`--time=${o.time}`] : []),
    ...(o.mem !== undefined ? [`--mem=${o.mem}`] : []),
    ...(continuation ? ['--cpus-per-task=1'] : o.cpusPerTask !== undefined ? [`--cpus-per-task=${o.cpusPerTask}`] : []),
    ...(o.extra !== undefined ? shellWords(o.extra) : []),
  ];
}

/** `--array=0-<n-1>[%max]` for `n` >= 1 tasks. */
export function arrayArg(n: number, maxParallel?: number): string {
  return `--array=0-${n - 1}${maxParallel !== undefined ? `%${maxParallel}` : ''}`;
}
