import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { RunStore, type TrialRecord } from '../../src/experiments/store.ts';
import { uniqueTrials, expandExperiment } from '../../src/experiments/expand.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SYNTH = path.join(here, '..', 'fixtures', 'experiments', 'synthetic-trial.ts');
const TOY = path.join(here, '..', 'fixtures', 'experiments', 'toy-experiment.ts');
const BIN = path.join(here, '..', '..', 'bin', 'pretrain-lab.js');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-runner-'));

/** The parts of a record that must not depend on workers, timing or interruptions. */
function essence(r: TrialRecord): unknown {
  return { hash: r.hash, status: r.status, config: r.config, seed: r.seed, result: { ...r.result, checkpoint: r.result?.checkpoint ? path.basename(r.result.checkpoint) : null } };
}

function storeEssence(dir: string): Map<string, string> {
  const store = new RunStore(dir);
  return new Map(store.listHashes().map((h) => [h, JSON.stringify(essence(store.read(h)!))]));
}

test('runExperiment runs every distinct trial once in-process, and a re-run skips them all', async () => {
  const exp = resolveExperiment(toy, { preset: 'quick' });
  const runsDir = tmp();
  const first = await runExperiment(exp, { runsDir, trial: synthetic });
  const unique = uniqueTrials(expandExperiment(exp)).length;
  assert.equal(first.ran, unique);
  assert.equal(new RunStore(first.storeDir).listHashes().length, unique);
  assert.equal(first.cells.length, 4);
  assert.ok(first.comparisons.every((c) => c.baseline.cell['pretrain.kind'] === 'none'));
  const again = await runExperiment(exp, { runsDir, trial: synthetic });
  assert.equal(again.ran, 0);
  assert.equal(again.skipped, unique);
  assert.deepEqual(again.cells.map((c) => c.test.mean), first.cells.map((c) => c.test.mean));
});

test('results are identical with 1 or 2 worker processes and in-process', async () => {
  const exp = resolveExperiment(toy, { preset: 'quick', overrides: { depth: [3] } });
  const a = tmp(), b = tmp(), c = tmp();
  await runExperiment(exp, { runsDir: a, trial: { module: SYNTH }, workers: 1 });
  await runExperiment(exp, { runsDir: b, trial: { module: SYNTH }, workers: 2 });
  await runExperiment(exp, { runsDir: c, trial: synthetic });
  const ea = storeEssence(path.join(a, 'toy'));
  assert.ok(ea.size > 0);
  assert.deepEqual(storeEssence(path.join(b, 'toy')), ea);
  assert.deepEqual(storeEssence(path.join(c, 'toy')), ea);
});

test('a trial that diverges is recorded as diverged, not lost', async () => {
  const exp = resolveExperiment(toy, { overrides: { lr: [0.1, 9], depth: [1], pretrain: ['none'], seeds: 2 } });
  const s = await runExperiment(exp, { runsDir: tmp(), trial: synthetic });
  const statuses = [...s.records.values()].map((r) => r.status).sort();
  assert.deepEqual(statuses, ['diverged', 'diverged', 'done', 'done']);
  assert.deepEqual(s.cells[0]!.chosen, { 'finetune.lr': 0.1 });
});

function runCli(args: string[], env: Record<string, string> = {}): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

test('a sweep killed with SIGKILL part way and re-run has every trial exactly once, equal to an uninterrupted run', { timeout: 90_000 }, async () => {
  const args = ['run', TOY, '--preset', 'quick', '--trial-module', SYNTH, '--workers', '2', '--json', '--no-report'];
  const env = { SYNTH_DELAY_MS: '40' };
  const killed = tmp(), clean = tmp();
  const { child, done } = runCli([...args, '--runs-dir', killed], env);
  let trialsSeen = 0;
  await new Promise<void>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      trialsSeen += (d.toString().match(/"event":"trial"/g) ?? []).length;
      if (trialsSeen >= 5) resolve();
    });
    child.on('exit', () => resolve());
  });
  child.kill('SIGKILL');
  await done;
  const partial = new RunStore(path.join(killed, 'toy')).listHashes().length;
  const exp = resolveExperiment(toy, { preset: 'quick' });
  const unique = uniqueTrials(expandExperiment(exp)).length;
  assert.ok(partial >= 5 && partial < unique, `killed part way: ${partial} of ${unique} records`);
  const [resumed, uninterrupted] = await Promise.all([runCli([...args, '--runs-dir', killed], env).done, runCli([...args, '--runs-dir', clean], env).done]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(uninterrupted.code, 0, uninterrupted.stderr);
  const result = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as { ran: number; skipped: number };
  assert.equal(result.ran + result.skipped, unique);
  assert.ok(result.skipped >= partial);
  const files = fs.readdirSync(path.join(killed, 'toy', 'trials'));
  assert.equal(files.length, unique, `no temp files or duplicates: ${files.filter((f) => !f.endsWith('.json'))}`);
  assert.deepEqual(storeEssence(path.join(killed, 'toy')), storeEssence(path.join(clean, 'toy')));
});

test('a second concurrent run of the same store is refused with a clear message', { timeout: 30_000 }, async () => {
  const runsDir = tmp();
  const store = new RunStore(path.join(runsDir, 'toy'));
  const lock = store.lock();
  try {
    const r = await runCli(['run', TOY, '--trial-module', SYNTH, '--runs-dir', runsDir]).done;
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`in use by another pretrain-lab run \\(pid ${process.pid}`));
    assert.match(r.stderr, /--runs-dir/);
  } finally {
    lock.release();
  }
});

test('a store holding another configuration of the experiment is detected and never mixed into the results', async () => {
  const runsDir = tmp();
  const quick = resolveExperiment(toy, { preset: 'quick' });
  await runExperiment(quick, { runsDir, trial: synthetic });
  const changed = resolveExperiment(toy, { preset: 'quick', overrides: { 'finetune.epochs': 3 } });
  const warnings: string[] = [];
  const s = await runExperiment(changed, { runsDir, trial: synthetic, events: { onWarn: (m) => warnings.push(m) } });
  assert.equal(s.skipped, 0, 'no record of the old configuration is reused');
  assert.ok(warnings.some((w) => /different configuration of 'toy'/.test(w)), warnings.join('\n'));
  for (const c of s.cells) for (const r of c.records) assert.equal(r.config.finetune.epochs, 3);
  assert.ok(fs.existsSync(path.join(runsDir, 'toy', 'manifests', `${quick.specHash}.json`)));
});
