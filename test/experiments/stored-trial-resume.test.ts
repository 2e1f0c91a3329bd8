import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import { planStudy } from '../../src/experiments/runner.ts';
import { RunStore } from '../../src/experiments/store.ts';
import { runStoredTrial } from '../../src/experiments/stored-trial.ts';
import { RESUME_FILE } from '../../src/train/trial.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-stored-resume-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const exp = resolveExperiment(
  defineExperiment({
    id: 'stored-resume', paper: 'test', description: 'one multi-epoch trial', backend: 'reference',
    data: { name: 'mnist', trainSize: 500, validSize: 100, testSize: 100 },
    model: { hidden: 24 },
    pretrain: { kind: 'sdae', epochs: 1, lr: 0.01, batchSize: 10 },
    finetune: { epochs: 12, lr: 0.1, batchSize: 10, patience: null },
    scientific: { depth: [1] }, seeds: [5],
  }),
  {},
);

test('a Slurm-style task interrupted mid-fine-tuning (SIGTERM) and run again continues from its checkpoint, bit-identically', { timeout: 180_000 }, async () => {
  // Uninterrupted, in one store.
  const clean = new RunStore(tmp());
  const t = planStudy(exp, clean).todo[0]!;
  assert.equal(await runStoredTrial(clean.dir, exp.id, t, { executor: 'slurm' }), 'done');
  // Interrupted once a fine-tuning epoch's resume file exists, then run again, in another.
  const store = new RunStore(tmp());
  planStudy(exp, store);
  const ac = new AbortController();
  const resumeFile = path.join(store.checkpointDir(t.hash), RESUME_FILE);
  const watch = (async () => {
    while (!fs.existsSync(resumeFile)) await sleep(20);
    ac.abort();
  })();
  assert.equal(await runStoredTrial(store.dir, exp.id, t, { executor: 'slurm', job: '7_0', signal: ac.signal }), 'interrupted');
  await watch;
  assert.equal(store.read(t.hash), null, 'no record for the interrupted trial');
  assert.ok(fs.existsSync(resumeFile), 'its fine-tuning checkpoint stays for the requeued task');
  const saved = JSON.parse(readCheckpoint(resumeFile).metadata['state']!) as { history: { phase: string; values: Record<string, number> }[] };
  const savedFinetune = saved.history.filter((m) => m.phase === 'finetune');
  assert.ok(savedFinetune.length >= 1 && savedFinetune.length < 12, `interrupted after ${savedFinetune.length} fine-tuning epoch(s)`);
  assert.equal(await runStoredTrial(store.dir, exp.id, t, { executor: 'slurm', job: '7_0' }), 'done');
  const a = clean.read(t.hash)!;
  const b = store.read(t.hash)!;
  assert.deepEqual(b.result!.final, a.result!.final);
  const numbers = (r: typeof a): unknown[] => r.result!.history.map((m) => Object.fromEntries(Object.entries(m.values).filter(([k]) => !/seconds/i.test(k))));
  assert.deepEqual(numbers(b), numbers(a), 'every epoch the same, wall-clock times apart');
  assert.equal(fs.existsSync(resumeFile), false, 'the resume file is gone once the trial completes');
  // Continued, not redone: the epochs before the interruption keep the wall-clock times they had
  // when they ran (a run from scratch would have measured new ones).
  const resumedFinetune = b.result!.history.filter((m) => m.phase === 'finetune').slice(0, savedFinetune.length);
  assert.deepEqual(resumedFinetune.map((m) => m.values), savedFinetune.map((m) => m.values));
});
