/**
 * Runs an experiment: expands it into trials, skips those already in the store, runs the rest on a
 * pool of worker processes (or in-process with an injected trial function), writes one record per
 * trial, and selects models per cell. Results do not depend on the number of workers: every trial
 * is a pure function of its resolved config, and records are keyed by its hash. Under the
 * `fresh-seeds` protocol it runs in two phases: every selection trial first, then, with each
 * cell's setting chosen on them, the evaluation trials (so the choice never depends on timing).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { atomicWriteFile } from '../io/atomic-write.ts';
import { createBackend } from '../backends/registry.ts';
import type { Backend } from '../tensor/kernels.ts';
import type { EpochMetrics, Progress } from '../train/hooks.ts';
import { codeVersion, packageId } from './code-version.ts';
import { TrialClaims, type ClaimOwner } from './claim.ts';
import type { ResolvedExperiment } from './define.ts';
import { evaluationTrialCount, expandExperiment, hasSelectionPhase, settingKey, uniqueTrials, type PlannedTrial, type Setting } from './expand.ts';
import { compareCells, selectModels, type CellSummary, type Comparison } from './select.ts';
import { RunStore, RECORD_FORMAT, type Manifest, type TrialFailure, type TrialRecord } from './store.ts';
import { runRestartingStale } from './stale-state.ts';
import { buildTrialFailure, buildTrialRecord, type TrialSpec } from './trial-record.ts';
import { DEFAULT_TRIAL_MODULE, type TrialFunction, type TrialFunctionOptions, type TrialModuleRef } from './trial-function.ts';
import { WorkerPool, type JobOutcome, type TrialExecutor } from './worker-pool.ts';
import { StudyVariant } from './variant-guard.ts';
import { assertTrialFits, estimateNetworkBytes, estimateTrialMemory, knownDataShape, memoryLimit, type MemoryEstimate } from '../train/memory-estimate.ts';

/** Callbacks for progress display (all optional, all cheap). */
export interface RunEvents {
  /**
   * Once per phase: `selection` (fresh-seeds protocol, before the choice), else `evaluation`.
   * `diskBytes`: about the disk the kept networks of this phase's trials take (`--keep-networks`);
   * `claimed`: trials left to another live owner (a Slurm task, another coordinator's worker).
   * `evaluationTrials` (selection phase): about how many trials the evaluation phase will run (`evaluationTrialCount`).
   */
  onPlan?(info: { phase: 'selection' | 'evaluation'; total: number; unique: number; toRun: number; skipped: number; workers: number; storeDir: string; diskBytes?: number; keepNetworks?: KeepNetworks; claimed?: number; evaluationTrials?: number }): void;
  onTrialStart?(t: PlannedTrial): void;
  onProgress?(t: PlannedTrial, p: Progress): void;
  onEpoch?(t: PlannedTrial, m: EpochMetrics): void;
  onTrialDone?(t: PlannedTrial, r: TrialRecord, done: number, toRun: number): void;
  /** A trial failed for good under an executor that goes on (`onFailure: 'continue'`); its failure file is written. */
  onTrialFailed?(t: PlannedTrial, f: TrialFailure): void;
  onWarn?(message: string): void;
}

/** Which trials keep their final network (`final.safetensors`); records are always kept. */
export type KeepNetworks = 'all' | 'selected' | 'none';

/**
 * How trials are executed: the runner's local pool, or one an executor module builds (the Redis
 * queue). The runner still plans, claims, writes every record and failure file, and selects.
 */
export interface ExecutorHandle {
  exec: TrialExecutor;
  /** Trials run at once (the plan line, the memory check's share). */
  workers: number;
  /** `continue`: a rejected trial is recorded as failed and the sweep goes on; `stop`: the run ends with its error. */
  onFailure: 'stop' | 'continue';
  /** What claims name as the executor (default `local`). */
  kind?: ClaimOwner['executor'];
  close(): Promise<void> | void;
}

/** Builds an executor for the trials of one phase. */
export type ExecutorFactory = (plan: { todo: readonly TrialSpec[]; storeDir: string; experiment: string }) => Promise<ExecutorHandle>;

/**
 * What an executor rejects with when a trial failed on every attempt: the runner writes its
 * failure file (message, attempts, log tail).
 */
export class TrialFailedError extends Error {
  override name = 'TrialFailedError';
  constructor(message: string, readonly attempts: number, readonly log: string | null, readonly job: string | null = null) {
    super(message);
  }
}

export interface RunOptions {
  /** Root of the run stores; the experiment's store is `<runsDir>/<id>`. Default `./runs`. */
  runsDir?: string;
  /** Worker processes; default one per core. Ignored when `trial` is a function (runs in-process) or `executor` is set. */
  workers?: number;
  /** The trial function: a module reference (run in workers) or a function (run in this process). */
  trial?: TrialFunction | TrialModuleRef;
  /** Another executor than the local pool (the Redis queue). */
  executor?: ExecutorFactory;
  /**
   * BLAS threads per worker process (native backend; default 1). Fixed for the whole run, whatever
   * the number of workers or of trials left, so that a trial's numbers never depend on the schedule;
   * more threads use spare cores when a sweep has fewer trials than cores, at the cost of other
   * last bits than a 1-thread run for some shapes (the thread count is in each record's variant).
   */
  threads?: number;
  /** Which final networks to keep: all (default), the selected setting's, or none; records are always kept. */
  keepNetworks?: KeepNetworks;
  /**
   * Share pre-trained stacks between the study's trials through the store's `pretrained/`
   * (default true; `src/train/pretrain-cache.ts`). The numbers are the same either way.
   */
  pretrainCache?: boolean;
  events?: RunEvents;
  /** Stop launching trials when aborted (running ones are killed; finished ones are kept). */
  signal?: AbortSignal;
  /** Admit trials of another numeric variant than the study's (`--allow-mixed-variants`; their records are marked). */
  allowMixedVariants?: boolean;
}

/** What a run leaves behind. */
export interface RunSummary {
  storeDir: string;
  trials: PlannedTrial[];
  records: Map<string, TrialRecord>;
  ran: number;
  skipped: number;
  /** Trials that failed for good in this run (their failure files are in the store). */
  failed: TrialFailure[];
  /** Trials left to another live owner's claim (not run here). */
  claimed: number;
  cells: CellSummary[];
  comparisons: Comparison[];
}

/** Default worker count: one per core. */
export function defaultWorkers(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

function inProcessExecutor(fn: TrialFunction): TrialExecutor {
  const backends = new Map<string, Backend>();
  return async (job, events) => {
    events.onStart?.();
    let backend = backends.get(job.config.backend);
    if (!backend) backends.set(job.config.backend, (backend = await createBackend(job.config.backend)));
    try {
      // resume: continue a trial interrupted mid-way from its checkpoint (see worker.ts).
      const options: TrialFunctionOptions = {
        backend,
        checkpointDir: job.checkpointDir,
        ...(job.pretrainCache ? { pretrainCache: job.pretrainCache } : {}),
        resume: true,
        hooks: { onEpoch: (m) => events.onEpoch?.(m), onProgress: (p) => events.onProgress?.(p) },
      };
      const result = await runRestartingStale(fn, job.config, options, (m) => events.onWarn?.(m));
      return { kind: 'done', result, variant: backend.variant };
    } catch (e) {
      if ((e as Error)?.name === 'DivergenceError') return { kind: 'diverged', message: (e as Error).message, variant: backend.variant };
      throw e;
    }
  };
}

/** Summarises the store for a resolved experiment (selection and comparisons); no lock needed. */
export function summarize(exp: ResolvedExperiment, trials: readonly PlannedTrial[], records: ReadonlyMap<string, TrialRecord>): { cells: CellSummary[]; comparisons: Comparison[] } {
  const cells = selectModels(trials, records);
  const comparisons = exp.compare ? compareCells(cells, exp.compare.factor, exp.compare.baseline) : [];
  return { cells, comparisons };
}

/**
 * Each cell's chosen nuisance setting from the selection trials (keyed by `settingKey(cell)`), once
 * every selection trial has a record (a diverged one counts as validation error 1); an empty map
 * while any is missing.
 */
export function chooseSettings(trials: readonly PlannedTrial[], records: ReadonlyMap<string, TrialRecord>): Map<string, Setting> {
  const selection = trials.filter((t) => t.phase === 'selection');
  if (selection.some((t) => !records.has(t.hash))) return new Map();
  return new Map(selectModels(selection, records).map((c) => [settingKey(c.cell), c.chosen]));
}

/** The chosen settings in cell order, as the manifest records them. */
function chosenList(trials: readonly PlannedTrial[], chosen: ReadonlyMap<string, Setting>): { cell: Setting; nuisance: Setting }[] {
  const out = new Map<string, { cell: Setting; nuisance: Setting }>();
  for (const t of trials) {
    const k = settingKey(t.cell);
    const c = chosen.get(k);
    if (c && !out.has(k)) out.set(k, { cell: t.cell, nuisance: c });
  }
  return [...out.values()];
}

/** The work of one phase of a study, decided before any trial starts. */
export interface StudyPlan {
  phase: 'selection' | 'evaluation';
  /** Every trial of the expansion, duplicates included (selection needs them all). */
  trials: PlannedTrial[];
  /** The distinct trials (first occurrence of each hash). */
  unique: PlannedTrial[];
  /** Records already in the store, keyed by hash; finished trials are added as they finish. */
  records: Map<string, TrialRecord>;
  /** The distinct trials not yet in the store, in expansion order. */
  todo: PlannedTrial[];
  /** The evaluation phase with nothing left to run: the study is complete. */
  complete: boolean;
  /** Each cell's chosen setting (fresh-seeds, evaluation phase), by `settingKey(cell)`. */
  chosen: Map<string, Setting>;
}

/**
 * Expands the experiment for the given choice, writes the store's manifest and reads the records
 * already there; what is left is the work.
 */
function planPhase(exp: ResolvedExperiment, store: RunStore, chosen: ReadonlyMap<string, Setting>, warn?: (m: string) => void): StudyPlan {
  store.init();
  const trials = expandExperiment(exp, chosen);
  const manifest: Manifest = {
    format: RECORD_FORMAT,
    experiment: exp,
    trials: trials.map(({ index, phase, cell, nuisance, seed, hash }) => ({ index, phase, cell, nuisance, seed, hash })),
    ...(hasSelectionPhase(exp) ? { chosen: chosenList(trials, chosen) } : {}),
    createdAt: new Date().toISOString(),
  };
  const note = store.writeManifest(manifest);
  if (note) warn?.(note);
  const unique = uniqueTrials(trials);
  const records = store.readMany(unique.map((t) => t.hash), warn, { experiment: exp.id, package: packageId() });
  const todo = unique.filter((t) => !records.has(t.hash));
  const phase = hasSelectionPhase(exp) && chosen.size === 0 ? 'selection' : 'evaluation';
  return { phase, trials, unique, records, todo, complete: phase === 'evaluation' && todo.length === 0, chosen: new Map(chosen) };
}

/**
 * The work of the study's current phase, without running it (what a Slurm submission sends):
 * under fresh-seeds, the selection phase until every selection trial has a record, then the
 * evaluation phase of each cell's chosen setting. Writes the manifest, as `run` does. The caller
 * holds the store's lock.
 */
export function planStudy(exp: ResolvedExperiment, store: RunStore, warn?: (m: string) => void): StudyPlan {
  const first = planPhase(exp, store, new Map(), warn);
  if (first.phase === 'evaluation' || first.todo.length > 0) return first;
  const chosen = chooseSettings(first.trials, first.records);
  return planPhase(exp, store, chosen, warn);
}

/** What the runner runs with: the plan and its trial function. */
interface RunPlan extends StudyPlan {
  trial: TrialFunction | TrialModuleRef;
  workers: number;
}

/** The local pool's worker count for a plan (one for an in-process function). */
function localWorkers(plan: StudyPlan, trial: TrialFunction | TrialModuleRef, opts: RunOptions): number {
  return typeof trial === 'function' ? 1 : Math.min(opts.workers ?? defaultWorkers(), Math.max(1, plan.todo.length));
}

/**
 * About the bytes the study's kept networks take on disk (`keepNetworks`): every distinct trial's
 * for `all`, the evaluation trials' (or one nuisance setting's worth) for `selected`, none for `none`.
 */
function expectedDisk(plan: StudyPlan, keep: KeepNetworks): number {
  if (keep === 'none') return 0;
  let bytes = 0;
  let n = 0;
  for (const t of plan.unique) {
    const shape = knownDataShape(t.config.data);
    if (!shape) continue;
    n++;
    try {
      bytes += estimateNetworkBytes(t.config, shape);
    } catch {
      /* an inconsistent config: the trial reports it */
    }
  }
  if (keep === 'all' || n === 0) return bytes;
  const settings = new Set(plan.unique.map((t) => settingKey(t.nuisance))).size;
  return plan.phase === 'selection' ? bytes / Math.max(1, settings) : bytes;
}

/**
 * Step 2: checks that must refuse a run before any trial starts, given the plan and the records
 * already stored (throw to refuse; nothing has been run yet, and the manifest names the plan):
 * the largest trial to run must fit in its share of the memory limit (`assertTrialFits`, the limit
 * divided by the number of workers), and the numeric variant this machine would use must be the
 * one of the study's records (unless mixing is allowed; not checked for a remote executor, whose
 * machines report their variant with each result). Returns the guard that admits each finished
 * trial's variant.
 */
async function checkBeforeRun(plan: RunPlan, opts: RunOptions): Promise<StudyVariant> {
  if (!opts.executor) checkMemory(plan);
  const variants = new StudyVariant(plan.records.values(), opts.allowMixedVariants ?? false);
  if (!opts.executor) await variants.admitLocal(plan.todo.map((t) => t.config.backend));
  return variants;
}

/**
 * Refuses the run when the largest trial to run (by `estimateTrialMemory`, built-in data sets only:
 * a user file's shape is known once a worker loads it, and `runTrial` checks it then) does not fit
 * in the memory limit shared by `plan.workers` workers.
 * @throws ConfigError naming the trial's keys, its estimate and the limit
 */
function checkMemory(plan: RunPlan): void {
  let largest: { t: PlannedTrial; est: MemoryEstimate } | null = null;
  for (const t of plan.todo) {
    const shape = knownDataShape(t.config.data);
    if (!shape) continue;
    let est: MemoryEstimate;
    try {
      est = estimateTrialMemory(t.config, shape);
    } catch {
      continue; // an inconsistent config (e.g. model.hidden's length): the trial itself reports it
    }
    if (!largest || est.bytes > largest.est.bytes) largest = { t, est };
  }
  if (!largest) return;
  const { t } = largest;
  assertTrialFits(t.config, knownDataShape(t.config.data)!, memoryLimit(plan.workers), `trial ${t.hash.slice(0, 12)} (${JSON.stringify({ ...t.cell, ...t.nuisance, seed: t.seed })}), the largest of the run,`);
}

/** Step 3: the executor: the caller's (queue), in this process for a function, else a pool of worker processes. */
async function createExecutor(exp: ResolvedExperiment, plan: RunPlan, storeDir: string, opts: RunOptions): Promise<ExecutorHandle> {
  if (opts.executor) return opts.executor({ todo: plan.todo, storeDir, experiment: exp.id });
  if (typeof plan.trial === 'function') return { exec: inProcessExecutor(plan.trial), workers: 1, onFailure: 'stop', close: () => {} };
  const pool = new WorkerPool(plan.workers, plan.trial, opts.threads !== undefined ? { threads: opts.threads } : {});
  return { exec: pool.run, workers: plan.workers, onFailure: 'stop', close: () => pool.close() };
}

/** The error a failed trial ends the run with: which trial, why, and that re-running resumes. */
function trialFailure(t: PlannedTrial, e: Error, storeDir: string): Error {
  const wrapped = new Error(
    `trial ${t.hash.slice(0, 12)} (${JSON.stringify({ ...t.cell, ...t.nuisance, seed: t.seed })}) failed: ${e.message}\n` +
      `Finished trials are kept in ${storeDir}; fix the cause and re-run the same command to resume.`,
  );
  (wrapped as Error & { cause?: unknown }).cause = e;
  return wrapped;
}

/** Writes the files an executor brought back (a remote worker's `final.safetensors`) into the trial's checkpoint directory. */
function writeReturnedFiles(store: RunStore, hash: string, files: Readonly<Record<string, Uint8Array>> | undefined): void {
  if (!files) return;
  const dir = store.checkpointDir(hash);
  for (const [name, bytes] of Object.entries(files)) {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) throw new Error(`an executor returned a file named ${JSON.stringify(name)}: only plain file names are written`);
    fs.mkdirSync(dir, { recursive: true });
    atomicWriteFile(path.join(dir, name), bytes);
  }
}

/**
 * Step 4: runs every trial of the plan, writing each record as it finishes; returns how many
 * finished. Each trial is claimed first (a trial another live owner claims is left to it). In
 * process: one at a time, in expansion order. Otherwise all are queued at once; the first failure
 * (other than divergence) closes the executor and is thrown, unless the executor goes on
 * (`onFailure: 'continue'`): then the failure file is written and the others run. A failure file is
 * written in both cases. An abort stops launching.
 */
async function runTrials(exp: ResolvedExperiment, plan: RunPlan, store: RunStore, variants: StudyVariant, executor: ExecutorHandle, opts: RunOptions, out: { failed: TrialFailure[]; claimed: number }): Promise<number> {
  const ev = opts.events ?? {};
  const code = codeVersion();
  const claims = new TrialClaims(store.dir);
  const kind = executor.kind ?? 'local';
  const keep = opts.keepNetworks ?? 'all';
  let done = 0;
  let failure: Error | null = null;
  const runOne = async (t: PlannedTrial): Promise<void> => {
    if (failure || opts.signal?.aborted) return;
    const claim = claims.tryClaim(t.hash, { executor: kind });
    if (!claim) {
      const h = claims.holder(t.hash);
      out.claimed++;
      ev.onWarn?.(`trial ${t.hash.slice(0, 12)} is being run by another owner (${h ? `${h.owner.executor}${h.owner.job ? ` job ${h.owner.job}` : ''}, pid ${h.owner.pid} on ${h.owner.host}` : 'unknown'}); left to it`);
      return;
    }
    try {
      let started = new Date();
      let outcome: JobOutcome;
      try {
        outcome = await executor.exec(
          { hash: t.hash, config: t.config, checkpointDir: store.checkpointDir(t.hash), ...(opts.pretrainCache !== false ? { pretrainCache: store.pretrainedDir } : {}), keepNetwork: keep !== 'none' },
          {
            onStart: () => {
              started = new Date();
              ev.onTrialStart?.(t);
            },
            onProgress: (p) => ev.onProgress?.(t, p),
            onEpoch: (m) => ev.onEpoch?.(t, m),
            onWarn: (m) => ev.onWarn?.(`trial ${t.hash.slice(0, 12)}: ${m}`),
          },
        );
      } catch (e) {
        if (opts.signal?.aborted || failure) throw e;
        const err = e as Error;
        const f = err instanceof TrialFailedError
          ? buildTrialFailure(exp.id, t, err, { executor: kind, code, job: err.job, attempts: err.attempts, log: err.log })
          : buildTrialFailure(exp.id, t, { message: err?.message ?? String(e), stack: err?.stack ?? '' }, { executor: kind, code, attempts: 1 });
        store.writeFailure(f);
        if (executor.onFailure === 'stop') throw e;
        out.failed.push(f);
        ev.onTrialFailed?.(t, f);
        return;
      }
      const finished = new Date();
      const mixedVariant = variants.admit(outcome.variant, `trial ${t.hash.slice(0, 12)}`);
      if (outcome.kind === 'done') writeReturnedFiles(store, t.hash, outcome.files);
      const record = buildTrialRecord(exp.id, t, outcome, code, started, finished, mixedVariant);
      store.write(record);
      store.clearFailure(t.hash);
      if (keep === 'none') store.dropNetwork(t.hash);
      plan.records.set(t.hash, record);
      done++;
      ev.onTrialDone?.(t, record, done, plan.todo.length);
    } finally {
      claim.release();
    }
  };
  if (typeof plan.trial === 'function' && !opts.executor) {
    for (const t of plan.todo) {
      try {
        await runOne(t);
      } catch (e) {
        throw trialFailure(t, e as Error, store.dir);
      }
    }
    return done;
  }
  const onAbort = (): void => void executor.close();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // As many lanes as trials run at once, so a trial is claimed when it starts, not while it waits
  // behind others (a claim says "running"). The queue holds its trials itself: one lane each.
  const lanes = executor.kind === 'queue' ? plan.todo.length : Math.max(1, executor.workers);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < plan.todo.length) {
      const t = plan.todo[next++]!;
      await runOne(t).catch((e: Error) => {
        if (!failure && !opts.signal?.aborted) {
          failure = trialFailure(t, e, store.dir);
          void executor.close();
        }
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, plan.todo.length) }, lane));
  opts.signal?.removeEventListener('abort', onAbort);
  if (failure) throw failure;
  return done;
}

/**
 * `--keep-networks selected`: once the study is complete, removes the final networks of trials
 * outside each cell's chosen setting (the selection trials under fresh-seeds).
 */
export function pruneUnselected(store: RunStore, cells: readonly CellSummary[], trials: readonly PlannedTrial[]): void {
  const chosen = new Map(cells.map((c) => [settingKey(c.cell), settingKey(c.chosen)]));
  for (const t of trials) {
    const isChosen = t.phase !== 'selection' && chosen.get(settingKey(t.cell)) === settingKey(t.nuisance);
    if (!isChosen) store.dropNetwork(t.hash);
  }
}

/**
 * Runs every trial of `exp` not yet in the store. Takes the store's lock for the whole run
 * (one coordinator per store: a second concurrent run gets a LockError naming this one) and claims
 * each trial as it starts (a Slurm task or another owner may hold some). Throws on the first trial
 * that fails with anything but divergence, unless the executor goes on after failures; every
 * finished trial stays recorded, so re-running resumes. Steps: plan, check, create the executor,
 * run the trials, summarise.
 */
export async function runExperiment(exp: ResolvedExperiment, opts: RunOptions = {}): Promise<RunSummary> {
  const storeDir = path.resolve(opts.runsDir ?? 'runs', exp.id);
  const store = new RunStore(storeDir);
  const lock = store.lock();
  const trial = opts.trial ?? DEFAULT_TRIAL_MODULE;
  const keep = opts.keepNetworks ?? 'all';
  let executor: ExecutorHandle | null = null;
  const out = { failed: [] as TrialFailure[], claimed: 0 };
  try {
    // Phase a (fresh-seeds): the selection trials; phase b: the evaluation trials of each cell's
    // chosen setting. Without a selection phase the first plan already holds every trial.
    let chosen = new Map<string, Setting>();
    let ran = 0;
    let plan: RunPlan;
    for (;;) {
      const phasePlan = planPhase(exp, store, chosen, opts.events?.onWarn);
      plan = { ...phasePlan, trial, workers: localWorkers(phasePlan, trial, opts) };
      const variants = await checkBeforeRun(plan, opts);
      executor = await createExecutor(exp, plan, storeDir, opts);
      plan.workers = executor.workers;
      const next = plan.phase === 'selection' ? evaluationTrialCount(exp) : null;
      opts.events?.onPlan?.({ phase: plan.phase, total: plan.trials.length, unique: plan.unique.length, toRun: plan.todo.length, skipped: plan.unique.length - plan.todo.length, workers: plan.workers, storeDir, diskBytes: expectedDisk(plan, keep), keepNetworks: keep, ...(next !== null ? { evaluationTrials: next } : {}) });
      ran += await runTrials(exp, plan, store, variants, executor, opts, out);
      await executor.close();
      executor = null;
      if (opts.signal?.aborted) throw new Error(`interrupted; ${ran} trial(s) finished and kept in ${storeDir}. Re-run the same command to resume.`);
      if (plan.phase === 'evaluation') break;
      chosen = chooseSettings(plan.trials, plan.records);
      if (chosen.size === 0) {
        const why = out.failed.length > 0 ? `${out.failed.length} selection trial(s) failed (see ${store.failedDir})` : out.claimed > 0 ? `${out.claimed} selection trial(s) are being run by another owner` : 'selection trials are missing';
        throw new Error(`${why}, so no setting can be chosen yet in ${storeDir}; re-run the same command to resume.`);
      }
    }
    const skipped = plan.unique.length - ran;
    const { cells, comparisons } = summarize(exp, plan.trials, plan.records);
    const complete = plan.records.size === plan.unique.length;
    if (keep === 'selected' && complete) pruneUnselected(store, cells, plan.unique);
    if (complete) store.dropPretrained();
    return { storeDir, trials: plan.trials, records: plan.records, ran, skipped, failed: out.failed, claimed: out.claimed, cells, comparisons };
  } finally {
    await executor?.close();
    lock.release();
  }
}
