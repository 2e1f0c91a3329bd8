/**
 * `<store>/slurm/<submission>/tasks-<k>.json`: what array task i of array k runs, entry i: the
 * trial (its TrialSpec) and the experiment id, plus what every task of the submission shares (the
 * store, the submitter's code version, the variant policy). Tasks are data: a task reads its entry
 * and runs that trial against the store, nothing else.
 */
import * as fs from 'node:fs';
import { atomicWriteFile } from '../../io/atomic-write.ts';
import type { CodeVersion } from '../../experiments/code-version.ts';
import type { TrialSpec } from '../../experiments/trial-record.ts';
import { SlurmError } from './slurm-error.ts';

/** One array task: the trial it runs. */
export interface SlurmTaskEntry {
  experiment: string;
  trial: TrialSpec;
  /** Whether the trial keeps its final.safetensors (`--keep-networks`). */
  keepNetwork: boolean;
  /** False under `--no-pretrain-cache`: the trial trains its own stack (absent: it shares the store's). */
  pretrainCache?: boolean;
}

export interface SlurmTasksFile {
  format: number;
  /** Absolute path of the run store. */
  storeDir: string;
  submission: string;
  /** The code version of the `run` that submitted: a task of another version refuses to run. */
  code: CodeVersion;
  allowMixedVariants: boolean;
  /** BLAS threads of each task's trial (`--threads`; 1 by default, as a local run). */
  threads: number;
  tasks: SlurmTaskEntry[];
}

export const TASKS_FORMAT = 1;

export function writeTasksFile(file: string, f: SlurmTasksFile): void {
  atomicWriteFile(file, JSON.stringify(f) + '\n');
}

/** Reads a tasks file. @throws SlurmError naming the file when it is missing or not one */
export function readTasksFile(file: string): SlurmTasksFile {
  let f: SlurmTasksFile;
  try {
    f = JSON.parse(fs.readFileSync(file, 'utf8')) as SlurmTasksFile;
  } catch (e) {
    throw new SlurmError(`cannot read the Slurm tasks file ${file} (${(e as Error).message}): was the store moved or deleted? Submit again with pretrain-lab run ... --executor slurm.`);
  }
  if (f?.format !== TASKS_FORMAT || !Array.isArray(f.tasks) || typeof f.storeDir !== 'string') {
    throw new SlurmError(`${file} is not a Slurm tasks file of this version (format ${String(f?.format)}, expected ${TASKS_FORMAT}): submit again with pretrain-lab run ... --executor slurm.`);
  }
  return f;
}
