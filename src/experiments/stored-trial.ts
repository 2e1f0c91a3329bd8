/**
 * One trial run against a shared run store, by a writer that is not the coordinating `run` (a
 * Slurm array task): claim it, run it in a child process, write its record or its failure file,
 * release the claim. Many such writers, on several nodes, can share one store (see claim.ts).
 *
 * The trial runs in a one-process WorkerPool, so this process's event loop stays free to renew the
 * claim's lease and to hear SIGTERM (a scheduler preempting the task): then the child is killed,
 * the claim released, and the trial's checkpoint (per pre-trained layer, per fine-tuning epoch)
 * stays for the requeued task, which continues bit-identically.
 */
import * as fs from 'node:fs';
import { codeVersion } from './code-version.ts';
import { TrialClaims, type ClaimOwner } from './claim.ts';
import { RunStore, type TrialRecord } from './store.ts';
import { buildTrialFailure, buildTrialRecord, type TrialSpec } from './trial-record.ts';
import { DEFAULT_TRIAL_MODULE, type TrialModuleRef } from './trial-function.ts';
import { StudyVariant } from './variant-guard.ts';
import { WorkerPool, type JobOutcome } from './worker-pool.ts';

/** How {@link runStoredTrial} ended. */
export type StoredTrialOutcome = 'done' | 'diverged' | 'exists' | 'failed' | 'interrupted';

export interface StoredTrialOptions {
  executor: ClaimOwner['executor'];
  /** The scheduler's job id, recorded in the claim and a failure file. */
  job?: string;
  /** This task's log file: its tail goes into a failure file. */
  logPath?: string;
  /** Keep `final.safetensors` (default true). */
  keepNetwork?: boolean;
  /** Share pre-trained stacks through the store's `pretrained/` (default true; `run --no-pretrain-cache`). */
  pretrainCache?: boolean;
  allowMixedVariants?: boolean;
  /** BLAS threads of the trial's worker process (native backend; default 1, as `run --threads`). */
  threads?: number;
  /** Aborting interrupts the trial (as SIGTERM does). */
  signal?: AbortSignal;
  /** How often to look again while another owner's live claim holds the trial (default 5 s). */
  pollMs?: number;
  /** The trial function module (tests); default the real trial. */
  trial?: TrialModuleRef;
  /** Told once when the trial waits for another owner's claim, and when it starts. */
  onStatus?(message: string): void;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** The study's first record, which fixes its numeric variant (see StudyVariant). */
function firstRecord(store: RunStore): TrialRecord[] {
  for (const h of store.listHashes()) {
    const r = store.read(h);
    if (r) return [r];
  }
  return [];
}

function readLog(file: string | undefined): string | null {
  if (!file) return null;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Runs trial `t` of `experiment` against the store at `storeDir`: waits (polling) while another
 * owner's live claim holds it, returning `exists` if its record appears meanwhile; otherwise claims
 * it, runs it (resuming from its checkpoint), admits its numeric variant against the study's,
 * writes its record (or, when it fails, its failure file with the tail of `logPath`) and releases
 * the claim. SIGTERM or `signal` interrupts it: `interrupted`, with the checkpoint kept.
 */
export async function runStoredTrial(storeDir: string, experiment: string, t: TrialSpec, o: StoredTrialOptions): Promise<StoredTrialOutcome> {
  const store = new RunStore(storeDir);
  fs.mkdirSync(store.trialsDir, { recursive: true });
  const claims = new TrialClaims(storeDir);
  const code = codeVersion();
  const interrupt = new AbortController();
  const onTerm = (): void => interrupt.abort();
  process.on('SIGTERM', onTerm);
  o.signal?.addEventListener('abort', onTerm, { once: true });
  let pool: WorkerPool | null = null;
  interrupt.signal.addEventListener('abort', () => pool?.close(), { once: true });
  try {
    let claim = null;
    let told = false;
    for (;;) {
      if (store.read(t.hash)) return 'exists';
      if (interrupt.signal.aborted) return 'interrupted';
      claim = claims.tryClaim(t.hash, { executor: o.executor, ...(o.job ? { job: o.job } : {}) });
      if (claim) break;
      if (!told) {
        const h = claims.holder(t.hash);
        o.onStatus?.(`trial ${t.hash.slice(0, 12)} is claimed by ${h ? `pid ${h.owner.pid} on ${h.owner.host}${h.owner.job ? ` (job ${h.owner.job})` : ''}` : 'another owner'}; waiting for its record or for its lease to lapse`);
        told = true;
      }
      await sleep(o.pollMs ?? 5000, interrupt.signal);
    }
    try {
      if (store.read(t.hash)) return 'exists';
      const variants = new StudyVariant(firstRecord(store), o.allowMixedVariants ?? false);
      pool = new WorkerPool(1, o.trial ?? DEFAULT_TRIAL_MODULE, o.threads !== undefined ? { threads: o.threads } : {});
      let started = new Date();
      let outcome: JobOutcome;
      try {
        o.onStatus?.(`trial ${t.hash.slice(0, 12)} started`);
        outcome = await pool.run(
          { hash: t.hash, config: t.config, checkpointDir: store.checkpointDir(t.hash), ...(o.pretrainCache !== false ? { pretrainCache: store.pretrainedDir } : {}), keepNetwork: o.keepNetwork ?? true },
          { onStart: () => void (started = new Date()), onWarn: (m) => o.onStatus?.(`trial ${t.hash.slice(0, 12)}: ${m}`) },
        );
        const finished = new Date();
        const mixed = variants.admit(outcome.variant, `trial ${t.hash.slice(0, 12)}`);
        store.write(buildTrialRecord(experiment, t, outcome, code, started, finished, mixed));
      } catch (e) {
        // A scheduler signals every process of the job at once (Slurm's requeue, preemption, time
        // limit): the child may die of its SIGTERM before this process hears its own. Give that a
        // moment before calling it a failure.
        if (!interrupt.signal.aborted) await sleep(1000, interrupt.signal);
        if (interrupt.signal.aborted) return 'interrupted';
        const err = e as Error;
        store.writeFailure(
          buildTrialFailure(experiment, t, { message: err?.message ?? String(e), stack: err?.stack ?? '' }, { executor: o.executor, code, job: o.job ?? null, attempts: 1, log: readLog(o.logPath), logPath: o.logPath ?? null }),
        );
        return 'failed';
      }
      store.clearFailure(t.hash);
      if (o.keepNetwork === false) store.dropNetwork(t.hash);
      return outcome.kind;
    } finally {
      claim.release();
    }
  } finally {
    pool?.close();
    process.off('SIGTERM', onTerm);
    o.signal?.removeEventListener('abort', onTerm);
  }
}
