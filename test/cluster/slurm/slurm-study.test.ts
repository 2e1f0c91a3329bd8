/**
 * The Slurm coordinator's decisions against fake Slurm clients (no cluster): what it submits
 * (arrays no larger than MaxArraySize, the continuation after them), what it leaves out (live
 * claims, tasks still queued in an earlier submission, failures of its own chain), and what the
 * continuation does at the end of each phase.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveExperiment, type ResolvedExperiment } from '../../../src/experiments/define.ts';
import { planStudy } from '../../../src/experiments/runner.ts';
import { RunStore } from '../../../src/experiments/store.ts';
import { TrialClaims } from '../../../src/experiments/claim.ts';
import { codeVersion } from '../../../src/experiments/code-version.ts';
import { buildTrialFailure, buildTrialRecord } from '../../../src/experiments/trial-record.ts';
import type { PlannedTrial } from '../../../src/experiments/expand.ts';
import { createReferenceBackend } from '../../../src/backends/index.ts';
import { continueStudy, submitStudy, type SlurmStudyContext } from '../../../src/cluster/slurm/slurm-study.ts';
import type { SlurmResult, SlurmRunner } from '../../../src/cluster/slurm/slurm-command.ts';
import { readSubmissions } from '../../../src/cluster/slurm/submissions.ts';
import { readTasksFile } from '../../../src/cluster/slurm/tasks-file.ts';
import { runTrial as synthetic } from '../../fixtures/experiments/synthetic-trial.ts';
import toy from '../../fixtures/experiments/toy-experiment.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/** A fake Slurm: sbatch hands out job ids 100, 101, ...; squeue answers `queued`; MaxArraySize is `maxArray`. */
function fakeSlurm(o: { maxArray?: number; queued?: () => string } = {}): SlurmRunner & { sbatch: string[][] } {
  let next = 100;
  const sbatch: string[][] = [];
  const run = (async (cmd: string, args: readonly string[]): Promise<SlurmResult> => {
    if (cmd === 'sbatch') {
      sbatch.push([...args]);
      return { code: 0, stdout: `${next++}\n`, stderr: '' };
    }
    if (cmd === 'scontrol') return { code: 0, stdout: `MaxArraySize            = ${o.maxArray ?? 1001}\nMaxJobCount = 10000\n`, stderr: '' };
    if (cmd === 'squeue') return { code: 0, stdout: o.queued?.() ?? '', stderr: '' };
    return { code: 127, stdout: '', stderr: `${cmd}: not found` };
  }) as SlurmRunner & { sbatch: string[][] };
  run.sbatch = sbatch;
  return run;
}

function context(exp: ResolvedExperiment, runsDir: string, run: SlurmRunner, reports: string[] = []): SlurmStudyContext {
  const storeDir = path.join(runsDir, exp.id);
  return {
    exp,
    storeDir,
    slurm: { partition: 'debug', maxParallel: 2 },
    runArgs: ['toy', '--executor', 'slurm'],
    cwd: runsDir,
    keepNetworks: 'all',
    allowMixedVariants: false,
    threads: 1,
    buildReport: () => (reports.push(storeDir), path.join(storeDir, 'report.html')),
    run,
  };
}

/** Records trial `t` as done (the synthetic trial, in this process). */
async function record(exp: ResolvedExperiment, storeDir: string, t: PlannedTrial): Promise<void> {
  const store = new RunStore(storeDir);
  const result = await synthetic(t.config, { checkpointDir: store.checkpointDir(t.hash) });
  const now = new Date();
  store.write(buildTrialRecord(exp.id, t, { kind: 'done', result, variant: createReferenceBackend().variant }, codeVersion(), now, now, false));
}

const freshSeeds = (): ResolvedExperiment =>
  resolveExperiment(toy, { overrides: { depth: [1], pretrain: ['none'], lr: [0.1, 0.02], seeds: 2 }, protocol: { selection: 'fresh-seeds', selectionSeeds: 3 } });

test('submitStudy: the phase as arrays of at most MaxArraySize tasks, then one afterany continuation repeating the run', async () => {
  const runsDir = tempDir();
  const run = fakeSlurm({ maxArray: 4 });
  const exp = freshSeeds();
  const step = await submitStudy(context(exp, runsDir, run));
  assert.equal(step.kind, 'submitted');
  if (step.kind !== 'submitted') return;
  assert.equal(step.trials, 6, '2 settings x 3 selection seeds');
  assert.equal(step.submission.phase, 'selection');
  assert.deepEqual(step.submission.arrays.map((a) => [a.job, a.hashes.length]), [['100', 4], ['101', 2]]);
  assert.equal(step.submission.continueJob, '102');
  const [a0, a1, cont] = run.sbatch;
  const logs = path.join(runsDir, 'toy', 'logs');
  assert.deepEqual(a0!.slice(0, 6), ['--parsable', '--array=0-3%2', '--requeue', '--open-mode=append', `--output=${logs}/%A_%a.out`, '--job-name=pl-toy']);
  assert.ok(a0!.includes('--partition=debug'));
  assert.equal(a1![1], '--array=0-1%2');
  assert.ok(cont!.includes('--dependency=afterany:100:101'));
  assert.ok(cont!.includes('--cpus-per-task=1'));
  assert.ok(cont!.includes(`--output=${logs}/continue-%j.out`));
  // The tasks files hold the planned trials in order; the scripts run this checkout.
  const store = new RunStore(path.join(runsDir, 'toy'));
  const todo = planStudy(exp, store).todo.map((t) => t.hash);
  const files = step.submission.arrays.map((a) => readTasksFile(a.tasksFile));
  assert.deepEqual(files.flatMap((f) => f.tasks.map((e) => e.trial.hash)), todo);
  assert.deepEqual(files[0]!.code, codeVersion());
  assert.equal(files[0]!.threads, 1, 'one BLAS thread per trial, as a local run');
  const dir = path.join(runsDir, 'toy', 'slurm', step.submission.id);
  assert.match(fs.readFileSync(path.join(dir, 'array-0.sh'), 'utf8'), /bin\/pretrain-lab\.js worker --slurm-tasks \S+tasks-0\.json/);
  assert.match(fs.readFileSync(path.join(dir, 'continue.sh'), 'utf8'), new RegExp(`pretrain-lab\\.js run toy --executor slurm --slurm.continue ${step.submission.id}\\n`));
  assert.deepEqual(readSubmissions(store.dir).map((s) => s.id), [step.submission.id]);
});

test('submitStudy leaves out trials with a live claim and trials still queued in an earlier submission', async () => {
  const runsDir = tempDir();
  const exp = freshSeeds();
  let queued = '';
  const run = fakeSlurm({ queued: () => queued });
  const first = await submitStudy(context(exp, runsDir, run));
  assert.equal(first.kind, 'submitted');
  // Everything still pending: a rerun has nothing new to submit, and says which jobs hold it.
  queued = [0, 1, 2, 3, 4, 5].map((i) => `100_${i} PD`).join('\n');
  const again = await submitStudy(context(exp, runsDir, run));
  assert.deepEqual(again, { kind: 'waiting', skipped: { claimed: 0, queued: 6, failedInChain: 0 }, jobs: ['100'] });
  // Two tasks scancelled, one running, one ended; a trial claimed by someone else right now.
  queued = '100_2 R\n100_3 PD\n100_4 PD';
  const storeDir = path.join(runsDir, 'toy');
  const todo = planStudy(exp, new RunStore(storeDir)).todo;
  const claim = new TrialClaims(storeDir).tryClaim(todo[0]!.hash, { executor: 'local' });
  assert.ok(claim);
  try {
    const third = await submitStudy(context(exp, runsDir, run));
    assert.equal(third.kind, 'submitted');
    if (third.kind !== 'submitted') return;
    assert.deepEqual(third.skipped, { claimed: 1, queued: 3, failedInChain: 0 });
    assert.deepEqual(third.submission.arrays[0]!.hashes, [todo[1]!.hash, todo[5]!.hash]);
  } finally {
    claim.release();
  }
});

/** A study submitted once on a fake Slurm in a fresh runs directory (the submission asserted). */
async function firstSubmission(exp: ResolvedExperiment) {
  const run = fakeSlurm();
  const reports: string[] = [];
  const ctx = context(exp, tempDir(), run, reports);
  const first = await submitStudy(ctx);
  assert.equal(first.kind, 'submitted');
  if (first.kind !== 'submitted') throw new Error('not submitted');
  return { run, reports, ctx, first, store: new RunStore(ctx.storeDir) };
}

test('continueStudy: selection done -> the evaluation phase in the same chain; all done -> the report', async () => {
  const exp = freshSeeds();
  const { run, reports, ctx, first, store } = await firstSubmission(exp);
  for (const t of planStudy(exp, store).todo) await record(exp, ctx.storeDir, t);
  const second = await continueStudy(ctx, first.submission.id);
  assert.equal(second.kind, 'submitted');
  if (second.kind !== 'submitted') return;
  assert.equal(second.submission.phase, 'evaluation');
  assert.equal(second.submission.chain, first.submission.id);
  assert.equal(second.trials, 2, 'the chosen setting on seeds 1 and 2');
  assert.deepEqual(reports, []);
  for (const t of planStudy(exp, store).todo) await record(exp, ctx.storeDir, t);
  const third = await continueStudy(ctx, second.submission.id);
  assert.deepEqual(third, { kind: 'complete', report: path.join(ctx.storeDir, 'report.html') });
  assert.deepEqual(reports, [ctx.storeDir]);
  assert.equal(run.sbatch.length, 4, 'two arrays and two continuations, nothing more');
});

test('continueStudy never resubmits a trial that failed in its chain: it reports it, and a rerun of run retries it', async () => {
  const exp = resolveExperiment(toy, { overrides: { depth: [1], pretrain: ['none'], lr: [0.1], seeds: 3 } });
  const { run, reports, ctx, first, store } = await firstSubmission(exp);
  const [a, b, c] = planStudy(exp, store).todo;
  await record(exp, ctx.storeDir, a!);
  store.writeFailure(buildTrialFailure(exp.id, b!, { message: 'out of memory' }, { executor: 'slurm', code: codeVersion(), job: '100_1', attempts: 1 }));
  // c: its task was cancelled (no record, no failure file).
  const end = await continueStudy(ctx, first.submission.id);
  assert.equal(end.kind, 'incomplete');
  if (end.kind !== 'incomplete') return;
  assert.deepEqual(end.missing.map((t) => t.hash), [b!.hash, c!.hash]);
  assert.deepEqual(end.failed.map((f) => [f.hash, f.message]), [[b!.hash, 'out of memory']]);
  assert.deepEqual(reports, [ctx.storeDir], 'the report of what is there');
  assert.equal(run.sbatch.length, 2, 'the continuation submitted nothing');
  const rerun = await submitStudy(ctx);
  assert.equal(rerun.kind, 'submitted');
  if (rerun.kind === 'submitted') assert.deepEqual(rerun.submission.arrays[0]!.hashes, [b!.hash, c!.hash]);
});

test('sbatch refusing the second array: the first is recorded and continued after, and the error says so', async () => {
  const runsDir = tempDir();
  const base = fakeSlurm({ maxArray: 4 });
  let calls = 0;
  const run: SlurmRunner = async (cmd, args) => {
    if (cmd === 'sbatch' && ++calls === 2) return { code: 1, stdout: '', stderr: 'sbatch: error: QOSMaxSubmitJobPerUserLimit' };
    return base(cmd, args);
  };
  const ctx = context(freshSeeds(), runsDir, run);
  await assert.rejects(submitStudy(ctx), /sbatch refused the job array of 2 trial\(s\): sbatch: error: QOSMaxSubmitJobPerUserLimit\..*Submitted before that, and running: job array 100 \(4 trials\); job 101 continues the study after it\./s);
  const [s] = readSubmissions(ctx.storeDir);
  assert.deepEqual([s!.arrays.map((a) => a.job), s!.continueJob], [['100'], '101']);
  assert.ok(base.sbatch[1]!.includes('--dependency=afterany:100'));
});
