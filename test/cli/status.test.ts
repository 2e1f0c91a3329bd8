import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { failingExecutor } from '../helpers/failing-executor.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';
import { cli } from '../helpers/run-cli.ts';

test('pretrain-lab status: done / running / failed / remaining and an ETA, as text and as JSON', async () => {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-status-'));
  const exp = resolveExperiment(toy, { overrides: { depth: [1], pretrain: ['none'], lr: [0.1], seeds: 3 } });
  await runExperiment(exp, {
    runsDir,
    executor: failingExecutor({ failSeed: 3, message: 'boom on the worker', attempts: 2, log: 'tail of the log' }),
  });
  const text = await cli('status', runsDir);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /toy/);
  assert.match(text.stdout, /2\/3 done, 0 running, 1 failed, 0 not started/);
  assert.match(text.stdout, /FAILED .*2 attempt\(s\).*boom on the worker/);
  assert.match(text.stdout, /ETA/);
  const json = await cli('status', path.join(runsDir, 'toy'), '--json');
  const s = JSON.parse(json.stdout.trim().split('\n')[0]!) as { done: number; failed: unknown[]; remaining: number; complete: boolean };
  assert.equal(s.done, 2);
  assert.equal(s.failed.length, 1);
  assert.equal(s.remaining, 1);
  assert.equal(s.complete, false);
  const none = await cli('status', path.join(runsDir, 'nope'));
  assert.equal(none.code, 2);
  assert.match(none.stderr, /neither a run store/);
});

test('pretrain-lab worker without --slurm-tasks or --redis says what it needs', async () => {
  const r = await cli('worker');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--slurm-tasks <file>.*--redis <url>/);
});

test('queue flags without --executor queue are a usage error, not silently ignored', async () => {
  const r = await cli('run', 'smoke', '--redis', 'redis://localhost:6379');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--redis only apply with --executor queue/);
});
