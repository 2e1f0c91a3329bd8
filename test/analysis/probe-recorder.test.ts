import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { predict } from '../../src/train/evaluate.ts';
import { headExamples } from '../../src/data/batches.ts';
import { finetuneConfigSchema } from '../../src/train/config.ts';
import { finetune } from '../../src/train/finetune.ts';
import { createProbeRecorder, probeVector, readProbeOutputs, PROBE_FILE } from '../../src/analysis/probe-recorder.ts';
import { toySplits } from '../helpers/toy-data.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const be = createReferenceBackend('float32');
const data = toySplits(2);
const probe = headExamples(data.test, 25);
const config = finetuneConfigSchema.parse({ epochs: 4, lr: 0.5, batchSize: 5, patience: null });
const net = (): Mlp => Mlp.create(be, { nIn: 8, hidden: [6], nClasses: 3, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(4).fork('init'));
const tmp = (): string => tempDir('probe-');

describe('probe recorder', () => {
  test('records softmax outputs on the probe set before training and after every epoch, in one side file', async () => {
    const path = join(tmp(), PROBE_FILE);
    const model = net();
    const initial = predict(model, probe);
    const rec = createProbeRecorder({ path, probe });
    rec.record(model, 0);
    const r = await finetune({ model, data, config, rng: new Rng(4).fork('order'), hooks: rec });
    const p = readProbeOutputs(path);
    assert.deepEqual(p.epochs, [0, 1, 2, 3, 4]);
    assert.equal(p.nProbe, 25);
    assert.equal(p.nClasses, 3);
    assert.equal(p.outputs.length, 5 * 25 * 3);
    assert.deepEqual([...p.labels], [...probe.y]);
    assert.deepEqual(probeVector(p, 0), initial);
    assert.deepEqual(probeVector(p, 4), predict(model, probe));
    assert.notDeepEqual(probeVector(p, 1), probeVector(p, 4));
    for (let i = 0; i < 25; i++) {
      const row = probeVector(p, 2).subarray(i * 3, i * 3 + 3);
      assert.ok(Math.abs(row[0]! + row[1]! + row[2]! - 1) < 1e-5, 'each row is a distribution');
    }
    assert.equal(p.values[3]!['testError'], r.history[2]!.values['testError']);
  });

  test('with flushEvery 2 nothing is written until the second record, and no temp file is left', () => {
    const dir = tmp(), path = join(dir, PROBE_FILE);
    const model = net();
    const rec = createProbeRecorder({ path, probe, flushEvery: 2 });
    rec.record(model, 0);
    assert.equal(existsSync(path), false);
    rec.record(model, 1);
    assert.equal(readProbeOutputs(path).epochs.length, 2);
    assert.deepEqual(readdirSync(dir), [PROBE_FILE]);
  });

  test('a resumed fine-tuning run continues the probe file and ends equal to an uninterrupted one', async () => {
    const dir = tmp();
    const straight = join(dir, 'straight.safetensors');
    const m1 = net();
    const r1 = createProbeRecorder({ path: straight, probe });
    r1.record(m1, 0);
    await finetune({ model: m1, data, config, rng: new Rng(4).fork('order'), hooks: r1 });

    const resumed = join(dir, 'resumed.safetensors'), ck = join(dir, 'resume.safetensors');
    const m2 = net();
    const r2 = createProbeRecorder({ path: resumed, probe });
    r2.record(m2, 0);
    await finetune({ model: m2, data, config, rng: new Rng(4).fork('order'), hooks: r2, checkpointPath: ck, untilEpoch: 2 });
    // Pretend the crash came after epoch 3's probe but before its checkpoint: a stale record 3.
    r2.record(m2, 3);
    const m3 = net();
    const r3 = createProbeRecorder({ path: resumed, probe });
    assert.equal(r3.count, 4);
    await finetune({ model: m3, data, config, rng: new Rng(4).fork('order'), hooks: r3, resumeFrom: ck });
    const a = readProbeOutputs(straight), b = readProbeOutputs(resumed);
    assert.deepEqual(b.epochs, a.epochs);
    assert.deepEqual(b.outputs, a.outputs);
  });

  test('continuing a file recorded on another probe set is refused, naming the file', () => {
    const path = join(tmp(), PROBE_FILE);
    createProbeRecorder({ path, probe }).record(net(), 0);
    assert.throws(() => createProbeRecorder({ path, probe: headExamples(data.test, 10) }), /another probe set.*resume: false/);
    assert.equal(createProbeRecorder({ path, probe: headExamples(data.test, 10), resume: false }).count, 0);
  });
});
