/**
 * Runs an experiment: expands it into trials, skips those already in the store, runs the rest on a
 * pool of worker processes (or in-process with an injected trial function), writes one record per
 * trial, and selects models per cell. Results do not depend on the number of workers: every trial
 * is a pure function of its resolved config, and records are keyed by its hash. Under the
 * `fresh-seeds` protocol it runs in two phases: every selection trial first, then, with each
 * cell's setting chosen on them, the evaluation trials (so the choice never depends on timing).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { createBackend } from '../backends/registry.ts';
import type { Backend } from '../tensor/kernels.ts';
import type { EpochMetrics, Progress } from '../train/hooks.ts';
import { codeVersion } from './code-version.ts';
import type { ResolvedExperiment } from './define.ts';
import { expandExperiment, hasSelectionPhase, settingKey, uniqueTrials, type PlannedTrial, type Setting } from './expand.ts';
import { reproduceCommand } from './reproduce.ts';
import { compareCells, selectModels, type CellSummary, type Comparison } from './select.ts';
import { RunStore, RECORD_FORMAT, type Manifest, type TrialRecord } from './store.ts';
import { DEFAULT_TRIAL_MODULE, type TrialFunction, type TrialFunctionOptions, type TrialModuleRef } from './trial-function.ts';
import { WorkerPool, type JobOutcome, type TrialExecutor } from './worker-pool.ts';
import { StudyVariant } from './variant-guard.ts';
import { assertTrialFits, estimateTrialMemory, knownDataShape, memoryLimit, type MemoryEstimate } from '../train/memory-estimate.ts';

/** Callbacks for progress display (all optional, all cheap). */
export interface RunEvents {
  /** Once per phase: `selection` (fresh-seeds protocol, before the choice), else `evaluation`. */
  onPlan?(info: { phase: 'selection' | 'evaluation'; total: number; unique: number; toRun: number; skipped: number; workers: number; storeDir: string }): void;
  onTrialStart?(t: PlannedTrial): void;
  onProgress?(t: PlannedTrial, p: Progress): void;
  onEpoch?(t: PlannedTrial, m: EpochMetrics): void;
  onTrialDone?(t: PlannedTrial, r: TrialRecord, done: number, toRun: number): void;
  onWarn?(message: string): void;
}

export interface RunOptions {
  /** Root of the run stores; the experiment's store is `<runsDir>/<id>`. Default `./runs`. */
  runsDir?: string;
  /** Worker processes; default one per core. Ignored when `trial` is a function (runs in-process). */
  workers?: number;
  /** The trial function: a module reference (run in workers) or a function (run in this process). */
  trial?: TrialFunction | TrialModuleRef;
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
        resume: true,
        hooks: { onEpoch: (m) => events.onEpoch?.(m), onProgress: (p) => events.onProgress?.(p) },
      };
      const result = await fn(job.config, options);
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

/** What a run will do, decided before any trial starts. */
interface RunPlan {
  /** Every trial of the expansion, duplicates included (selection needs them all). */
  trials: PlannedTrial[];
  /** The distinct trials (first occurrence of each hash). */
  unique: PlannedTrial[];
  /** Records already in the store, keyed by hash; finished trials are added as they finish. */
  records: Map<string, TrialRecord>;
  /** The distinct trials not yet in the store, in expansion order. */
  todo: PlannedTrial[];
  trial: TrialFunction | TrialModuleRef;
  workers: number;
}

/**
 * Step 1: expands the experiment, writes the store's manifest and reads the records already
 * there; what is left is the work. In-process trial functions run on one "worker".
 */
function planRun(exp: ResolvedExperiment, store: RunStore, opts: RunOptions, chosen: ReadonlyMap<string, Setting>): RunPlan {
  const ev = opts.events ?? {};
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
  if (note) ev.onWarn?.(note);
  const unique = uniqueTrials(trials);
  const records = store.readMany(unique.map((t) => t.hash), ev.onWarn);
  const todo = unique.filter((t) => !records.has(t.hash));
  const trial = opts.trial ?? DEFAULT_TRIAL_MODULE;
  const workers = typeof trial === 'function' ? 1 : Math.min(opts.workers ?? defaultWorkers(), Math.max(1, todo.length));
  return { trials, unique, records, todo, trial, workers };
}

/**
 * Step 2: checks that must refuse a run before any trial starts, given the plan and the records
 * already stored (throw to refuse; nothing has been run yet, and the manifest names the plan):
 * the largest trial to run must fit in its share of the memory limit (`assertTrialFits`, the limit
 * divided by the number of workers), and the numeric variant this machine would use must be the
 * one of the study's records (unless mixing is allowed). Returns the guard that admits each
 * finished trial's variant.
 */
async function checkBeforeRun(plan: RunPlan, opts: RunOptions): Promise<StudyVariant> {
  checkMemory(plan);
  const variants = new StudyVariant(plan.records.values(), opts.allowMixedVariants ?? false);
  await variants.admitLocal(plan.todo.map((t) => t.config.backend));
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

/** Step 3: the executor that runs one trial: in this process for a function, else a pool of worker processes. */
function createExecutor(plan: RunPlan): { exec: TrialExecutor; pool: WorkerPool | null } {
  if (typeof plan.trial === 'function') return { exec: inProcessExecutor(plan.trial), pool: null };
  const pool = new WorkerPool(plan.workers, plan.trial);
  return { exec: pool.run, pool };
}

/** The record of one finished trial: its config, outcome, code version, times and the command that reproduces it. */
function trialRecord(exp: ResolvedExperiment, t: PlannedTrial, outcome: JobOutcome, code: TrialRecord['code'], started: Date, finished: Date, mixedVariant: boolean): TrialRecord {
  return {
    format: RECORD_FORMAT,
    experiment: exp.id,
    hash: t.hash,
    status: outcome.kind,
    config: t.config,
    seed: t.seed,
    cell: t.cell,
    nuisance: t.nuisance,
    code,
    result: outcome.kind === 'done' ? outcome.result : null,
    error: outcome.kind === 'diverged' ? outcome.message : null,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    command: reproduceCommand(t.config, outcome.variant),
    variant: outcome.variant,
    ...(mixedVariant ? { mixedVariant } : {}),
  };
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

/**
 * Step 4: runs every trial of the plan, writing each record as it finishes; returns how many
 * finished. In-process: one at a time, in expansion order. With a pool: all queued at once; the
 * first failure (other than divergence) closes the pool and is thrown. An abort stops launching.
 */
async function runTrials(exp: ResolvedExperiment, plan: RunPlan, store: RunStore, variants: StudyVariant, exec: TrialExecutor, pool: WorkerPool | null, opts: RunOptions): Promise<number> {
  const ev = opts.events ?? {};
  const code = codeVersion();
  let done = 0;
  let failure: Error | null = null;
  const runOne = async (t: PlannedTrial): Promise<void> => {
    if (failure || opts.signal?.aborted) return;
    let started = new Date();
    const outcome: JobOutcome = await exec(
      { hash: t.hash, config: t.config, checkpointDir: store.checkpointDir(t.hash) },
      {
        onStart: () => {
          started = new Date();
          ev.onTrialStart?.(t);
        },
        onProgress: (p) => ev.onProgress?.(t, p),
        onEpoch: (m) => ev.onEpoch?.(t, m),
      },
    );
    const finished = new Date();
    const mixedVariant = variants.admit(outcome.variant, `trial ${t.hash.slice(0, 12)}`);
    const record = trialRecord(exp, t, outcome, code, started, finished, mixedVariant);
    store.write(record);
    plan.records.set(t.hash, record);
    done++;
    ev.onTrialDone?.(t, record, done, plan.todo.length);
  };
  if (!pool) {
    for (const t of plan.todo) {
      try {
        await runOne(t);
      } catch (e) {
        throw trialFailure(t, e as Error, store.dir);
      }
    }
    return done;
  }
  const onAbort = (): void => pool.close();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  await Promise.all(
    plan.todo.map((t) =>
      runOne(t).catch((e: Error) => {
        if (!failure && !opts.signal?.aborted) {
          failure = trialFailure(t, e, store.dir);
          pool.close();
        }
      }),
    ),
  );
  opts.signal?.removeEventListener('abort', onAbort);
  if (failure) throw failure;
  return done;
}

/**
 * Runs every trial of `exp` not yet in the store. Takes the store's lock for the whole run
 * (a second concurrent run gets a LockError naming this one). Throws on the first trial that fails
 * with anything but divergence; every finished trial stays recorded, so re-running resumes.
 * Steps: plan, check, create the executor, run the trials, summarise.
 */
export async function runExperiment(exp: ResolvedExperiment, opts: RunOptions = {}): Promise<RunSummary> {
  const storeDir = path.resolve(opts.runsDir ?? 'runs', exp.id);
  const store = new RunStore(storeDir);
  const lock = store.lock();
  let pool: WorkerPool | null = null;
  try {
    // Phase a (fresh-seeds): the selection trials; phase b: the evaluation trials of each cell's
    // chosen setting. Without a selection phase the first plan already holds every trial.
    let chosen = new Map<string, Setting>();
    let ran = 0;
    let plan: RunPlan;
    for (;;) {
      plan = planRun(exp, store, opts, chosen);
      const phase = hasSelectionPhase(exp) && chosen.size === 0 ? 'selection' : 'evaluation';
      opts.events?.onPlan?.({ phase, total: plan.trials.length, unique: plan.unique.length, toRun: plan.todo.length, skipped: plan.unique.length - plan.todo.length, workers: plan.workers, storeDir });
      const variants = await checkBeforeRun(plan, opts);
      const executor = createExecutor(plan);
      pool = executor.pool;
      ran += await runTrials(exp, plan, store, variants, executor.exec, pool, opts);
      pool?.close();
      pool = null;
      if (opts.signal?.aborted) throw new Error(`interrupted; ${ran} trial(s) finished and kept in ${storeDir}. Re-run the same command to resume.`);
      if (phase === 'evaluation') break;
      chosen = chooseSettings(plan.trials, plan.records);
      if (chosen.size === 0) throw new Error(`selection trials are missing after the selection phase in ${storeDir}; re-run the same command to resume.`);
    }
    const skipped = plan.unique.length - ran;
    const { cells, comparisons } = summarize(exp, plan.trials, plan.records);
    return { storeDir, trials: plan.trials, records: plan.records, ran, skipped, cells, comparisons };
  } finally {
    pool?.close();
    lock.release();
  }
}
