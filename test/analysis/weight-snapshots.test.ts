import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { finetuneConfigSchema, pretrainConfigSchema } from '../../src/train/config.ts';
import { finetune } from '../../src/train/finetune.ts';
import { pretrainStack } from '../../src/train/pretrain.ts';
import { createWeightSnapshots, readWeightSnapshot, weightSnapshotPath } from '../../src/analysis/weight-snapshots.ts';
import { combineHooks } from '../../src/analysis/combine-hooks.ts';
import { toySplits } from '../helpers/toy-data.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const be = createReferenceBackend('float32');
const data = toySplits(6);
const tmp = (): string => tempDir('snap-');

describe('weight snapshots', () => {
  test('saves the chosen parameters at the chosen fine-tuning epochs, equal to the live weights then', async () => {
    const dir = tmp();
    const model = Mlp.create(be, { nIn: 8, hidden: [6, 5], nClasses: 3, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(1).fork('init'));
    const initialW = Float32Array.from(model.hidden[0]!.W.data);
    const snaps = createWeightSnapshots({ dir, at: [0, 3], names: /^hidden\.0\.W$/ });
    snaps.onStart!({ model });
    const config = finetuneConfigSchema.parse({ epochs: 3, lr: 0.5, batchSize: 5, patience: null });
    await finetune({ model, data, config, rng: new Rng(1).fork('order'), hooks: combineHooks(snaps) });
    assert.deepEqual(readdirSync(dir).sort(), ['weights-finetune-e0000.safetensors', 'weights-finetune-e0003.safetensors']);
    const first = readWeightSnapshot(weightSnapshotPath(dir, 'finetune', 0));
    assert.deepEqual([...first.tensors.keys()], ['hidden.0.W']);
    assert.deepEqual(first.tensors.get('hidden.0.W')!.data, initialW);
    const last = readWeightSnapshot(weightSnapshotPath(dir, 'finetune', 3));
    assert.deepEqual(last.tensors.get('hidden.0.W')!.data, model.hidden[0]!.W.data);
    assert.notDeepEqual(last.tensors.get('hidden.0.W')!.data, initialW);
    assert.equal(last.metadata['epoch'], '3');
  });

  test('during pre-training, saves the frozen layers and the layer being trained at its last epoch', async () => {
    const dir = tmp();
    const cfg = pretrainConfigSchema.parse({ kind: 'sdae', epochs: 2, lr: 0.05, batchSize: 5 });
    const snaps = createWeightSnapshots({ dir, at: (m) => m.epoch === 2, phases: ['pretrain'] });
    const stack = await pretrainStack(be, data.train, [6, 4], cfg, new Rng(2).fork('pretrain'), snaps);
    assert.equal(snaps.written.length, 2);
    const top = readWeightSnapshot(weightSnapshotPath(dir, 'pretrain', 2, 1));
    assert.deepEqual([...top.tensors.keys()], ['hidden.0.W', 'hidden.0.b', 'hidden.1.W', 'hidden.1.b']);
    assert.deepEqual(top.tensors.get('hidden.1.W')!.data, stack[1]!.W.data);
    assert.deepEqual(top.tensors.get('hidden.0.b')!.data, stack[0]!.b.data);
  });
});
