/**
 * A Slurm setup or submission problem a user can fix (no `sbatch` on the PATH, an unknown
 * partition, a controller that does not answer, flags sbatch refuses); the message names the
 * problem and what to do. Exit code 2, like other configuration mistakes.
 */
export class SlurmError extends Error {
  override name = 'SlurmError';
}
