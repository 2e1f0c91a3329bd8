import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { planStudy, runExperiment } from '../../src/experiments/runner.ts';
import { RunStore } from '../../src/experiments/store.ts';
import { TrialClaims } from '../../src/experiments/claim.ts';
import { runStoredTrial } from '../../src/experiments/stored-trial.ts';
import { studyStatus, findStores } from '../../src/experiments/study-status.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';
import { createReferenceBackend } from '../../src/backends/index.ts';
import { failingExecutor } from '../helpers/failing-executor.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SYNTH = path.join(here, '..', 'fixtures', 'experiments', 'synthetic-trial.ts');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-shared-'));
const small = () => resolveExperiment(toy, { overrides: { depth: [1], pretrain: ['none'], lr: [0.1], seeds: 3 } });

/** An executor like the queue's: goes on after failures, which it reports as TrialFailedError after 3 attempts. */
const flaky = failingExecutor({ failSeed: 2, message: 'worker said: out of memory', attempts: 3, log: 'line 1\nline 2: killed', job: 'job-2', checkpoints: true });

test('an executor that goes on after failures: the failed trial gets a failure file with its log, the others records', async () => {
  const runsDir = tmp();
  const s = await runExperiment(small(), { runsDir, executor: flaky });
  assert.equal(s.ran, 2);
  assert.equal(s.failed.length, 1);
  const store = new RunStore(s.storeDir);
  const failures = store.readFailures();
  assert.equal(failures.size, 1);
  const f = [...failures.values()][0]!;
  assert.equal(f.seed, 2);
  assert.equal(f.attempts, 3);
  assert.equal(f.executor, 'queue');
  assert.equal(f.job, 'job-2');
  assert.match(f.message, /out of memory/);
  assert.match(f.log!, /killed/);
  assert.equal(store.listHashes().length, 2, 'no record for the failed trial: it stays missing');
  const st = studyStatus(s.storeDir)!;
  assert.equal(st.done, 2);
  assert.equal(st.failed.length, 1);
  assert.equal(st.remaining, 1);
  // A rerun retries it; once it succeeds its failure file goes.
  const again = await runExperiment(small(), { runsDir, trial: synthetic });
  assert.equal(again.ran, 1);
  assert.equal(store.readFailures().size, 0);
  assert.equal(studyStatus(s.storeDir)!.complete, true);
});

test("status in the selection phase counts the evaluation phase to come and gives the whole study's ETA", async () => {
  const exp = resolveExperiment(toy, { overrides: { depth: [1, 2], pretrain: ['none'], lr: [0.1, 0.2] }, seeds: 3, protocol: { selection: 'fresh-seeds', selectionSeeds: 2 } });
  const executor = failingExecutor({ failSeed: 100001, message: 'lost', attempts: 1, log: null });
  const runsDir = tmp();
  await assert.rejects(runExperiment(exp, { runsDir, executor }), /4 selection trial\(s\) failed/, 'selection seed 100001 of 2 cells x 2 rates');
  const storeDir = path.join(runsDir, 'toy');
  const st = studyStatus(storeDir)!;
  assert.equal(st.phase, 'selection');
  assert.equal(st.planned, 8);
  assert.equal(st.next!.evaluationTrials, 6, '2 cells x 3 evaluation seeds');
  assert.ok(Math.abs(st.next!.studyEtaSeconds! - (4 + 6) * st.meanSeconds!) < 1e-9, 'the 4 failed selection trials and the 6 to come, one at a time');
  const plans: { phase: string; toRun: number; evaluationTrials?: number }[] = [];
  const done = await runExperiment(exp, { runsDir, trial: synthetic, events: { onPlan: (i) => void plans.push(i) } });
  assert.equal(done.ran, 4 + 6);
  assert.deepEqual(plans.map((p) => [p.phase, p.toRun, p.evaluationTrials]), [['selection', 4, 6], ['evaluation', 6, undefined]], "run's plan line says what follows the selection phase too");
  assert.equal(studyStatus(storeDir)!.next, null, 'no phase after evaluation');
});

test('with the local pool a failing trial still stops the run, and its failure file is written', async () => {
  process.env.SYNTH_FAIL_SEED = '3';
  try {
    const runsDir = tmp();
    await assert.rejects(runExperiment(small(), { runsDir, trial: synthetic }), /synthetic failure of seed 3[\s\S]*re-run the same command/);
    const f = [...new RunStore(path.join(runsDir, 'toy')).readFailures().values()];
    assert.equal(f.length, 1);
    assert.equal(f[0]!.seed, 3);
    assert.equal(f[0]!.executor, 'local');
  } finally {
    delete process.env.SYNTH_FAIL_SEED;
  }
});

test("a trial claimed by another live owner is left to it, and the run says so", async () => {
  const runsDir = tmp();
  const exp = small();
  const store = new RunStore(path.join(runsDir, 'toy'));
  store.init();
  const plan = planStudy(exp, store);
  const held = new TrialClaims(store.dir);
  fs.mkdirSync(held.dir, { recursive: true });
  // A Slurm task on another node holds the first trial.
  fs.writeFileSync(held.pathOf(plan.todo[0]!.hash), JSON.stringify({ pid: 4242, host: 'node-3', startedAt: 'x', command: '', hash: plan.todo[0]!.hash, executor: 'slurm', job: '11_0', leaseMs: 120_000 }));
  const warnings: string[] = [];
  const s = await runExperiment(exp, { runsDir, trial: synthetic, events: { onWarn: (m) => warnings.push(m) } });
  assert.equal(s.ran, 2);
  assert.equal(s.claimed, 1);
  assert.ok(warnings.some((w) => /another owner \(slurm job 11_0, pid 4242 on node-3\)/.test(w)), warnings.join('\n'));
  const st = studyStatus(store.dir)!;
  assert.equal(st.running.length, 1);
  assert.equal(st.running[0]!.owner.job, '11_0');
});

test('--keep-networks none keeps records and no final network; selected keeps only the chosen setting', async () => {
  const none = await runExperiment(small(), { runsDir: tmp(), trial: synthetic, keepNetworks: 'none' });
  const storeN = new RunStore(none.storeDir);
  for (const h of storeN.listHashes()) assert.equal(fs.existsSync(path.join(storeN.checkpointDir(h), 'final.safetensors')), false);
  assert.equal(storeN.listHashes().length, 3);
  const exp = resolveExperiment(toy, { overrides: { depth: [1], pretrain: ['none'], lr: [0.1, 0.02], seeds: 2 } });
  const sel = await runExperiment(exp, { runsDir: tmp(), trial: synthetic, keepNetworks: 'selected' });
  const store = new RunStore(sel.storeDir);
  const chosenLr = sel.cells[0]!.chosen['finetune.lr'];
  for (const r of sel.records.values()) {
    const kept = fs.existsSync(path.join(store.checkpointDir(r.hash), 'final.safetensors'));
    assert.equal(kept, r.config.finetune.lr === chosenLr, `lr ${r.config.finetune.lr}: kept ${kept}`);
  }
});

test('the plan reports the expected disk use of the kept networks', async () => {
  const plans: { diskBytes?: number }[] = [];
  await runExperiment(small(), { runsDir: tmp(), trial: synthetic, events: { onPlan: (p) => void plans.push(p) } });
  // 3 trials of a 784-16-10 net: (785*16 + 17*10) floats + metadata each.
  const one = (785 * 16 + 17 * 10) * 4 + 8 * 1024;
  assert.equal(plans[0]!.diskBytes, 3 * one);
});

test('records written for another experiment or by another package version are ignored with a warning', async () => {
  const runsDir = tmp();
  const first = await runExperiment(small(), { runsDir, trial: synthetic });
  const store = new RunStore(first.storeDir);
  const [h1, h2] = store.listHashes();
  const r1 = store.read(h1!)!;
  store.write({ ...r1, experiment: 'someone-else' });
  const r2 = store.read(h2!)!;
  store.write({ ...r2, code: { ...r2.code, package: 'pretrain-lab@0.0.1' } });
  const warnings: string[] = [];
  const again = await runExperiment(small(), { runsDir, trial: synthetic, events: { onWarn: (m) => warnings.push(m) } });
  assert.equal(again.ran, 2);
  assert.ok(warnings.some((w) => /experiment 'someone-else'/.test(w)));
  assert.ok(warnings.some((w) => /pretrain-lab@0\.0\.1.*not be comparable/.test(w)));
});

test('runStoredTrial: runs a trial into the shared store once; a second writer finds its record', async () => {
  const runsDir = tmp();
  const exp = small();
  const store = new RunStore(path.join(runsDir, 'toy'));
  fs.mkdirSync(store.dir, { recursive: true });
  const plan = planStudy(exp, store);
  const t = plan.todo[0]!;
  const out = await runStoredTrial(store.dir, exp.id, t, { executor: 'slurm', job: '5_0', trial: { module: SYNTH } });
  assert.equal(out, 'done');
  assert.equal(store.read(t.hash)!.result!.final.test.error > 0, true);
  assert.equal(new TrialClaims(store.dir).live().size, 0, 'the claim is released');
  assert.equal(await runStoredTrial(store.dir, exp.id, t, { executor: 'slurm', trial: { module: SYNTH } }), 'exists');
  // The coordinator's rerun reuses it.
  const s = await runExperiment(exp, { runsDir, trial: synthetic });
  assert.equal(s.ran, 2);
});

test('runStoredTrial: a failing trial leaves a failure file with the tail of its log', async () => {
  const dir = tmp();
  const exp = small();
  const store = new RunStore(dir);
  const plan = planStudy(exp, store);
  const t = plan.todo.find((x) => x.seed === 1)!;
  const log = path.join(dir, 'task.log');
  fs.writeFileSync(log, 'starting\nloading data\n');
  process.env.SYNTH_FAIL_SEED = '1';
  try {
    const out = await runStoredTrial(dir, exp.id, t, { executor: 'slurm', job: '9_1', logPath: log, trial: { module: SYNTH } });
    assert.equal(out, 'failed');
  } finally {
    delete process.env.SYNTH_FAIL_SEED;
  }
  const f = store.readFailures().get(t.hash)!;
  assert.match(f.message, /synthetic failure of seed 1/);
  assert.match(f.log!, /loading data/);
  assert.equal(f.logPath, log);
  assert.equal(f.job, '9_1');
});

test('runStoredTrial: interrupted (SIGTERM-like abort) mid-trial keeps no record and releases its claim', async () => {
  const dir = tmp();
  const exp = small();
  const store = new RunStore(dir);
  const t = planStudy(exp, store).todo[0]!;
  const ac = new AbortController();
  process.env.SYNTH_DELAY_MS = '200';
  try {
    setTimeout(() => ac.abort(), 400);
    const out = await runStoredTrial(dir, exp.id, t, { executor: 'slurm', signal: ac.signal, trial: { module: SYNTH } });
    assert.equal(out, 'interrupted');
  } finally {
    delete process.env.SYNTH_DELAY_MS;
  }
  assert.equal(store.read(t.hash), null);
  assert.equal(new TrialClaims(dir).holder(t.hash), null);
});

test('findStores: a store itself, or every store under a runs directory', async () => {
  const runsDir = tmp();
  await runExperiment(small(), { runsDir, trial: synthetic });
  assert.deepEqual(findStores(runsDir), [path.join(runsDir, 'toy')]);
  assert.deepEqual(findStores(path.join(runsDir, 'toy')), [path.join(runsDir, 'toy')]);
  assert.deepEqual(findStores(path.join(runsDir, 'nothing')), []);
});

test('a trial is claimed when it starts, not while it waits: never more live claims than trials running', async () => {
  const runsDir = tmp();
  const exp = resolveExperiment(toy, { overrides: { depth: [1, 3], pretrain: ['none'], lr: [0.1], seeds: 3 } });
  const seen: number[] = [];
  const storeDir = path.join(runsDir, 'toy');
  const s = await runExperiment(exp, {
    runsDir,
    executor: async () => ({
      workers: 2,
      onFailure: 'stop',
      exec: async (job, ev) => {
        ev.onStart?.();
        seen.push(new TrialClaims(storeDir).live().size);
        await new Promise((r) => setTimeout(r, 20));
        return { kind: 'done', result: await synthetic(job.config, {}), variant: createReferenceBackend().variant };
      },
      close: () => {},
    }),
  });
  assert.equal(s.ran, 6);
  assert.equal(seen.length, 6);
  assert.ok(Math.max(...seen) <= 2, `live claims seen at each start: ${seen.join(', ')}`);
  assert.ok(Math.max(...seen) === 2, 'two lanes did run at once');
});
