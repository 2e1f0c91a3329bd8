/**
 * `run --executor slurm` on a real single-node Slurm (loopback, started once for this file):
 * the smoke study through job arrays and continuation jobs gives the very records a local run
 * gives; `scancel` of one pending task leaves just that trial for a rerun to submit; a running
 * task requeued (SIGTERM, as on preemption) resumes and completes with one record; sbatch missing
 * or an unknown partition is refused before anything is written.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN } from '../../helpers/run-cli.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { skipWithoutSlurm, startSlurmCluster, type SlurmCluster } from '../../helpers/slurm-cluster.ts';

const skip = skipWithoutSlurm();
let cluster: SlurmCluster | null = null;
before(async () => {
  if (!skip) cluster = await startSlurmCluster();
});
after(async () => {
  await cluster?.stop();
});

/** A study of 6 trials in two phases: 2 cells x 2 lr on one selection seed, then the chosen lr on seed 1. */
const STUDY = ['smoke', '--depth=[1]', '--pretrain=["none","sdae"]', '--lr=[0.1,0.3]', '--seeds', '1', '--data.trainSize=300'];

function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${cluster?.client('squeue') ?? ''}\n${cluster?.logs() ?? ''}`);
    await sleep(250);
  }
}

/** Until the cluster's queue is empty (the chain of arrays and continuations has ended). */
const queueEmpty = (): boolean => cluster!.client('squeue', '-h', '-o', '%i').trim() === '';

/**
 * A result as compared across executors: everything but wall-clock times (`seconds`, each
 * history entry's `seconds` and `trainSeconds`) and the checkpoint's path (in its own store).
 */
function comparable(result: unknown): unknown {
  if (result === null) return null;
  const { seconds: _s, checkpoint, history, ...rest } = result as { seconds: unknown; checkpoint: string | null; history: { seconds: number; values: Record<string, unknown> }[] };
  return {
    ...rest,
    checkpoint: checkpoint === null ? null : path.basename(path.dirname(checkpoint)) + '/' + path.basename(checkpoint),
    history: history.map(({ seconds: _t, values: { trainSeconds: _u, ...v }, ...m }) => ({ ...m, values: v })),
  };
}

function records(storeDir: string): Map<string, { result: unknown; variant: unknown }> {
  const dir = path.join(storeDir, 'trials');
  const out = new Map<string, { result: unknown; variant: unknown }>();
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!f.endsWith('.json')) continue;
    const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { hash: string; result: unknown; variant: unknown };
    out.set(r.hash, { result: r.result, variant: r.variant });
  }
  return out;
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n').filter((l) => l.startsWith('{'));
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
}

test('sbatch missing from the PATH or an unknown partition: a clear error, exit 2, nothing written', { skip }, async () => {
  const runs = tempDir();
  const noSlurm = await cli({ ...cluster!.env, PATH: tempDir('pl-empty-path-') }, 'run', ...STUDY, '--executor', 'slurm', '--runs-dir', runs);
  assert.equal(noSlurm.code, 2, noSlurm.stderr);
  assert.match(noSlurm.stderr, /sbatch and squeue are not on the PATH.*login node.*--executor local.*Nothing was written/s);
  const badPartition = await cli(cluster!.env, 'run', ...STUDY, '--executor', 'slurm', '--slurm.partition', 'nope', '--runs-dir', runs);
  assert.equal(badPartition.code, 2, badPartition.stderr);
  assert.match(badPartition.stderr, /Slurm partition 'nope' does not exist here \(sinfo lists: debug\)/);
  const badTime = await cli(cluster!.env, 'run', ...STUDY, '--executor', 'slurm', '--slurm.mem=900G', '--runs-dir', runs);
  assert.equal(badTime.code, 2, badTime.stderr);
  assert.match(badTime.stderr, /sbatch refuses a task with these flags \(--mem=900G\)/);
  assert.deepEqual(fs.readdirSync(runs), [], 'nothing was written');
});

test('through Slurm: scancel of a pending task, a rerun submitting just it, a requeued task resuming; then the records of a local run, byte for byte, and the report', { skip, timeout: 240_000 }, async () => {
  const localRuns = tempDir();
  const slurmRuns = tempDir();
  const store = path.join(slurmRuns, 'smoke');
  const env = cluster!.env;
  // The local run of the same study, on one core, while Slurm works on the other.
  const local = cli(env, 'run', ...STUDY, '--workers', '1', '--no-report', '--runs-dir', localRuns);

  // 1. Submit with one task at a time, and cancel the last selection task while it still waits.
  const first = await cli(env, 'run', ...STUDY, '--executor', 'slurm', '--slurm.max-parallel', '1', '--runs-dir', slurmRuns, '--json');
  assert.equal(first.code, 0, first.stderr);
  const sub = lastJson(first.stdout) as { kind: string; phase: string; trials: number; arrays: { job: string; tasks: number }[]; continueJob: string; submission: string };
  assert.equal(sub.kind, 'submitted');
  assert.equal(sub.phase, 'selection');
  assert.equal(sub.trials, 4);
  const array = sub.arrays[0]!.job;
  cluster!.client('scancel', `${array}_3`);
  const tasksFile = path.join(store, 'slurm', sub.submission, 'tasks-0.json');
  const cancelled = (JSON.parse(fs.readFileSync(tasksFile, 'utf8')) as { tasks: { trial: { hash: string } }[] }).tasks[3]!.trial.hash;
  await waitFor('the first chain to end', queueEmpty);
  assert.equal(records(store).size, 3, 'three selection trials done, the cancelled one missing');
  assert.ok(!records(store).has(cancelled));
  const contLog = fs.readFileSync(path.join(store, 'logs', `continue-${sub.continueJob}.out`), 'utf8');
  assert.match(contLog, /"kind":"incomplete"/, contLog);
  assert.deepEqual((lastJson(contLog) as { notRun: string[] }).notRun, [cancelled], 'the continuation lists the cancelled trial as not run');

  // 2. The rerun submits just the cancelled trial; its continuation submits the evaluation phase.
  const rerun = await cli(env, 'run', ...STUDY, '--executor', 'slurm', '--runs-dir', slurmRuns, '--json');
  assert.equal(rerun.code, 0, rerun.stderr);
  const sub2 = lastJson(rerun.stdout) as typeof sub;
  assert.equal(sub2.trials, 1);
  const tasks2 = JSON.parse(fs.readFileSync(path.join(store, 'slurm', sub2.submission, 'tasks-0.json'), 'utf8')) as { tasks: { trial: { hash: string } }[] };
  assert.deepEqual(tasks2.tasks.map((t) => t.trial.hash), [cancelled]);

  // 3. Requeue the pre-trained evaluation trial's task (the longer one) while it runs: SIGTERM,
  //    then pending again. It completes, once, with the local run's result.
  let running = '';
  await waitFor('the evaluation array', () => {
    const subs = (JSON.parse(fs.readFileSync(path.join(store, 'slurm', 'submissions.json'), 'utf8')) as { submissions: { phase: string; arrays: { job: string; tasksFile: string }[] }[] }).submissions;
    const ev = subs.find((s) => s.phase === 'evaluation');
    if (!ev) return false;
    const tasks = (JSON.parse(fs.readFileSync(ev.arrays[0]!.tasksFile, 'utf8')) as { tasks: { trial: { cell: Record<string, unknown> } }[] }).tasks;
    running = `${ev.arrays[0]!.job}_${tasks.findIndex((t) => t.trial.cell['pretrain.kind'] === 'sdae')}`;
    return true;
  });
  const taskLog = path.join(store, 'logs', `${running}.out`);
  // Its first line is written just before the trial's SIGTERM handler is installed (synchronously).
  await waitFor('the task to start its trial', () => fs.existsSync(taskLog) && fs.readFileSync(taskLog, 'utf8').includes(': trial '), 60_000);
  cluster!.client('scontrol', 'requeue', running);
  await waitFor('the requeued task to be pending', () => / PD$/m.test(cluster!.client('squeue', '-h', '-r', '-j', running, '-o', '%i %t')), 20_000);
  cluster!.client('scontrol', 'update', `JobId=${running}`, 'StartTime=now'); // Slurm holds a requeued job 120 s
  await waitFor('the whole chain to end', queueEmpty, 150_000);

  const got = records(store);
  const localDone = await local;
  assert.equal(localDone.code, 0, localDone.stderr);
  const want = records(path.join(localRuns, 'smoke'));
  assert.equal(want.size, 6);
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), 'the same trials');
  for (const [h, r] of want) {
    assert.equal(JSON.stringify(comparable(got.get(h)!.result)), JSON.stringify(comparable(r.result)), `trial ${h.slice(0, 12)}: the same result`);
    assert.equal(JSON.stringify(got.get(h)!.variant), JSON.stringify(r.variant), `trial ${h.slice(0, 12)}: the same variant`);
  }
  const log = fs.readFileSync(path.join(store, 'logs', `${running}.out`), 'utf8');
  assert.match(log, /interrupted by SIGTERM/, log);
  assert.match(log, /restart 1: resuming from its checkpoint if it has one/, log);
  assert.ok(!fs.existsSync(path.join(store, 'failed')) || fs.readdirSync(path.join(store, 'failed')).length === 0, 'no failure files');
  assert.ok(fs.existsSync(path.join(store, 'report.html')), 'the last continuation wrote the report');
});
