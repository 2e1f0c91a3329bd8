/**
 * What a Slurm task sees on requeue or preemption: SIGTERM to every process of the job at once,
 * so the trial's worker process may die of it before the task's own process hears its signal.
 * The trial must count as interrupted (checkpoint kept, no failure file), not as failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveExperiment } from '../../../src/experiments/define.ts';
import { planStudy } from '../../../src/experiments/runner.ts';
import { RunStore } from '../../../src/experiments/store.ts';
import { runStoredTrial } from '../../../src/experiments/stored-trial.ts';
import toy from '../../fixtures/experiments/toy-experiment.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const SYNTH = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'experiments', 'synthetic-trial.ts');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The pids of this process's children (Linux /proc). */
function children(): number[] {
  const dir = `/proc/${process.pid}/task`;
  return fs.readdirSync(dir).flatMap((t) => fs.readFileSync(path.join(dir, t, 'children'), 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
}

test('SIGTERM reaching the trial\'s worker process just before the task\'s own: interrupted, not failed', { skip: process.platform !== 'linux' ? 'needs /proc' : false }, async () => {
  const exp = resolveExperiment(toy, { overrides: { depth: [1], pretrain: ['none'], lr: [0.1], seeds: 1 } });
  const store = new RunStore(path.join(tempDir(), exp.id));
  const [t] = planStudy(exp, store).todo;
  const before = new Set(children());
  process.env['SYNTH_DELAY_MS'] = '400'; // per epoch: the trial runs for seconds
  const survive = (): void => {}; // this test process must outlive the SIGTERM it sends itself
  process.on('SIGTERM', survive);
  try {
    const running = runStoredTrial(store.dir, exp.id, t!, { executor: 'slurm', job: '7_0', trial: { module: SYNTH, export: 'runTrial' } });
    let child: number | undefined;
    for (let i = 0; i < 100 && child === undefined; i++) {
      await sleep(100);
      child = children().find((c) => !before.has(c));
    }
    assert.ok(child, 'the trial runs in a child process');
    await sleep(1500); // into the trial
    process.kill(child, 'SIGTERM'); // slurmstepd signals every process of the job: the child first here
    await sleep(30);
    process.kill(process.pid, 'SIGTERM');
    assert.equal(await running, 'interrupted');
  } finally {
    delete process.env['SYNTH_DELAY_MS'];
    process.off('SIGTERM', survive);
  }
  assert.equal(store.readFailures().size, 0, 'no failure file');
  assert.equal(store.read(t!.hash), null, 'no record: the requeued task runs it');
});
