/**
 * Whether a Slurm task may write a study submitted by another code version: records of different
 * code would not be comparable (the determinism the README promises holds per version).
 */
import type { CodeVersion } from '../../experiments/code-version.ts';

/** Why two code versions may not write one study (null when they may): another package, or both commits known and different. */
export function codeMismatch(task: CodeVersion, submitter: CodeVersion): string | null {
  const gitDiffers = task.git !== null && submitter.git !== null && task.git !== submitter.git;
  if (task.package === submitter.package && !gitDiffers) return null;
  const name = (c: CodeVersion): string => `${c.package}${c.git ? ` (git ${c.git.slice(0, 12)})` : ''}`;
  return (
    `this task runs ${name(task)} but the study was submitted by ${name(submitter)}: records of different code versions would not be comparable, so the trial is refused. ` +
    `Run the tasks with the submitter's checkout (the same path on every node), or submit again from this version.`
  );
}
