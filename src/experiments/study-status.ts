/**
 * Where a study stands, read from its store alone (so it works for any executor, on any machine
 * that sees the store): trials done, running (live claims), failed (failure files), remaining, and
 * an ETA from the finished trials' times.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TrialClaims, type ClaimOwner } from './claim.ts';
import { evaluationTrialCount } from './expand.ts';
import { RunStore, type TrialFailure } from './store.ts';

/** One study's state. */
export interface StudyStatus {
  storeDir: string;
  experiment: string;
  preset: string | null;
  /** The manifest's phase: `selection` while a fresh-seeds study has not chosen its settings. */
  phase: 'selection' | 'evaluation';
  /** Distinct planned trials of the current phase's manifest. */
  planned: number;
  done: number;
  diverged: number;
  running: { hash: string; owner: ClaimOwner }[];
  failed: { hash: string; attempts: number; message: string; failedAt: string; executor: TrialFailure['executor']; job: string | null }[];
  /** Planned trials with no record, not running: still to run (failed ones included). */
  remaining: number;
  /** Mean seconds of the finished trials, null before the first. */
  meanSeconds: number | null;
  /** Seconds until the remaining and running trials are done at the current parallelism (the running count, at least 1), null when unknown. */
  etaSeconds: number | null;
  /** The evaluation phase is complete (every planned trial has a record). */
  complete: boolean;
  /**
   * In the selection phase: the distinct trials the evaluation phase will run (each cell's first
   * nuisance setting standing in for its choice: exact unless cells that share trials choose
   * differently) and the ETA of the whole study at the same parallelism; null otherwise.
   */
  next: { evaluationTrials: number; studyEtaSeconds: number | null } | null;
}

/** Whether `dir` is one experiment's store (it holds a manifest). */
export function isStudyStore(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'manifest.json'));
}

/**
 * The stores to report for `dir`: itself when it is a study's store, else every store directly
 * under it (a `--runs-dir`), sorted by name.
 */
export function findStores(dir: string): string[] {
  if (isStudyStore(dir)) return [path.resolve(dir)];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => path.resolve(dir, n))
    .filter((d) => isStudyStore(d))
    .sort();
}

/** Reads the state of the study whose store is `storeDir` (null when it has no readable manifest). */
export function studyStatus(storeDir: string): StudyStatus | null {
  const store = new RunStore(storeDir);
  const m = store.readManifest();
  if (!m) return null;
  const hashes = [...new Set(m.trials.map((t) => t.hash))];
  const records = store.readMany(hashes);
  const live = new TrialClaims(storeDir).live();
  const failures = store.readFailures();
  let diverged = 0;
  let secs = 0;
  let n = 0;
  for (const r of records.values()) {
    if (r.status === 'diverged') diverged++;
    if (Number.isFinite(r.seconds)) {
      secs += r.seconds;
      n++;
    }
  }
  const missing = hashes.filter((h) => !records.has(h));
  const running = missing.filter((h) => live.has(h)).map((h) => ({ hash: h, owner: live.get(h)! }));
  const failed = missing
    .filter((h) => failures.has(h) && !live.has(h))
    .map((h) => {
      const f = failures.get(h)!;
      return { hash: h, attempts: f.attempts, message: f.message, failedAt: f.failedAt, executor: f.executor, job: f.job };
    });
  const remaining = missing.length - running.length;
  const meanSeconds = n > 0 ? secs / n : null;
  const phase = m.trials.some((t) => t.phase === 'evaluation' || t.phase === undefined) ? 'evaluation' : 'selection';
  const etaSeconds = meanSeconds === null ? null : ((remaining + running.length) * meanSeconds) / Math.max(1, running.length);
  const evaluationTrials = phase === 'selection' ? evaluationTrialCount(m.experiment) : null;
  const next = evaluationTrials === null ? null : { evaluationTrials, studyEtaSeconds: meanSeconds === null ? null : ((remaining + running.length + evaluationTrials) * meanSeconds) / Math.max(1, running.length) };
  return {
    storeDir,
    experiment: m.experiment.id,
    preset: m.experiment.preset ?? null,
    phase,
    planned: hashes.length,
    done: records.size,
    diverged,
    running,
    failed,
    remaining,
    meanSeconds,
    etaSeconds: missing.length === 0 ? 0 : etaSeconds,
    complete: phase === 'evaluation' && missing.length === 0,
    next,
  };
}
