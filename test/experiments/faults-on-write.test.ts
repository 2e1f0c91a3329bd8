/**
 * Faults on write: a full disk while a trial record, a checkpoint (final, resume, pre-trained
 * stack) or the report is written gives an error naming the file and the cause, leaves no torn or
 * temp file, and a re-run once space is freed resumes and ends with the same records as a run that
 * never failed. Broken records in `trials/` (truncated, hand-edited) are reported and re-run.
 * The full disk is simulated through atomicWriteFile's WriteIo (`withWriteIo`), in-process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AtomicWriteError, TEMP_MARK, nodeIo, withWriteIo, type WriteIo } from '../../src/io/atomic-write.ts';
import { resolveExperiment, type ResolvedExperiment } from '../../src/experiments/define.ts';
import { runExperiment, type RunSummary } from '../../src/experiments/runner.ts';
import { RunStore, type TrialRecord } from '../../src/experiments/store.ts';
import type { TrialFunction } from '../../src/experiments/trial-function.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { runTrial } from '../../src/train/trial.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { toySplits } from '../helpers/toy-data.ts';

/**
 * A disk that fills up: the first `skip` writes of files matching `target` succeed; every later
 * one writes part of its data to the temp file, then fails with ENOSPC. `failed` lists the targets.
 */
function fullDisk(target: RegExp, skip = 0): { io: WriteIo; failed: string[] } {
  const failed: string[] = [];
  const failing = new Map<number, string>();
  let seen = 0;
  const io: WriteIo = {
    ...nodeIo,
    openSync: (p, flags) => {
      const fd = nodeIo.openSync(p, flags);
      const file = p.slice(0, p.lastIndexOf(TEMP_MARK));
      if (target.test(file) && seen++ >= skip) failing.set(fd, file);
      return fd;
    },
    writeSync: (fd, data) => {
      const file = failing.get(fd);
      if (file === undefined) return nodeIo.writeSync(fd, data);
      if (!failed.includes(file)) {
        failed.push(file);
        return nodeIo.writeSync(fd, data.subarray(0, Math.max(1, data.length >> 1))); // a torn temp file
      }
      throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
    },
    closeSync: (fd) => {
      failing.delete(fd);
      nodeIo.closeSync(fd);
    },
  };
  return { io, failed };
}

/** Every file under `dir`, relative. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

/** The parts of a record that do not depend on timing or on having been interrupted. */
function essence(r: TrialRecord): unknown {
  return { hash: r.hash, status: r.status, config: r.config, seed: r.seed, final: r.result?.final ?? null, bestEpoch: r.result?.bestEpoch ?? null, epochsRun: r.result?.epochsRun ?? null };
}

function storeEssence(storeDir: string): Record<string, unknown> {
  const store = new RunStore(storeDir);
  return Object.fromEntries(store.listHashes().map((h) => [h, essence(store.read(h)!)]));
}

/** A store after a failed run holds only whole files: parseable records, readable checkpoints, no temp files. */
function assertNoTornFiles(storeDir: string): void {
  const files = filesUnder(storeDir);
  assert.deepEqual(files.filter((f) => f.includes(TEMP_MARK)), [], 'no temp files are left');
  const store = new RunStore(storeDir);
  for (const h of store.listHashes()) assert.ok(store.read(h, (m) => assert.fail(m)), `record ${h} is whole`);
  for (const f of files.filter((f) => f.endsWith('.safetensors'))) readCheckpoint(path.join(storeDir, f));
}

/** The full-disk message: the file, the cause, and what to do. */
function isFullDiskError(e: unknown, file: string): boolean {
  const m = (e as Error).message;
  return m.includes(file) && m.includes('no space left on device') && m.includes('re-run the same command') && m.includes('finished trials are kept');
}

const synthExp = (): ResolvedExperiment => resolveExperiment(toy, { preset: 'quick', overrides: { lr: [0.1] } });

/** Runs `exp` to completion in a fresh runs dir (the reference the resumed runs must equal). */
async function cleanRun(exp: ResolvedExperiment, trial: TrialFunction): Promise<RunSummary> {
  return runExperiment(exp, { runsDir: tempDir('pl-faults-clean-'), trial });
}

/** Fails a run with a full disk on `target`, checks the error and the store, then re-runs with space freed. */
async function failThenResume(exp: ResolvedExperiment, trial: TrialFunction, target: RegExp, skip: number): Promise<{ storeDir: string; failed: string; resumed: RunSummary }> {
  const runsDir = tempDir('pl-faults-');
  const disk = fullDisk(target, skip);
  let error: unknown = null;
  await withWriteIo(disk.io, () => runExperiment(exp, { runsDir, trial })).catch((e: unknown) => (error = e));
  assert.equal(disk.failed.length, 1, `one write failed (${disk.failed.join(', ')})`);
  const failed = disk.failed[0]!;
  assert.ok(error && isFullDiskError(error, failed), `a clear full-disk error naming ${failed}: ${(error as Error)?.message}`);
  assert.ok((error as { cause?: unknown }).cause instanceof AtomicWriteError);
  const storeDir = path.join(runsDir, exp.id);
  // A file written for the first time is absent; a checkpoint replaced each epoch keeps its last whole version (checked below).
  if (!/resume\.safetensors$/.test(failed)) assert.equal(fs.existsSync(failed), false, `no partial ${failed}`);
  assertNoTornFiles(storeDir);
  const resumed = await runExperiment(exp, { runsDir, trial });
  assertNoTornFiles(storeDir);
  return { storeDir, failed, resumed };
}

test('a full disk while writing the third trial record: a clear error naming the record, no torn file, and a re-run completes with the same records', async () => {
  const exp = synthExp();
  const clean = await cleanRun(exp, synthetic);
  const { storeDir, failed, resumed } = await failThenResume(exp, synthetic, /[/\\]trials[/\\]/, 2);
  assert.match(failed, /trials[/\\][0-9a-f]{64}\.json$/);
  assert.equal(resumed.skipped, 2, 'the two records written before the disk filled are kept');
  assert.equal(resumed.ran, clean.ran - 2);
  assert.deepEqual(storeEssence(storeDir), storeEssence(clean.storeDir));
});

test('a full disk while writing a final checkpoint (final.safetensors): a clear error, no partial checkpoint, and a re-run completes with the same records', async () => {
  const exp = synthExp();
  const clean = await cleanRun(exp, synthetic);
  const { storeDir, failed, resumed } = await failThenResume(exp, synthetic, /final\.safetensors$/, 1);
  assert.match(failed, /checkpoints[/\\][0-9a-f]{64}[/\\]final\.safetensors$/);
  assert.equal(resumed.skipped, 1);
  assert.deepEqual(storeEssence(storeDir), storeEssence(clean.storeDir));
});

/** One real (tiny) trial on toy blobs: SDAE pre-training then fine-tuning, checkpointing every epoch. */
const realExp = (): ResolvedExperiment =>
  resolveExperiment(toy, { overrides: { depth: [2], pretrain: ['sdae'], lr: [0.1], seeds: [7], 'finetune.epochs': 4, 'finetune.patience': null, 'pretrain.epochs': 1, hidden: 6, batchSize: 20, pretrainBatchSize: 20 } });
const realTrial: TrialFunction = (config, opts) => runTrial(config, { ...opts, data: toySplits(3, { train: 60, valid: 30, test: 30 }) });

test('a full disk while writing the resume checkpoint of epoch 2: a clear error, epoch 1\'s checkpoint intact, and a re-run resumes to the same result', async () => {
  const exp = realExp();
  const clean = await cleanRun(exp, realTrial);
  const { storeDir, failed, resumed } = await failThenResume(exp, realTrial, /resume\.safetensors$/, 1);
  assert.match(failed, /resume\.safetensors$/);
  assert.equal(resumed.ran, 1);
  assert.deepEqual(storeEssence(storeDir), storeEssence(clean.storeDir));
});

test('a full disk while writing the pre-trained stack (pretrain.safetensors): a clear error, no partial file, and a re-run completes with the same result', async () => {
  const exp = realExp();
  const clean = await cleanRun(exp, realTrial);
  const { storeDir, failed } = await failThenResume(exp, realTrial, /pretrain\.safetensors$/, 0);
  assert.match(failed, /pretrain\.safetensors$/);
  assert.deepEqual(storeEssence(storeDir), storeEssence(clean.storeDir));
});

test('a full disk while writing the report (report.html, or a filter image): a clear error naming the file, the previous report intact, and a re-run writes it', async () => {
  const { storeDir } = await cleanRun(synthExp(), synthetic);
  const html = path.join(storeDir, 'report.html');
  for (const [target, hadReport] of [[/report\.html$/, false], [/filters-.*\.png$/, false], [/report\.html$/, true]] as const) {
    if (hadReport) writeReport(storeDir);
    const before = hadReport ? fs.readFileSync(html, 'utf8') : null;
    const disk = fullDisk(target);
    await assert.rejects(
      withWriteIo(disk.io, () => writeReport(storeDir)),
      (e: Error) => e instanceof AtomicWriteError && e.code === 'ENOSPC' && disk.failed.length === 1 && isFullDiskError(e, disk.failed[0]!),
    );
    assert.equal(hadReport ? fs.readFileSync(html, 'utf8') : fs.existsSync(html), hadReport ? before : false, 'the previous report (or none) is left as it was');
    assert.deepEqual(filesUnder(storeDir).filter((f) => f.includes(TEMP_MARK)), []);
    fs.rmSync(html, { force: true });
    assert.ok(writeReport(storeDir).found > 0);
    assert.ok(fs.readFileSync(html, 'utf8').endsWith('</html>\n'));
    fs.rmSync(html, { force: true });
  }
});

test('truncated and hand-edited records in trials/ are reported naming the file and re-run, not a crash; the store ends as a clean run', async () => {
  const exp = synthExp();
  const clean = await cleanRun(exp, synthetic);
  const runsDir = tempDir('pl-faults-edited-');
  const first = await runExperiment(exp, { runsDir, trial: synthetic });
  const store = new RunStore(first.storeDir);
  const hashes = store.listHashes();
  const text = (h: string): string => fs.readFileSync(store.recordPath(h), 'utf8');
  const rec = (h: string): TrialRecord => JSON.parse(text(h)) as TrialRecord;
  const edits: [string, (h: string) => string][] = [
    ['truncated', (h) => text(h).slice(0, text(h).length >> 1)],
    ['empty', () => ''],
    ['invalid JSON', (h) => text(h).replace('{', '{,')],
    ['JSON null', () => 'null'],
    ['JSON array', () => '[1, 2]'],
    ['wrong hash (an edited config)', (h) => JSON.stringify({ ...rec(h), config: { ...rec(h).config, seed: 999 } })],
    ['another format', (h) => JSON.stringify({ ...rec(h), format: 99 })],
    ['a done record without its result', (h) => JSON.stringify({ ...rec(h), result: undefined })],
    ['a result without its final errors', (h) => JSON.stringify({ ...rec(h), result: { ...rec(h).result, final: undefined } })],
  ];
  const broken = hashes.slice(0, edits.length);
  broken.forEach((h, i) => fs.writeFileSync(store.recordPath(h), edits[i]![1](h)));
  const warnings: string[] = [];
  const again = await runExperiment(exp, { runsDir, trial: synthetic, events: { onWarn: (m) => warnings.push(m) } });
  for (const [i, h] of broken.entries()) {
    assert.ok(warnings.some((w) => w.includes(store.recordPath(h)) && /run again/.test(w)), `${edits[i]![0]}: a warning names ${store.recordPath(h)}`);
  }
  assert.equal(again.ran, broken.length, 'each broken record is re-run');
  assert.deepEqual(storeEssence(first.storeDir), storeEssence(clean.storeDir));
});

test('temp files left by a killed process in a checkpoint folder or figures/ are removed when the store is opened again', () => {
  const store = new RunStore(tempDir('pl-faults-temps-'));
  const dead = `${TEMP_MARK}999999999-0`;
  const left = [path.join(store.checkpointDir('ab'.repeat(32)), `final.safetensors${dead}`), path.join(store.dir, 'figures', `filters-x.png${dead}`)];
  for (const f of left) {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, 'half');
  }
  const mine = path.join(store.checkpointDir('cd'.repeat(32)), `resume.safetensors${TEMP_MARK}${process.pid}-0`);
  fs.mkdirSync(path.dirname(mine), { recursive: true });
  fs.writeFileSync(mine, 'being written');
  store.init();
  for (const f of left) assert.equal(fs.existsSync(f), false, f);
  assert.ok(fs.existsSync(mine), "a live process's temp file is left alone");
});
