/**
 * `run --executor slurm`: the `--slurm.*` flags and what `run` does with them. Submits the study's
 * unfinished trials as a Slurm job array plus a dependent job that continues it (the evaluation
 * phase, then the report), prints the job ids and how to follow them, and returns at once. The
 * dependent job runs the same command with `--slurm.continue <submission>` (hidden).
 */
import { Option, type Command } from 'commander';
import * as path from 'node:path';
import type { ResolvedExperiment } from '../experiments/define.ts';
import { isReproducibleMode } from '../backends/reproducible.ts';
import { slurmPreflight } from '../cluster/slurm/preflight.ts';
import { continueStudy, submitStudy, type SlurmStep, type SlurmStudyContext } from '../cluster/slurm/slurm-study.ts';
import type { SlurmOptions } from '../cluster/slurm/slurm-options.ts';
import { logDir } from '../cluster/slurm/submissions.ts';
import { UsageError } from './errors.ts';
import { jsonLine } from './output.ts';

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be an integer >= 1 (got '${v}')`);
    return n;
  };
}

/** Adds the `--slurm.*` options to `run` (each declared, so none is taken for a config override). */
export function addSlurmOptions(cmd: Command): void {
  cmd
    .option('--slurm.partition <name>', 'with --executor slurm: the partition (default: the cluster\'s default partition)')
    .option('--slurm.time <limit>', 'with --executor slurm: time limit of each trial\'s task, e.g. 30:00 or 1-00:00:00')
    .option('--slurm.mem <size>', 'with --executor slurm: memory of each task, e.g. 4G')
    .option('--slurm.cpus-per-task <n>', 'with --executor slurm: CPUs of each task', positiveInt('--slurm.cpus-per-task'))
    .option('--slurm.max-parallel <n>', 'with --executor slurm: at most n tasks of the array at once (--array=...%n)', positiveInt('--slurm.max-parallel'))
    .option('--slurm.extra <flags>', "with --executor slurm: more sbatch flags, e.g. '--account=abc --qos=low'")
    .addOption(new Option('--slurm.continue <submission>', 'what the dependent job runs').hideHelp())
    .hook('preAction', (c) => {
      // A forgotten --executor slurm would run a cluster-sized study on this machine.
      const opts = c.opts();
      const given = Object.keys(opts).filter((k) => k.startsWith('slurm.') && opts[k] !== undefined);
      if (given.length > 0 && opts['executor'] !== 'slurm') {
        throw new UsageError(`${given.map((k) => `--${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`).join(', ')} ${given.length > 1 ? 'apply' : 'applies'} to Slurm runs only: add --executor slurm (or drop ${given.length > 1 ? 'them' : 'it'} to run here).`);
      }
    });
}

/** The `--slurm.*` values among commander's options. */
export function slurmOptions(opts: Record<string, unknown>): SlurmOptions {
  const o: SlurmOptions = {};
  const s = (k: string): string | undefined => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const n = (k: string): number | undefined => (typeof opts[k] === 'number' ? (opts[k] as number) : typeof opts[k] === 'string' ? positiveInt(`--${k}`)(opts[k] as string) : undefined);
  const partition = s('slurm.partition');
  const time = s('slurm.time');
  const mem = s('slurm.mem');
  const extra = s('slurm.extra');
  const cpus = n('slurm.cpusPerTask');
  const max = n('slurm.maxParallel');
  if (partition !== undefined) o.partition = partition;
  if (time !== undefined) o.time = time;
  if (mem !== undefined) o.mem = mem;
  if (cpus !== undefined) o.cpusPerTask = cpus;
  if (max !== undefined) o.maxParallel = max;
  if (extra !== undefined) o.extra = extra;
  return o;
}

/**
 * The `run` arguments the continuation job repeats: everything after `run` in `argv` (a full
 * process.argv or the arguments after the command), without any `--slurm.continue`.
 */
export function continuationArgs(argv: readonly string[]): string[] {
  const i = argv.indexOf('run');
  const rest = i >= 0 && i <= 2 ? argv.slice(i + 1) : [...argv];
  const out: string[] = [];
  for (let k = 0; k < rest.length; k++) {
    if (rest[k] === '--slurm.continue') k++;
    else if (!rest[k]!.startsWith('--slurm.continue=')) out.push(rest[k]!);
  }
  return out;
}

/**
 * BLAS threads of each task from `--threads`: the number given; `auto`: the task's CPUs
 * (`--slurm.cpus-per-task`, 1 under --reproducible); none: 1, as a local run.
 */
export function taskThreads(flag: unknown, slurm: SlurmOptions): number {
  if (typeof flag === 'number') return flag;
  if (flag === 'auto') return isReproducibleMode() ? 1 : (slurm.cpusPerTask ?? 1);
  return 1;
}

/** `storeDir` as the user sees it: relative to the working directory when inside it. */
function shown(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
}

function describe(step: SlurmStep, exp: string, storeDir: string, continuing: boolean): { text: string; json: Record<string, unknown> } {
  const store = shown(storeDir);
  const logs = shown(logDir(storeDir));
  if (step.kind === 'submitted') {
    const s = step.submission;
    const arrays = s.arrays.map((a) => `${a.job} (${a.hashes.length} task${a.hashes.length > 1 ? 's' : ''})`).join(', ');
    const jobs = [...s.arrays.map((a) => a.job), s.continueJob].join(',');
    const skipped = skippedText(step.skipped);
    return {
      text:
        `${exp}: submitted ${step.trials} trial${step.trials > 1 ? 's' : ''} (${s.phase} phase) to Slurm as job array ${arrays}; ` +
        `job ${s.continueJob} continues the study when ${s.arrays.length > 1 ? 'they end' : 'it ends'} (${s.phase === 'selection' ? 'the evaluation phase, then the report' : 'the report'}).\n` +
        (skipped ? `not submitted: ${skipped}\n` : '') +
        `follow:  pretrain-lab status ${store}\n         squeue -j ${jobs}\n         logs in ${logs}/ (<array>_<task>.out, continue-<job>.out)\n`,
      json: { event: 'slurm', kind: 'submitted', experiment: exp, phase: s.phase, trials: step.trials, submission: s.id, arrays: s.arrays.map((a) => ({ job: a.job, tasks: a.hashes.length })), continueJob: s.continueJob, skipped: step.skipped, storeDir, logDir: logDir(storeDir), follow: [`pretrain-lab status ${store}`, `squeue -j ${jobs}`] },
    };
  }
  if (step.kind === 'complete') {
    return {
      text: `${exp}: every trial has a record${continuing ? '' : ', nothing to submit'}.${step.report ? ` Report: ${shown(step.report)}` : ''}\n`,
      json: { event: 'slurm', kind: 'complete', experiment: exp, storeDir, report: step.report },
    };
  }
  if (step.kind === 'waiting') {
    return {
      text: `${exp}: nothing new to submit: ${skippedText(step.skipped)}.${step.jobs.length ? ` Follow them with squeue -j ${step.jobs.join(',')} or pretrain-lab status ${store}.` : ''}\n`,
      json: { event: 'slurm', kind: 'waiting', experiment: exp, storeDir, skipped: step.skipped, jobs: step.jobs },
    };
  }
  const failed = new Set(step.failed.map((f) => f.hash));
  const notRun = step.missing.filter((t) => !failed.has(t.hash));
  const lines = [
    ...step.failed.map((f) => `  failed   ${f.hash.slice(0, 12)} ${JSON.stringify({ ...f.cell, ...f.nuisance, seed: f.seed })}: ${f.message.split('\n')[0]}`),
    ...notRun.map((t) => `  not run  ${t.hash.slice(0, 12)} ${JSON.stringify({ ...t.cell, ...t.nuisance, seed: t.seed })} (its task was cancelled, killed or out of time; a rerun resumes it from its checkpoint)`),
  ];
  return {
    text:
      `${exp}: the ${step.phase} phase ended with ${step.missing.length} trial${step.missing.length > 1 ? 's' : ''} missing:\n${lines.join('\n')}\n` +
      (step.report ? `Report of what is there: ${shown(step.report)}\n` : '') +
      `Run the same pretrain-lab run command (with --executor slurm) again to submit just those.\n`,
    json: { event: 'slurm', kind: 'incomplete', experiment: exp, storeDir, phase: step.phase, failed: step.failed.map((f) => ({ hash: f.hash, message: f.message, logPath: f.logPath })), notRun: notRun.map((t) => t.hash), report: step.report },
  };
}

function skippedText(s: { claimed: number; queued: number; failedInChain: number }): string {
  return [
    s.queued ? `${s.queued} pending or running in an earlier Slurm submission` : '',
    s.claimed ? `${s.claimed} running now (live claims)` : '',
    s.failedInChain ? `${s.failedInChain} failed in this chain (see failed/ in the store)` : '',
  ].filter(Boolean).join(', ');
}

/**
 * `run ... --executor slurm`: preflight (nothing is written when Slurm cannot take the job), then
 * submit and print the job ids; with `--slurm.continue`, the dependent job's work. `mode` json
 * prints one JSON line; otherwise text on stdout.
 * @throws SlurmError (exit 2) when Slurm is missing or refuses the flags; an Error (exit 1) when a
 *   continuation finds trials missing after its array ended
 */
export async function runOnSlurm(resolved: ResolvedExperiment, opts: Record<string, unknown>, argv: string[], mode: string): Promise<void> {
  const slurm = slurmOptions(opts);
  const storeDir = path.resolve((opts.runsDir as string | undefined) ?? 'runs', resolved.id);
  const continuing = typeof opts['slurm.continue'] === 'string' ? (opts['slurm.continue'] as string) : null;
  const warn = (m: string): void => (mode === 'json' ? jsonLine({ event: 'warning', message: m }) : void process.stderr.write(`warning: ${m}\n`));
  if (!continuing) await slurmPreflight(slurm);
  const { writeReport } = await import('../report/build-report.ts'); // loaded on use (start-up)
  const keep = (opts.keepNetworks as SlurmStudyContext['keepNetworks'] | undefined) ?? 'all';
  const ctx: SlurmStudyContext = {
    exp: resolved,
    storeDir,
    slurm,
    runArgs: continuationArgs(argv),
    cwd: process.cwd(),
    keepNetworks: keep,
    ...(opts.pretrainCache === false ? { pretrainCache: false } : {}),
    allowMixedVariants: opts.allowMixedVariants === true,
    threads: taskThreads(opts.threads, slurm),
    warn,
    buildReport: () => (opts.report === false ? null : writeReport(storeDir, { warn }).path),
  };
  const step = continuing ? await continueStudy(ctx, continuing) : await submitStudy(ctx);
  const { text, json } = describe(step, resolved.id, storeDir, continuing !== null);
  if (mode === 'json') jsonLine(json);
  else process.stdout.write(text);
  if (step.kind === 'incomplete') {
    throw new Error(`${step.missing.length} trial(s) of '${resolved.id}' are missing after the Slurm array ended (listed above); run the same command again to submit them`);
  }
}

