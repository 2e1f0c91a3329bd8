/**
 * The Slurm executor's coordinator: one phase of a study becomes one job array (more when it is
 * larger than the cluster's MaxArraySize) plus a dependent job that continues the study once the
 * array has ended, whatever its outcome (`afterany`). `submitStudy` is what `run --executor slurm`
 * does; `continueStudy` is what the dependent job does (`run ... --slurm.continue <submission>`).
 * Both hold the store's lock while they plan and submit, and return at once: the trials run in
 * Slurm, each claiming its trial in the store (`runStoredTrial`), so a local run, another chain
 * or a requeued task never runs the same trial twice.
 *
 * What is submitted: the unfinished trials of the current phase (`planStudy`), minus those with a
 * live claim (running somewhere now) and those still pending or running in an earlier submission
 * of this store (`squeue`). A continuation never submits again a trial that failed during its own
 * chain (a failure file newer than the chain's first submission): the report lists it, and a
 * rerun of `run` retries it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeVersion } from '../../experiments/code-version.ts';
import type { ResolvedExperiment } from '../../experiments/define.ts';
import type { PlannedTrial } from '../../experiments/expand.ts';
import { LockError, type Lock } from '../../experiments/lock.ts';
import { planStudy, pruneUnselected, summarize, type KeepNetworks, type StudyPlan } from '../../experiments/runner.ts';
import { RunStore, type TrialFailure } from '../../experiments/store.ts';
import { TrialClaims } from '../../experiments/claim.ts';
import { arrayScript, continueScript } from './job-script.ts';
import { firstLine, runSlurmCommand, type SlurmRunner } from './slurm-command.ts';
import { SlurmError } from './slurm-error.ts';
import { arrayArg, resourceArgs, type SlurmOptions } from './slurm-options.ts';
import { isLiveState, queuedTasks } from './squeue.ts';
import { appendSubmission, logDir, newSubmissionId, readSubmissions, slurmDir, type SlurmArray, type Submission } from './submissions.ts';
import { TASKS_FORMAT, writeTasksFile, type SlurmTaskEntry } from './tasks-file.ts';

/** Everything the coordinator needs besides the store's contents. */
export interface SlurmStudyContext {
  exp: ResolvedExperiment;
  /** Absolute path of the run store (`<runs-dir>/<experiment>`). */
  storeDir: string;
  slurm: SlurmOptions;
  /** The `run` arguments the continuation repeats (experiment, flags, overrides; no `--slurm.continue`). */
  runArgs: string[];
  /** The directory the jobs start in (relative paths in `runArgs` resolve there). */
  cwd: string;
  keepNetworks: KeepNetworks;
  /** False under `--no-pretrain-cache` (default true: the tasks share stacks through the store). */
  pretrainCache?: boolean;
  allowMixedVariants: boolean;
  /** BLAS threads of each task's trial. */
  threads: number;
  /** Called under the store's lock when the study (or the chain) has ended; returns report.html's path. */
  buildReport(): string | null;
  run?: SlurmRunner;
  warn?: (m: string) => void;
}

/** What a submission or a continuation did. */
export type SlurmStep =
  | { kind: 'submitted'; submission: Submission; trials: number; skipped: Skipped }
  /** Every trial of the study has a record; the report was written. */
  | { kind: 'complete'; report: string | null }
  /** Nothing new to submit: the unfinished trials are pending or running elsewhere (jobs named). */
  | { kind: 'waiting'; skipped: Skipped; jobs: string[] }
  /** A continuation found its phase ended with trials missing (failed or never run); the report shows what is there. */
  | { kind: 'incomplete'; phase: StudyPlan['phase']; missing: PlannedTrial[]; failed: TrialFailure[]; report: string | null };

/** Unfinished trials left out of a submission, by reason. */
export interface Skipped {
  /** A live claim: running now (a local run, another chain's task). */
  claimed: number;
  /** Pending or running in an earlier submission's array. */
  queued: number;
  /** Failed during this chain (continuations only). */
  failedInChain: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The store's lock, waiting up to `waitMs` (polling every 5 s) while another run holds it. */
async function lockStore(store: RunStore, waitMs: number): Promise<Lock> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return store.lock();
    } catch (e) {
      if (!(e instanceof LockError) || Date.now() >= until) throw e;
      await sleep(5_000);
    }
  }
}

/** How many of the newest submissions are asked about (squeue -j takes a list; older arrays have long ended). */
const RECENT_SUBMISSIONS = 50;

/** The trials still pending or running in the store's earlier submissions, and their array jobs. */
async function queuedElsewhere(storeDir: string, run: SlurmRunner): Promise<{ hashes: Set<string>; jobs: Set<string> }> {
  const arrays = new Map<string, SlurmArray>();
  for (const s of readSubmissions(storeDir).slice(-RECENT_SUBMISSIONS)) for (const a of s.arrays) arrays.set(a.job, a);
  const hashes = new Set<string>();
  const jobs = new Set<string>();
  const queued = await queuedTasks([...arrays.keys()], run);
  for (const [id, state] of queued) {
    if (!isLiveState(state)) continue;
    const [job, index] = id.split('_');
    const a = arrays.get(job!);
    const h = a && index !== undefined ? a.hashes[Number(index)] : undefined;
    if (h) {
      hashes.add(h);
      jobs.add(job!);
    }
  }
  return { hashes, jobs };
}

/** `MaxArraySize` of the cluster (array indices must stay below it); Slurm's default 1001 when unknown. */
async function maxArraySize(run: SlurmRunner): Promise<number> {
  const r = await run('scontrol', ['show', 'config']);
  const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(r.stdout);
  return m ? Math.max(1, Number(m[1])) : 1001;
}

/** `sbatch --parsable ...`: the job id. @throws SlurmError with sbatch's message */
async function sbatch(run: SlurmRunner, args: string[], what: string): Promise<string> {
  const r = await run('sbatch', ['--parsable', ...args]);
  const id = r.stdout.trim().split('\n').pop()?.split(';')[0] ?? '';
  if (r.code !== 0 || !/^\d+$/.test(id)) {
    throw new SlurmError(`sbatch refused ${what}: ${firstLine(r)}. Check the --slurm.* flags, then run the same command again (finished trials are kept).`);
  }
  return id;
}

/**
 * Submits `todo` as job arrays of at most MaxArraySize tasks, then the continuation job after
 * them; records the submission in `<store>/slurm/submissions.json`.
 */
async function submitTrials(ctx: SlurmStudyContext, phase: StudyPlan['phase'], todo: readonly PlannedTrial[], chain: string | null): Promise<Submission> {
  const run = ctx.run ?? runSlurmCommand;
  const id = newSubmissionId();
  const dir = path.join(slurmDir(ctx.storeDir), id);
  const logs = logDir(ctx.storeDir);
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(logs, { recursive: true }); // Slurm does not create the output's directory
  const code = codeVersion();
  const size = await maxArraySize(run);
  const arrays: SlurmArray[] = [];
  let failure: Error | null = null; // after some arrays went in: record them, continue after them, then say so
  try {
    for (let k = 0; k * size < todo.length; k++) {
      const chunk = todo.slice(k * size, (k + 1) * size);
      const tasksFile = path.join(dir, `tasks-${k}.json`);
      const tasks: SlurmTaskEntry[] = chunk.map((t) => ({
        experiment: ctx.exp.id,
        trial: { hash: t.hash, config: t.config, seed: t.seed, cell: t.cell, nuisance: t.nuisance, phase: t.phase },
        keepNetwork: ctx.keepNetworks !== 'none', // `selected`: pruned when the study is complete, as the local runner does
        ...(ctx.pretrainCache === false ? { pretrainCache: false } : {}),
      }));
      writeTasksFile(tasksFile, { format: TASKS_FORMAT, storeDir: ctx.storeDir, submission: id, code, allowMixedVariants: ctx.allowMixedVariants, threads: ctx.threads, tasks });
      const script = path.join(dir, `array-${k}.sh`);
      fs.writeFileSync(script, arrayScript({ experiment: ctx.exp.id, tasks: chunk.length, tasksFile }), { mode: 0o755 });
      const job = await sbatch(
        run,
        [
          arrayArg(chunk.length, ctx.slurm.maxParallel),
          '--requeue',
          '--open-mode=append',
          `--output=${path.join(logs, '%A_%a.out')}`,
          `--job-name=pl-${ctx.exp.id}`,
          `--chdir=${ctx.cwd}`,
          ...resourceArgs(ctx.slurm),
          script,
        ],
        `the job array of ${chunk.length} trial(s)`,
      );
      arrays.push({ job, tasksFile, hashes: chunk.map((t) => t.hash) });
    }
  } catch (e) {
    if (arrays.length === 0) throw e;
    failure = e as Error;
  }
  const script = path.join(dir, 'continue.sh');
  fs.writeFileSync(script, continueScript({ experiment: ctx.exp.id, runArgs: ctx.runArgs, submission: id }), { mode: 0o755 });
  const submission: Submission = { id, chain: chain ?? id, phase, arrays, continueJob: '', code, submittedAt: new Date().toISOString() };
  try {
    submission.continueJob = await sbatch(
      run,
      [
        `--dependency=afterany:${arrays.map((a) => a.job).join(':')}`,
        `--output=${path.join(logs, 'continue-%j.out')}`,
        `--job-name=pl-${ctx.exp.id}-continue`,
        `--chdir=${ctx.cwd}`,
        ...resourceArgs(ctx.slurm, true),
        script,
      ],
      'the job that continues the study after the array',
    );
  } catch (e) {
    failure ??= e as Error;
  } finally {
    appendSubmission(ctx.storeDir, submission); // the arrays run either way: later runs must know them
  }
  if (failure) {
    const n = arrays.reduce((k, a) => k + a.hashes.length, 0);
    throw new SlurmError(
      `${failure.message} Submitted before that, and running: job array ${arrays.map((a) => a.job).join(', ')} (${n} trials); ` +
        (submission.continueJob ? `job ${submission.continueJob} continues the study after it.` : 'nothing continues the study after it: when it has ended, run the same command again.'),
    );
  }
  return submission;
}

/** Plans the current phase and submits what is left to run (`skipFailedSince`: a continuation's chain start). */
async function planAndSubmit(ctx: SlurmStudyContext, store: RunStore, plan: StudyPlan, chain: string | null, skipFailedSince: string | null): Promise<SlurmStep> {
  const run = ctx.run ?? runSlurmCommand;
  const claimed = new TrialClaims(store.dir).live();
  const queued = await queuedElsewhere(store.dir, run);
  const failures = skipFailedSince === null ? new Map<string, TrialFailure>() : store.readFailures();
  const skipped: Skipped = { claimed: 0, queued: 0, failedInChain: 0 };
  const todo = plan.todo.filter((t) => {
    if (queued.hashes.has(t.hash)) return void skipped.queued++, false;
    if (claimed.has(t.hash)) return void skipped.claimed++, false;
    const f = failures.get(t.hash);
    if (f && skipFailedSince !== null && f.failedAt >= skipFailedSince) return void skipped.failedInChain++, false;
    return true;
  });
  if (todo.length === 0) return { kind: 'waiting', skipped, jobs: [...queued.jobs] };
  const submission = await submitTrials(ctx, plan.phase, todo, chain);
  return { kind: 'submitted', submission, trials: todo.length, skipped };
}

/** The study is complete: `--keep-networks selected` drops the unselected networks, the shared stacks go, then the report. */
function finish(ctx: SlurmStudyContext, store: RunStore, plan: StudyPlan): SlurmStep {
  if (ctx.keepNetworks === 'selected') pruneUnselected(store, summarize(ctx.exp, plan.trials, plan.records).cells, plan.unique);
  store.dropPretrained();
  return { kind: 'complete', report: ctx.buildReport() };
}

/**
 * `run --executor slurm`: under the store's lock, plans the current phase and submits its
 * unfinished trials; when the study is already complete, writes the report instead.
 */
export async function submitStudy(ctx: SlurmStudyContext): Promise<SlurmStep> {
  const store = new RunStore(ctx.storeDir);
  const lock = store.lock();
  try {
    const plan = planStudy(ctx.exp, store, ctx.warn);
    if (plan.complete) return finish(ctx, store, plan);
    return await planAndSubmit(ctx, store, plan, null, null);
  } finally {
    lock.release();
  }
}

/**
 * The continuation job's work (`--slurm.continue <submission>`), under the store's lock (waiting
 * up to 10 minutes for it): the report when the study is complete; the evaluation phase when the
 * submission was the selection phase and it has just finished; otherwise (its phase ended with
 * trials missing) the report of what is there, and the missing trials for the log.
 */
export async function continueStudy(ctx: SlurmStudyContext, submissionId: string): Promise<SlurmStep> {
  const store = new RunStore(ctx.storeDir);
  const lock = await lockStore(store, 600_000);
  try {
    const subs = readSubmissions(ctx.storeDir);
    const prev = subs.find((s) => s.id === submissionId);
    if (!prev) throw new SlurmError(`${ctx.storeDir} has no Slurm submission '${submissionId}' (slurm/submissions.json): was the store moved or cleaned? Run the study again with --executor slurm.`);
    const chainStart = subs.find((s) => s.id === prev.chain)?.submittedAt ?? prev.submittedAt;
    const plan = planStudy(ctx.exp, store, ctx.warn);
    if (plan.complete) return finish(ctx, store, plan);
    if (plan.phase !== prev.phase) {
      const step = await planAndSubmit(ctx, store, plan, prev.chain, chainStart);
      if (step.kind !== 'waiting' || step.jobs.length > 0 || step.skipped.claimed > 0) return step;
    }
    const failures = store.readFailures();
    const failed = plan.todo.map((t) => failures.get(t.hash)).filter((f): f is TrialFailure => f !== undefined);
    return { kind: 'incomplete', phase: plan.phase, missing: plan.todo, failed, report: ctx.buildReport() };
  } finally {
    lock.release();
  }
}
