import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runTrial } from '../../src/train/trial.ts';
import { resolveTrialConfig, type TrialConfigInput } from '../../src/train/config.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { hashedConfig, trialHash } from '../../src/experiments/hash.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** A tiny online trial: 3,000 stream examples in 3 blocks, 20 hidden units, no pre-training. */
const tiny = (online: Record<string, unknown> = {}, rest: Partial<TrialConfigInput> = {}): TrialConfigInput => ({
  seed: 3,
  backend: 'reference',
  data: { name: 'infinite-mnist', testSize: 500 },
  model: { hidden: 20 },
  finetune: { lr: 0.1 },
  online: { examples: 3000, blockSize: 1000, window: 1000, selectWindow: 1000, checkpointEvery: 400, ...online },
  ...rest,
});

const values = (r: TrialResult): Record<string, number>[] => r.history.map((h) => h.values);
const tensorsOf = (path: string): Record<string, number[]> => Object.fromEntries([...readCheckpoint(path).tensors].map(([k, t]) => [k, [...t.data]]));

describe('runOnlineTrial (runTrial with an online section)', () => {
  const dir = tempDir();
  let whole: TrialResult;

  test('trains online from InfiniteMNIST end to end: one history entry per block, final.valid = the last selectWindow examples, Fig. 12 and 13 outputs', { timeout: 60_000 }, async () => {
    whole = await runTrial(tiny({ trainErrorBlocks: 3, saveTestOutputs: true }), { checkpointDir: join(dir, 'whole') });
    const v = values(whole);
    assert.deepEqual(v.map((b) => [b['examplesSeen'], b['streamPosition']]), [[1000, 1000], [2000, 2000], [3000, 3000]]);
    assert.ok(whole.history.every((h) => h.phase === 'finetune'));
    assert.equal(whole.bestEpoch, 3);
    assert.equal(whole.epochsRun, 3);
    assert.ok(v[2]!['blockError']! < 0.8 * v[0]!['blockError']!, `it learns: ${v.map((b) => b['blockError'])}`);
    assert.deepEqual(whole.final.valid, { error: v[2]!['blockError'], nll: v[2]!['blockNll'] }, 'selectWindow = the last block here');
    assert.ok(Math.abs(whole.final.train.error - (v[0]!['blockError']! + v[1]!['blockError']! + v[2]!['blockError']!) / 3) < 1e-12);
    assert.deepEqual(whole.final.test, { error: v[2]!['testError'], nll: v[2]!['testNll'] }, 'the test set after training');
    const online = whole.analysis!.online!;
    assert.equal(online.examples, 3000);
    assert.equal(online.pretrainExamples, 0);
    assert.equal(online.supervisedExamples, 3000);
    assert.ok(online.examplesPerSecond.finetune > 0);
    assert.equal(online.trainErrorByBlock!.length, 3);
    assert.ok(online.trainErrorByBlock!.every((e) => e < v[0]!['blockError']!), 'the trained network beats its own first-block online error on the examples it saw');
    const outputs = readCheckpoint(join(dir, 'whole', online.testOutputs!)).tensors.get('outputs')!;
    assert.deepEqual(outputs.shape, [500, 10]);
    assert.ok(Math.abs(Array.from(outputs.data.subarray(0, 10)).reduce((s, p) => s + p, 0) - 1) < 1e-5, 'softmax rows');
    assert.ok(existsSync(join(dir, 'whole', 'final.safetensors')));
    assert.ok(!existsSync(join(dir, 'whole', 'online.safetensors')), 'the intermediate checkpoint is deleted');
    assert.equal(readCheckpoint(join(dir, 'whole', 'final.safetensors')).metadata['config'], JSON.stringify(whole.config));
  });

  test('a trial killed mid-run resumes from online.safetensors to bit-identical weights, history and scores', { timeout: 60_000 }, async () => {
    const d = join(dir, 'killed');
    const stop = new Error('killed');
    await assert.rejects(runTrial(tiny({ trainErrorBlocks: 3, saveTestOutputs: true }), { checkpointDir: d, hooks: { onEpoch: (m) => { if (m.epoch === 2) throw stop; } } }), (e) => e === stop);
    assert.ok(existsSync(join(d, 'online.safetensors')));
    let started = false;
    const r = await runTrial(tiny({ trainErrorBlocks: 3, saveTestOutputs: true }), { checkpointDir: d, resume: true, hooks: { onStart: () => void (started = true) } });
    assert.equal(started, false);
    assert.deepEqual(values(r), values(whole));
    assert.deepEqual(r.final, whole.final);
    assert.deepEqual(r.analysis!.online!.trainErrorByBlock, whole.analysis!.online!.trainErrorByBlock);
    assert.deepEqual(tensorsOf(join(d, 'final.safetensors')), tensorsOf(join(dir, 'whole', 'final.safetensors')));
    assert.deepEqual(tensorsOf(join(d, 'test-outputs.safetensors')), tensorsOf(join(dir, 'whole', 'test-outputs.safetensors')));
  });

  test('resume refuses the online state of another trial config', { timeout: 60_000 }, async () => {
    const d = join(dir, 'other');
    const stop = new Error('killed');
    await assert.rejects(runTrial(tiny({ testEvery: 0 }), { checkpointDir: d, hooks: { onEpoch: () => { throw stop; } } }), (e) => e === stop);
    await assert.rejects(runTrial(tiny({ testEvery: 0 }, { finetune: { lr: 0.05 } }), { checkpointDir: d, resume: true }), /cannot resume from .*online\.safetensors: it was written by a different trial config/);
  });

  test('online.resample: draw 0 is the stream in order; draw 1 of block 1 changes the examples of that block only', { timeout: 60_000 }, async () => {
    const base = await runTrial(tiny({ testEvery: 0 }));
    const draw0 = await runTrial(tiny({ testEvery: 0, resample: { blocks: 3, block: 1, draw: 0 } }));
    assert.deepEqual(values(draw0), values(base));
    const draw1 = await runTrial(tiny({ testEvery: 0, resample: { blocks: 3, block: 1, draw: 1 } }));
    assert.deepEqual(draw1.history[0]!.values, base.history[0]!.values, 'block 0 is the same examples');
    assert.notEqual(draw1.history[1]!.values['blockNll'], base.history[1]!.values['blockNll'], 'block 1 is fresh examples');
    assert.ok(base.history.every((h) => h.values['testError'] === undefined), 'testEvery 0: no test pass during training');
  });

  test('configs the online setting cannot run are refused before training, naming the key and the fix', async () => {
    const refused = async (cfg: TrialConfigInput, re: RegExp): Promise<void> => {
      await assert.rejects(runTrial(cfg), (e: Error) => e.name === 'ConfigError' && re.test(e.message), String(re));
    };
    await refused(tiny({}, { data: { name: 'infinite-mnist', trainSize: 1000 } }), /data\.trainSize is 1000 .*set data\.trainSize to null/);
    await refused(tiny({}, { data: { name: 'mnist' } }), /data\.name is 'mnist' but online training needs a stream; allowed with online: 'infinite-mnist'/);
    await refused(tiny({}, { finetune: { lrDecay: 0.01 } }), /finetune\.lrDecay is 0\.01 but online training uses a constant learning rate .*set finetune\.lrDecay to 0/);
    await refused(tiny({}, { finetune: { batchSize: 3 } }), /online\.blockSize is 1000 but must be a multiple of finetune\.batchSize 3/);
    await refused(tiny({ resample: { blocks: 7, block: 0, draw: 1 } }), /online\.resample\.blocks is 7 but online\.examples 3000 is not a multiple/);
    await refused(tiny({ resample: { blocks: 3, block: 3, draw: 1 } }), /online\.resample\.block is 3; allowed: -1 \(none\) or 0\.\.2/);
    await refused(tiny({ examples: 100, pretrainFraction: 0.01 }, { pretrain: { kind: 'sdae', batchSize: 10 } }), /online\.pretrainFraction 0\.01 .*less than one minibatch/);
    await refused(tiny({}, { analysis: { weightChange: true } }), /analysis: the in-trial analyses .* do not run with online/);
    await assert.rejects(runTrial(tiny({ examples: 0 })), /online\.examples/);
  });

  test('the online section enters a trial hash only when set, so existing trials keep theirs', () => {
    const plain = resolveTrialConfig({ data: { name: 'infinite-mnist' } });
    assert.equal(JSON.stringify(hashedConfig(plain)).includes('online'), false);
    const a = resolveTrialConfig(tiny()), b = resolveTrialConfig(tiny({ window: 500 }));
    assert.notEqual(trialHash(a), trialHash(b));
    assert.notEqual(trialHash(a), trialHash(resolveTrialConfig({ ...tiny(), online: undefined })));
  });
});
