import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { RunStore } from '../../src/experiments/store.ts';
import { ConfigError } from '../../src/train/config.ts';
import { estimateTrialMemory, knownDataShape, MEMORY_LIMIT_ENV } from '../../src/train/memory-estimate.ts';
import { expandExperiment } from '../../src/experiments/expand.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SYNTH = path.join(here, '..', 'fixtures', 'experiments', 'synthetic-trial.ts');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-memory-'));

test('run refuses a plan whose largest trial (model.hidden = 2000000) exceeds the memory limit, before any trial starts', async () => {
  const exp = resolveExperiment(toy, { preset: 'quick', overrides: { hidden: 2000000 } });
  let calls = 0;
  const runsDir = tmp();
  await assert.rejects(
    runExperiment(exp, { runsDir, trial: async () => { calls++; throw new Error('must not run'); } }),
    (e: Error) => e instanceof ConfigError && /model\.hidden = 2000000/.test(e.message) && /the largest of the run/.test(e.message) && /--memory-limit/.test(e.message),
  );
  assert.equal(calls, 0);
  assert.equal(new RunStore(path.join(runsDir, 'toy')).listHashes().length, 0);
});

test('run divides the memory limit among its workers: a plan that fits one worker is refused with two', async () => {
  const exp = resolveExperiment(toy, { preset: 'quick', overrides: { depth: [1], pretrain: ['none'], hidden: [4000] } });
  const t = expandExperiment(exp)[0]!;
  const need = estimateTrialMemory(t.config, knownDataShape(t.config.data)!).bytes;
  const saved = process.env[MEMORY_LIMIT_ENV];
  process.env[MEMORY_LIMIT_ENV] = String((1.5 * need) / 2 ** 30); // fits one trial, not two at once
  try {
    await assert.rejects(runExperiment(exp, { runsDir: tmp(), trial: { module: SYNTH }, workers: 2 }), (e: Error) => e instanceof ConfigError && /divided among 2 workers/.test(e.message));
    const one = await runExperiment(exp, { runsDir: tmp(), trial: { module: SYNTH }, workers: 1 });
    assert.ok(one.ran > 0);
  } finally {
    if (saved === undefined) delete process.env[MEMORY_LIMIT_ENV];
    else process.env[MEMORY_LIMIT_ENV] = saved;
  }
});
