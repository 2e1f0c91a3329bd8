import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment } from '../../src/experiments/expand.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { runRestartingStale } from '../../src/experiments/stale-state.ts';
import { RunStore } from '../../src/experiments/store.ts';
import { CheckpointError, StaleStateError, writeCheckpoint } from '../../src/train/checkpoint.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';
import { RESUME_FILE } from '../../src/train/trial.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const config = resolveTrialConfig({ seed: 1 });
const result = { final: { test: { error: 0.1 } } } as unknown as TrialResult;

test('a stale state: the checkpoint directory is moved aside intact, the user is told where, and the trial runs once more', async () => {
  const dir = path.join(tempDir('pl-stale-'), 'checkpoints', 'abc');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, RESUME_FILE), 'old state');
  const warnings: string[] = [];
  let calls = 0;
  const fn = async (): Promise<TrialResult> => {
    if (++calls === 1) throw new StaleStateError(`cannot resume from ${path.join(dir, RESUME_FILE)}: it was written by a different trial config; delete it`);
    assert.equal(fs.existsSync(dir), false, 'the second attempt starts without the old directory');
    return result;
  };
  const now = () => new Date('2026-11-30T12:00:00.000Z');
  assert.equal(await runRestartingStale(fn, config, { checkpointDir: dir, resume: true }, (m) => warnings.push(m), now), result);
  assert.equal(calls, 2);
  const aside = `${dir}.stale-2026-11-30T12-00-00-000Z`;
  assert.equal(fs.readFileSync(path.join(aside, RESUME_FILE), 'utf8'), 'old state', 'kept, byte for byte');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /written by a different trial config/);
  assert.ok(warnings[0]!.includes(aside) && /started the trial over/.test(warnings[0]!), warnings[0]);

  // The same moment again: a second aside name, not an overwrite.
  fs.mkdirSync(dir);
  calls = 0;
  await runRestartingStale(fn, config, { checkpointDir: dir, resume: true }, () => {}, now);
  assert.ok(fs.existsSync(`${aside}-2`) && fs.existsSync(aside));
});

test('only a stale state restarts, and only once: other errors, a second stale state and runs without resume propagate untouched', async () => {
  const dir = path.join(tempDir('pl-stale-'), 'h');
  fs.mkdirSync(dir);
  const stale = async (): Promise<TrialResult> => {
    throw new StaleStateError('cannot resume from x: another numeric variant; delete it');
  };
  await assert.rejects(runRestartingStale(stale, config, { checkpointDir: dir, resume: true }, () => {}), StaleStateError, 'twice stale: the second error propagates');
  const left = fs.readdirSync(path.dirname(dir));
  assert.equal(left.filter((f) => f.includes('.stale-')).length, 1, 'moved aside once');

  fs.mkdirSync(dir);
  const corrupt = async (): Promise<TrialResult> => {
    throw new CheckpointError('checkpoint x cannot be read: truncated');
  };
  await assert.rejects(runRestartingStale(corrupt, config, { checkpointDir: dir, resume: true }, () => {}), /truncated/);
  await assert.rejects(runRestartingStale(stale, config, { checkpointDir: dir }, () => {}), StaleStateError, 'no resume asked: nothing to restart');
  assert.ok(fs.existsSync(dir), 'the directory stays where it is');
});

test('a study whose trial directory holds a state of another version finishes the trial from scratch, the same record as a clean run, and warns once', { timeout: 120_000 }, async () => {
  const exp = resolveExperiment(defineExperiment({
    id: 'stale', paper: 'test', description: 'one small real trial', backend: 'reference',
    data: { name: 'mnist', trainSize: 200, validSize: 100, testSize: 100 },
    model: { hidden: 8 },
    pretrain: { kind: 'sdae', epochs: 1, lr: 0.01, batchSize: 10 },
    finetune: { epochs: 2, lr: 0.1, batchSize: 10, patience: null },
    scientific: { depth: [1] }, seeds: [3],
  }), {});
  const [trial] = expandExperiment(exp);
  const stale = tempDir('pl-stale-'), clean = tempDir('pl-stale-');
  const store = new RunStore(path.join(stale, 'stale'));
  const ckDir = store.checkpointDir(trial!.hash);
  fs.mkdirSync(ckDir, { recursive: true });
  // What an older version leaves: a resume state whose config JSON has other keys.
  writeCheckpoint(path.join(ckDir, RESUME_FILE), {}, { kind: 'finetune-resume', config: JSON.stringify({ ...trial!.config, retiredKey: 1 }), state: '{}' });

  const warnings: string[] = [];
  const s = await runExperiment(exp, { runsDir: stale, workers: 1, events: { onWarn: (m) => warnings.push(m) } });
  assert.equal(s.ran, 1);
  const moved = warnings.filter((w) => /moved .* aside/.test(w));
  assert.equal(moved.length, 1, warnings.join('\n'));
  assert.ok(moved[0]!.startsWith(`trial ${trial!.hash.slice(0, 12)}: `), moved[0]);
  const aside = fs.readdirSync(path.dirname(ckDir)).filter((f) => f.startsWith(`${trial!.hash}.stale-`));
  assert.equal(aside.length, 1);
  assert.ok(fs.existsSync(path.join(path.dirname(ckDir), aside[0]!, RESUME_FILE)), 'the old state is kept');

  await runExperiment(exp, { runsDir: clean, workers: 1 });
  const a = store.read(trial!.hash)!, b = new RunStore(path.join(clean, 'stale')).read(trial!.hash)!;
  assert.deepEqual(a.result!.final, b.result!.final, 'the restarted trial computes what a clean run computes');
});

test('the in-process executor (a trial function passed as a function) restarts a stale trial the same way', async () => {
  const exp = resolveExperiment(defineExperiment({ id: 'stale-fn', paper: 'test', description: 'synthetic', scientific: { depth: [1] }, seeds: [1] }), {});
  const [trial] = expandExperiment(exp);
  const runsDir = tempDir('pl-stale-');
  const ckDir = new RunStore(path.join(runsDir, 'stale-fn')).checkpointDir(trial!.hash);
  fs.mkdirSync(ckDir, { recursive: true });
  let calls = 0;
  const fn = async (): Promise<TrialResult> => {
    if (++calls === 1) throw new StaleStateError('cannot resume from y: it was written by a different trial config; delete it');
    const score = { error: 0.1, nll: 0.3 };
    return { final: { train: score, valid: score, test: score }, bestEpoch: 1, epochsRun: 1, history: [], seconds: { pretrain: 0, finetune: 0, total: 0 }, checkpoint: null, backend: 'synthetic', variant: { backend: 'synthetic' } as never };
  };
  const warnings: string[] = [];
  const s = await runExperiment(exp, { runsDir, trial: fn, events: { onWarn: (m) => warnings.push(m) } });
  assert.equal(s.ran, 1);
  assert.equal(calls, 2);
  assert.equal(warnings.filter((w) => /moved .* aside .* started the trial over/.test(w)).length, 1, warnings.join('\n'));
});
