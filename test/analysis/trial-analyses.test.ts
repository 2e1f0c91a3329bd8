import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { createTrialAnalyses } from '../../src/analysis/trial-analyses.ts';
import { PROBE_FILE, probeVector, readProbeOutputs } from '../../src/analysis/probe-recorder.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import { ConfigError, resolveTrialConfig, type TrialConfigInput } from '../../src/train/config.ts';
import { runTrial } from '../../src/train/trial.ts';
import { toySplits } from '../helpers/toy-data.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const be = createReferenceBackend('float32');
const data = toySplits(3);
const base: TrialConfigInput = { seed: 2, model: { depth: 2, hidden: 6 }, pretrain: { kind: 'sdae', epochs: 1, batchSize: 10, lr: 0.05 }, finetune: { epochs: 3, batchSize: 10, lr: 0.3, patience: null } };

test('analysis.probe records the outputs on the first N test examples before fine-tuning and after every epoch, and reports its cost', async () => {
  const dir = tempDir('trial-probe-');
  const r = await runTrial({ ...base, analysis: { probe: { examples: 20 } } }, { backend: be, data, checkpointDir: dir, analyses: createTrialAnalyses });
  const p = readProbeOutputs(join(dir, PROBE_FILE));
  assert.deepEqual(p.epochs, [0, 1, 2, 3]);
  assert.equal(p.nProbe, 20);
  assert.deepEqual([...p.labels], [...data.test.y.subarray(0, 20)]);
  assert.notDeepEqual(probeVector(p, 0), probeVector(p, 3));
  assert.equal(r.analysis?.probe?.records, 4);
  assert.equal(r.analysis?.probe?.examples, 20);
  assert.ok(r.analysis!.probe!.seconds > 0 && r.analysis!.probe!.seconds < r.seconds.total);
});

test('recording probe outputs does not change the trained network', async () => {
  const plain = await runTrial(base, { backend: be, data });
  const probed = await runTrial({ ...base, analysis: { probe: { examples: 20 } } }, { backend: be, data, checkpointDir: tempDir('trial-probe-'), analyses: createTrialAnalyses });
  assert.deepEqual(probed.final, plain.final);
  assert.equal(plain.analysis, undefined);
});

test('a config without analyses hashes as before the analysis section existed; one with a probe hashes differently', () => {
  const without = resolveTrialConfig(base);
  const { analysis: _a, ...older } = without;
  assert.equal(trialHash(without), trialHash(older as never));
  assert.notEqual(trialHash(resolveTrialConfig({ ...base, analysis: { probe: { examples: 20 } } })), trialHash(without));
});

test('analysis.probe without an analyses factory is refused with a ConfigError naming the key', async () => {
  await assert.rejects(runTrial({ ...base, analysis: { probe: { examples: 20 } } }, { backend: be, data }), (e: Error) => e instanceof ConfigError && /analysis\.probe/.test(e.message));
});

test('analysis.probe.examples must be a positive integer', () => {
  assert.throws(() => resolveTrialConfig({ analysis: { probe: { examples: 0 } } }), (e: Error) => e instanceof ConfigError && /analysis\.probe\.examples/.test(e.message));
  assert.throws(() => resolveTrialConfig({ analysis: { prob: {} } }), (e: Error) => e instanceof ConfigError && /prob/.test(e.message));
});

test('analysis.probe without a checkpoint directory is refused: the outputs would go nowhere', async () => {
  await assert.rejects(runTrial({ ...base, analysis: { probe: { examples: 20 } } }, { backend: be, data, analyses: createTrialAnalyses }), (e: Error) => e instanceof ConfigError && /checkpoint directory/.test(e.message));
});
