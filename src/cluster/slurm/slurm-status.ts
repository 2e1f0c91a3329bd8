/** The Slurm part of `pretrain-lab status`. STUB until the Slurm executor lands. */
export interface SlurmJobState {
  jobId: string;
  tasks: number;
  pending: number;
  running: number;
  done: number;
  other: Record<string, number>;
  source: 'squeue' | 'sacct' | 'none';
}

/** The state of the store's Slurm submissions. */
export async function slurmStatus(storeDir: string): Promise<{ jobs: SlurmJobState[]; note: string | null }> {
  void storeDir;
  return { jobs: [], note: 'Slurm status is not available in this build' };
}
