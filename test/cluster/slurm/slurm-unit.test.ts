/**
 * The Slurm executor's own logic against fake Slurm clients (no cluster needed): flag parsing,
 * preflight messages, squeue/sacct parsing and the status of a store's submissions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { shellQuote, shellWords } from '../../../src/cluster/slurm/shell-words.ts';
import { slurmPreflight } from '../../../src/cluster/slurm/preflight.ts';
import type { SlurmResult, SlurmRunner } from '../../../src/cluster/slurm/slurm-command.ts';
import { SlurmError } from '../../../src/cluster/slurm/slurm-error.ts';
import { arrayArg, resourceArgs } from '../../../src/cluster/slurm/slurm-options.ts';
import { parseSqueue, queuedTasks } from '../../../src/cluster/slurm/squeue.ts';
import { expandJobIds, slurmStatus } from '../../../src/cluster/slurm/slurm-status.ts';
import { appendSubmission, readSubmissions, type Submission } from '../../../src/cluster/slurm/submissions.ts';
import { codeMismatch } from '../../../src/cluster/slurm/code-mismatch.ts';
import { addSlurmOptions, continuationArgs, slurmOptions, taskThreads } from '../../../src/cli/slurm-flags.ts';
import { exitCodeFor } from '../../../src/cli/errors.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/** A fake runner answering by command name; records every call. */
function fake(answers: Record<string, Partial<SlurmResult> | ((args: readonly string[]) => Partial<SlurmResult>)>): SlurmRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const run = (async (cmd: string, args: readonly string[]) => {
    calls.push([cmd, ...args]);
    const a = answers[cmd];
    const r = typeof a === 'function' ? a(args) : (a ?? { code: 127, stderr: `${cmd}: not found on the PATH` });
    return { code: 0, stdout: '', stderr: '', ...r };
  }) as SlurmRunner & { calls: string[][] };
  run.calls = calls;
  return run;
}

/** A PATH directory holding executable stubs named `names`. */
function pathWith(...names: string[]): string {
  const d = tempDir('pl-slurm-path-');
  for (const n of names) fs.writeFileSync(path.join(d, n), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return d;
}

test('shellWords splits --slurm.extra as a POSIX shell would, and shellQuote round-trips', () => {
  assert.deepEqual(shellWords(`--account=abc  --comment="two words" --x='a b'\\ c`), ['--account=abc', '--comment=two words', '--x=a b c']);
  assert.deepEqual(shellWords('  '), []);
  assert.throws(() => shellWords('--comment="open'), SlurmError);
  for (const s of ['plain', "it's", 'a b', '$HOME', '']) assert.deepEqual(shellWords(shellQuote(s)), [s]);
});

test('resourceArgs: the array tasks get every flag, the continuation one CPU; arrayArg throttles with %N', () => {
  const o = { partition: 'gpu', time: '30:00', mem: '4G', cpusPerTask: 4, extra: '--account=abc --qos=low' };
  assert.deepEqual(resourceArgs(o), ['--partition=gpu', '--time=30:00', '--mem=4G', '--cpus-per-task=4', '--account=abc', '--qos=low']);
  assert.deepEqual(resourceArgs(o, true), ['--partition=gpu', '--time=30:00', '--mem=4G', '--cpus-per-task=1', '--account=abc', '--qos=low']);
  assert.equal(arrayArg(5, 2), '--array=0-4%2');
  assert.equal(arrayArg(1), '--array=0-0');
});

test('preflight: sbatch missing from the PATH is refused with what to do', async () => {
  const run = fake({});
  await assert.rejects(slurmPreflight({}, run, pathWith('squeue')), (e: Error) => {
    assert.ok(e instanceof SlurmError);
    assert.match(e.message, /sbatch is not on the PATH/);
    assert.match(e.message, /--executor local/);
    assert.match(e.message, /Nothing was written/);
    return true;
  });
  assert.deepEqual(run.calls, [], 'no Slurm command runs when sbatch is missing');
  assert.equal(exitCodeFor(new SlurmError('x')), 2);
});

test('preflight: an unknown partition is named with the ones that exist', async () => {
  const run = fake({ sinfo: { stdout: 'debug*\nlong\n' }, sbatch: {} });
  await assert.rejects(slurmPreflight({ partition: 'gpu' }, run, pathWith('sbatch', 'squeue')), /partition 'gpu' does not exist here \(sinfo lists: debug, long\).*default partition \(debug\)/s);
  await slurmPreflight({ partition: 'long' }, run, pathWith('sbatch', 'squeue'));
  await slurmPreflight({}, run, pathWith('sbatch', 'squeue'));
  assert.deepEqual(run.calls.at(-1), ['sbatch', '--test-only', '--wrap', 'true']);
});

test('preflight: no default partition, an unreachable controller, flags sbatch refuses', async () => {
  const p = pathWith('sbatch', 'squeue');
  await assert.rejects(slurmPreflight({}, fake({ sinfo: { stdout: 'a\nb\n' } }), p), /no default partition: pass --slurm.partition \(one of: a, b\)/);
  await assert.rejects(slurmPreflight({}, fake({ sinfo: { code: 1, stderr: 'sinfo: error: Unable to contact slurm controller (connect failure)' } }), p), /controller did not answer \(sinfo: sinfo: error: Unable to contact/);
  const refuses = fake({ sinfo: { stdout: 'debug*\n' }, sbatch: { code: 1, stderr: 'sbatch: error: Requested time limit is invalid (missing or exceeds some limit)' } });
  await assert.rejects(slurmPreflight({ time: '99-00:00:00' }, refuses, p), /sbatch refuses a task with these flags \(--time=99-00:00:00\): Requested time limit is invalid/);
});

test('squeue: array tasks and jobs by id; "Invalid job id" means they have all ended; other failures throw', async () => {
  assert.deepEqual([...parseSqueue('12_0 PD\n12_1 R\n13 PD\n\n')], [['12_0', 'PD'], ['12_1', 'R'], ['13', 'PD']]);
  assert.equal((await queuedTasks(['9'], fake({ squeue: { code: 1, stderr: 'slurm_load_jobs error: Invalid job id specified' } }))).size, 0);
  await assert.rejects(queuedTasks(['9'], fake({ squeue: { code: 1, stderr: 'slurm_load_jobs error: Unable to contact slurm controller' } })), /squeue failed/);
  assert.equal((await queuedTasks([], fake({}))).size, 0);
});

test("expandJobIds reads sacct's array ranges", () => {
  assert.deepEqual(expandJobIds('12_[0-2,5%2]'), ['12_0', '12_1', '12_2', '12_5']);
  assert.deepEqual(expandJobIds('12_3'), ['12_3']);
  assert.deepEqual(expandJobIds('13'), ['13']);
});

function submission(id: string, job: string, n: number, cont: string): Submission {
  return { id, chain: id, phase: 'evaluation', arrays: [{ job, tasksFile: `/x/${id}/tasks-0.json`, hashes: Array.from({ length: n }, (_, i) => String(i).repeat(64).slice(0, 64)) }], continueJob: cont, code: { package: 'pretrain-lab@0', git: null, dirty: null }, submittedAt: new Date().toISOString() };
}

test('slurmStatus counts each array from scontrol when sacct has no accounting (and says so)', async () => {
  const store = tempDir();
  assert.deepEqual(await slurmStatus(store, fake({})), { jobs: [], note: null });
  appendSubmission(store, submission('a', '12', 6, '13'));
  appendSubmission(store, submission('b', '20', 2, '21'));
  assert.equal(readSubmissions(store).length, 2);
  const scontrol = (args: readonly string[]): Partial<SlurmResult> => {
    const id = args.at(-1);
    if (id === '12') return { stdout: 'JobId=15 ArrayJobId=12 ArrayTaskId=4-5%1 JobState=PENDING Reason=JobArrayTaskLimit\nJobId=14 ArrayJobId=12 ArrayTaskId=3 JobState=RUNNING\nJobId=13 ArrayJobId=12 ArrayTaskId=1 JobState=FAILED\nJobId=12 ArrayJobId=12 ArrayTaskId=0 JobState=COMPLETED\n' };
    if (id === '13') return { stdout: 'JobId=13 JobName=pl-toy-continue JobState=PENDING Reason=Dependency\n' };
    return { code: 1, stderr: 'slurm_load_jobs error: Invalid job id specified' };
  };
  const run = fake({ sacct: { code: 1, stderr: 'Slurm accounting storage is disabled' }, scontrol });
  const s = await slurmStatus(store, run);
  assert.deepEqual(s.jobs, [
    { jobId: '12', tasks: 6, pending: 2, running: 1, done: 1, other: { FAILED: 1, ENDED: 1 }, source: 'scontrol' },
    { jobId: '13', tasks: 1, pending: 1, running: 0, done: 0, other: {}, source: 'scontrol' },
    { jobId: '20', tasks: 2, pending: 0, running: 0, done: 0, other: { ENDED: 2 }, source: 'scontrol' },
    { jobId: '21', tasks: 1, pending: 0, running: 0, done: 0, other: { ENDED: 1 }, source: 'scontrol' },
  ]);
  assert.match(s.note ?? '', /sacct has no accounting/);
});

test('slurmStatus reads sacct when there is accounting; Slurm unreachable gives a note, not an error', async () => {
  const store = tempDir();
  appendSubmission(store, submission('a', '12', 4, '13'));
  const acct = fake({ sacct: { stdout: '12_0|COMPLETED\n12_1|FAILED\n12_2|CANCELLED by 0\n12_[3]|PENDING\n13|PENDING\n' } });
  const s = await slurmStatus(store, acct);
  assert.deepEqual(s.jobs[0], { jobId: '12', tasks: 4, pending: 1, running: 0, done: 1, other: { FAILED: 1, CANCELLED: 1 }, source: 'sacct' });
  assert.equal(s.note, null);
  const down = await slurmStatus(store, fake({ sacct: { code: 1 }, scontrol: { code: 1, stderr: 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' } }));
  assert.equal(down.jobs[0]!.source, 'none');
  assert.match(down.note ?? '', /scontrol failed \(slurm_load_jobs error: Unable to contact/);
});

test('codeMismatch: another package or another commit is refused, naming both; an unknown commit is not', () => {
  const a = { package: 'pretrain-lab@0.1.0', git: 'a'.repeat(40), dirty: false };
  assert.equal(codeMismatch(a, { ...a }), null);
  assert.equal(codeMismatch({ ...a, git: null }, a), null);
  const m = codeMismatch({ ...a, git: 'b'.repeat(40) }, a) ?? '';
  assert.match(m, /runs pretrain-lab@0\.1\.0 \(git bbbbbbbbbbbb\) but the study was submitted by pretrain-lab@0\.1\.0 \(git aaaaaaaaaaaa\)/);
  assert.match(codeMismatch({ ...a, package: 'pretrain-lab@0.2.0' }, a) ?? '', /0\.2\.0.*0\.1\.0/);
});

test('the --slurm.* flags are declared options in both spellings, never config overrides', () => {
  for (const argv of [
    ['smoke', '--executor', 'slurm', '--slurm.partition', 'debug', '--slurm.max-parallel', '2', '--slurm.extra', '--qos=low', '--a.b=1'],
    ['smoke', '--executor=slurm', '--slurm.partition=debug', '--slurm.max-parallel=2', '--slurm.extra=--qos=low', '--a.b=1'],
  ]) {
    let got: { opts: Record<string, unknown>; args: string[] } | null = null;
    const cmd = new Command('run').argument('<experiment>').option('--executor <name>', '', 'local').allowUnknownOption().allowExcessArguments();
    addSlurmOptions(cmd);
    cmd.action((_e: string, opts: Record<string, unknown>, c: Command) => void (got = { opts, args: c.args }));
    cmd.parse(argv, { from: 'user' });
    assert.ok(got);
    const g = got as { opts: Record<string, unknown>; args: string[] };
    assert.deepEqual(slurmOptions(g.opts), { partition: 'debug', maxParallel: 2, extra: '--qos=low' });
    assert.deepEqual(g.args, ['smoke', '--a.b=1']);
  }
});

test('continuationArgs repeats the run arguments without --slurm.continue', () => {
  assert.deepEqual(continuationArgs(['/usr/bin/node', '/x/bin/pretrain-lab.js', 'run', 'smoke', '--executor', 'slurm', '--slurm.continue', 'S1', '--lr=[0.1]']), ['smoke', '--executor', 'slurm', '--lr=[0.1]']);
  assert.deepEqual(continuationArgs(['smoke', '--slurm.continue=S1', '--json']), ['smoke', '--json']);
});

test('taskThreads: --threads n as given, auto as the task\'s CPUs, none as a local run (1)', () => {
  assert.equal(taskThreads(3, {}), 3);
  assert.equal(taskThreads('auto', { cpusPerTask: 4 }), 4);
  assert.equal(taskThreads('auto', {}), 1);
  assert.equal(taskThreads(undefined, { cpusPerTask: 4 }), 1);
});

test('--slurm.* flags without --executor slurm are a usage error (a cluster-sized study would run here)', async () => {
  const cmd = new Command('run').argument('<experiment>').option('--executor <name>', '', 'local').allowUnknownOption().allowExcessArguments().exitOverride();
  addSlurmOptions(cmd);
  let ran = 0;
  cmd.action(() => void ran++);
  await assert.rejects(cmd.parseAsync(['smoke', '--slurm.max-parallel', '4', '--slurm.partition=cpu'], { from: 'user' }), (e: Error) => {
    assert.equal(exitCodeFor(e), 2);
    assert.match(e.message, /^--slurm\.max-parallel, --slurm\.partition apply to Slurm runs only: add --executor slurm/);
    return true;
  });
  await cmd.parseAsync(['smoke', '--executor', 'slurm', '--slurm.max-parallel', '4'], { from: 'user' });
  await cmd.parseAsync(['smoke'], { from: 'user' });
  assert.equal(ran, 2);
});
