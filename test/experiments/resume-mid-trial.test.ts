import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RunStore, type TrialRecord } from '../../src/experiments/store.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { FINAL_FILE, RESUME_FILE } from '../../src/train/trial.ts';

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
const url = (rel: string): string => pathToFileURL(path.join(src, rel)).href;
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-resume-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A sweep of one real multi-epoch trial (SDAE pre-training, then 12 fine-tuning epochs on an MNIST
 * slice) run by `runExperiment` on a worker process; prints one JSON line per epoch and at the end.
 */
const DRIVER = `
import { defineExperiment, resolveExperiment } from '${url('experiments/define.ts')}';
import { runExperiment } from '${url('experiments/runner.ts')}';
const exp = resolveExperiment(defineExperiment({
  id: 'resume', paper: 'test', description: 'one multi-epoch trial', backend: 'reference',
  data: { name: 'mnist', trainSize: 500, validSize: 100, testSize: 100 },
  model: { hidden: 24 },
  pretrain: { kind: 'sdae', epochs: 1, lr: 0.01, batchSize: 10 },
  finetune: { epochs: 12, lr: 0.1, batchSize: 10, patience: null },
  scientific: { depth: [1] }, seeds: [5],
}), {});
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const s = await runExperiment(exp, { runsDir: process.argv[2], workers: 1, events: { onEpoch: (_t, m) => out({ event: 'epoch', phase: m.phase, epoch: m.epoch }) } });
out({ event: 'done', ran: s.ran, skipped: s.skipped });
`;

interface Line { event: string; phase?: string; epoch?: number; ran?: number; skipped?: number }

function runDriver(driver: string, runsDir: string, onLine: (l: Line) => void = () => {}): { pid: number; done: Promise<{ code: number | null; lines: Line[]; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', driver, runsDir], { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.join(src, '..') });
  const lines: Line[] = [];
  let buf = '', stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = JSON.parse(buf.slice(0, i)) as Line;
      buf = buf.slice(i + 1);
      lines.push(l);
      onLine(l);
    }
  });
  child.stderr!.on('data', (d) => (stderr += d));
  return { pid: child.pid!, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, lines, stderr }))) };
}

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The record without wall-clock times (which no two runs share). */
function essence(r: TrialRecord): unknown {
  const res = r.result!;
  return {
    hash: r.hash, status: r.status, config: r.config, seed: r.seed, final: res.final, bestEpoch: res.bestEpoch, epochsRun: res.epochsRun,
    checkpoint: path.basename(res.checkpoint!),
    history: res.history.map(({ seconds: _s, values: { trainSeconds: _t, ...v }, ...m }) => ({ ...m, values: v })),
  };
}

test('a sweep killed (SIGKILL) mid-trial resumes that trial from its last epoch and records exactly what an uninterrupted run records', { timeout: 90_000 }, async () => {
  const dir = tmp();
  const driver = path.join(dir, 'driver.mts');
  fs.writeFileSync(driver, DRIVER);
  const killed = path.join(dir, 'killed'), clean = path.join(dir, 'clean');

  // 1. Start the sweep; SIGKILL it (the parent) once fine-tuning epoch 3 is reported.
  let workers: number[] = [];
  const first = runDriver(driver, killed, (l) => {
    if (l.phase === 'finetune' && l.epoch === 3) {
      workers = childrenOf(first.pid);
      process.kill(first.pid, 'SIGKILL');
    }
  });
  const uninterrupted = runDriver(driver, clean);
  const r1 = await first.done;
  assert.equal(r1.lines.at(-1)?.event, 'epoch', `killed mid-trial: ${r1.stderr}`);
  assert.ok(workers.length > 0, 'the worker process was found');
  // The orphaned worker notices the lost parent at its next epoch boundary and exits.
  for (let t = 0; workers.some(alive) && t < 100; t++) await sleep(50);
  assert.ok(!workers.some(alive), 'the orphaned worker exited');

  const store = new RunStore(path.join(killed, 'resume'));
  assert.equal(store.listHashes().length, 0, 'no record for the unfinished trial');
  const [hash] = fs.readdirSync(path.join(killed, 'resume', 'checkpoints'));
  const resumeFile = path.join(store.checkpointDir(hash!), RESUME_FILE);
  const saved = (JSON.parse(readCheckpoint(resumeFile).metadata['state']!) as { epoch: number }).epoch;
  assert.ok(saved >= 3 && saved < 12, `the resume state holds epoch ${saved}`);

  // 2. Re-run: the trial continues after epoch `saved`, without pre-training again.
  const r2 = await runDriver(driver, killed).done;
  assert.equal(r2.code, 0, r2.stderr);
  const epochs = r2.lines.filter((l) => l.event === 'epoch');
  assert.deepEqual(epochs.map((l) => `${l.phase}:${l.epoch}`), Array.from({ length: 12 - saved }, (_, i) => `finetune:${saved + 1 + i}`));
  assert.deepEqual(r2.lines.at(-1), { event: 'done', ran: 1, skipped: 0 });
  assert.equal(fs.existsSync(resumeFile), false, 'the resume state is removed once the trial completes');

  // 3. Identical to the uninterrupted run: record (but wall-clock times) and final weights, bit for bit.
  const r3 = await uninterrupted.done;
  assert.equal(r3.code, 0, r3.stderr);
  assert.equal(r3.lines.filter((l) => l.phase === 'finetune').length, 12);
  const a = store.read(hash!), b = new RunStore(path.join(clean, 'resume')).read(hash!);
  assert.ok(a && b);
  assert.equal(a.result!.history.length, 13, 'one pre-training epoch and twelve fine-tuning epochs');
  assert.deepEqual(essence(a), essence(b));
  assert.deepEqual(fs.readFileSync(path.join(store.checkpointDir(hash!), FINAL_FILE)), fs.readFileSync(path.join(clean, 'resume', 'checkpoints', hash!, FINAL_FILE)));

  // 4. A finished trial never runs again.
  const r4 = await runDriver(driver, killed).done;
  assert.deepEqual(r4.lines, [{ event: 'done', ran: 0, skipped: 1 }]);
});
