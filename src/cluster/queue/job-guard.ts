/**
 * The worker's gate: a job is data, never code. It admits a job only when its data has exactly
 * the expected fields (no module, no function, nothing else), its config passes the trial schema
 * (strict: unknown keys are refused) and hashes to the job's hash and id, it names no file outside
 * the worker's data directory, and it was queued by the same code version (records of another
 * version would not be comparable). Anything else is a JobRefusedError saying why.
 */
import { z } from 'zod';
import type { CodeVersion } from '../../experiments/code-version.ts';
import { trialHash } from '../../experiments/hash.ts';
import { resolveTrialConfig, type TrialConfig } from '../../train/config.ts';
import { dataPathProblem } from './data-paths.ts';
import { describeCode, sameCode, type QueueJobData } from './queue-job.ts';

/** A job this worker will not run; the message says why and what to do. */
export class JobRefusedError extends Error {
  override name = 'JobRefusedError';
}

const codeSchema = z.strictObject({ package: z.string(), git: z.string().nullable(), dirty: z.boolean().nullable() });
const jobDataSchema = z.strictObject({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  config: z.unknown(),
  code: codeSchema,
  experiment: z.string(),
  keepNetwork: z.boolean(),
});

/**
 * Checks a job before it runs.
 * @param data the job's data as it came from Redis
 * @param jobId the job's id (must equal the hash)
 * @param o this worker's data directory (null: none) and code version
 * @returns the job's data with its config resolved by the schema
 * @throws JobRefusedError naming the first problem
 */
export function admitJob(data: unknown, jobId: string | undefined, o: { dataDir: string | null; code: CodeVersion }): QueueJobData {
  const what = `job ${jobId ?? '(no id)'}`;
  if (data !== null && typeof data === 'object') {
    const extra = Object.keys(data).filter((k) => !(k in jobDataSchema.shape));
    if (extra.some((k) => /module|function|code|script|exec/i.test(k))) {
      throw new JobRefusedError(`${what} carries ${extra.join(', ')}: a job is data, never code, and names no module; refused`);
    }
  }
  const parsed = jobDataSchema.safeParse(data);
  if (!parsed.success) throw new JobRefusedError(`${what} is not a pretrain-lab trial (${parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ')}); refused`);
  const d = parsed.data;
  if (!sameCode(d.code, o.code)) {
    throw new JobRefusedError(`${what} was queued by ${describeCode(d.code)} but this worker is ${describeCode(o.code)}: records of another code version are not comparable; run the worker from the coordinator's version (or the coordinator from the worker's)`);
  }
  let config: TrialConfig;
  try {
    config = resolveTrialConfig(d.config);
  } catch (e) {
    throw new JobRefusedError(`${what}: ${(e as Error).message}; refused`);
  }
  const hash = trialHash(config);
  if (hash !== d.hash || jobId !== d.hash) throw new JobRefusedError(`${what}: its config hashes to ${hash.slice(0, 12)}, not to the job's hash ${d.hash.slice(0, 12)} and id; refused (a job altered after it was queued, or queued by other code)`);
  const problem = dataPathProblem(config, o.dataDir);
  if (problem) throw new JobRefusedError(`${what}: ${problem}; refused`);
  return { hash, config, code: d.code, experiment: d.experiment, keepNetwork: d.keepNetwork };
}
