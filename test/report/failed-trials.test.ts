import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';
import { failingExecutor } from '../helpers/failing-executor.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';

test('the report lists each trial that failed for good: setting, executor, attempts, why, and its log', async () => {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-failrep-'));
  const exp = resolveExperiment(toy, { overrides: { depth: [1], pretrain: ['none'], lr: [0.1], seeds: 3 } });
  const s = await runExperiment(exp, {
    runsDir,
    executor: failingExecutor({ failSeed: 1, message: 'CUDA? no: <out of memory> on node-4', attempts: 3, log: 'epoch 1\nepoch 2\nKilled', job: 'q-17' }),
  });
  const r = writeReport(s.storeDir);
  const page = fs.readFileSync(r.path, 'utf8');
  assert.match(page, /id="failed-table" data-rows="1"/);
  assert.match(page, /&lt;out of memory&gt; on node-4/, 'the message is escaped');
  assert.match(page, /queue q-17/);
  assert.match(page, /Killed/);
  // Once it succeeds the section goes.
  await runExperiment(exp, { runsDir, trial: synthetic });
  assert.doesNotMatch(fs.readFileSync(writeReport(s.storeDir).path, 'utf8'), /failed-table/);
});
