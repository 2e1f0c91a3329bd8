/**
 * What travels through the queue: a job's data (a trial config and who queued it: data, never
 * code) and its return value. A job's id is its trial's hash, so a trial is queued at most once.
 * Files a finished trial brings back (its `final.safetensors` and the analyses' side files) are
 * not in the return value, which BullMQ also copies into its event stream, but in a Redis hash of
 * their own (`filesKey`), read and deleted by the coordinator.
 */
import type { CodeVersion } from '../../experiments/code-version.ts';
import type { TrialConfig } from '../../train/config.ts';
import type { TrialResult } from '../../train/trial-result.ts';
import type { NumericVariant } from '../../tensor/numeric-variant.ts';

/** The default queue name (`--queue`). */
export const DEFAULT_QUEUE = 'pretrain-lab';
/** BullMQ's key prefix for our queues (its default). */
export const QUEUE_PREFIX = 'bull';
/** The BullMQ job name of every trial. */
export const TRIAL_JOB_NAME = 'trial';

/** A job's data. */
export interface QueueJobData {
  /** `trialHash(config)`: also the job's id; the worker checks both. */
  hash: string;
  /** The resolved trial config (checked against the schema by the worker). */
  config: TrialConfig;
  /** The coordinator's code version: a worker of another version refuses the trial. */
  code: CodeVersion;
  /** The experiment's id (for messages). */
  experiment: string;
  /** Whether the trial's `final.safetensors` is wanted back. */
  keepNetwork: boolean;
}

/** A job's return value. */
export type QueueJobResult = ({ kind: 'done'; result: TrialResult } | { kind: 'diverged'; message: string }) & {
  variant: NumericVariant;
  /** The names of the files stored under `filesKey` (empty: none). */
  files: string[];
  /** `host:pid` of the worker that ran it. */
  worker: string;
  /** The checkpoint directory it ran in on the worker (the result's paths point there). */
  dir: string;
};

/** The Redis hash holding a finished trial's files (name -> bytes) until the coordinator takes them. */
export function filesKey(queue: string, hash: string): string {
  return `${QUEUE_PREFIX}:${queue}:files:${hash}`;
}

/** How long brought-back files wait in Redis for their coordinator (7 days). */
export const FILES_TTL_SECONDS = 7 * 24 * 3600;

/** `pretrain-lab@0.1.0 (git 1a2b3c4d5e6f)`: a code version for messages. */
export function describeCode(c: CodeVersion): string {
  return `${c.package}${c.git ? ` (git ${c.git.slice(0, 12)}${c.dirty ? ', uncommitted changes' : ''})` : ''}`;
}

/** Whether records computed by code `a` and `b` are comparable: the same package id and, when both are known, the same commit. */
export function sameCode(a: CodeVersion, b: CodeVersion): boolean {
  return a.package === b.package && (a.git === null || b.git === null || a.git === b.git);
}
