/** One Slurm array task: runs its trial against the shared store. STUB until the Slurm executor lands. */
export async function runSlurmTask(file: string, index: number): Promise<number> {
  throw new Error(`worker --slurm-tasks is not available in this build (${file} #${index})`);
}
