import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { finetuneConfigSchema } from '../../src/train/config.ts';
import { finetune } from '../../src/train/finetune.ts';
import { toySplits } from '../helpers/toy-data.ts';

const be = createReferenceBackend('float32');
const data = toySplits(2);
const config = finetuneConfigSchema.parse({ batchSize: 5, epochs: 4, lr: 0.5, patience: null });
const net = (): Mlp => Mlp.create(be, { nIn: 8, hidden: [6], nClasses: 3, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(1).fork('init'));

test('onStart sees the untrained network once, before the first epoch, and not again on resume', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hooks-'));
  try {
    const events: string[] = [];
    let startFlat: Float32Array | null = null;
    const model = net();
    const initial = Float32Array.from(model.getFlat());
    const hooks = {
      onStart: ({ model: m }: { model?: Mlp }) => { events.push('start'); startFlat = Float32Array.from(m!.getFlat()); },
      onEpoch: (e: { epoch: number }) => void events.push(`epoch ${e.epoch}`),
    };
    const checkpointPath = join(dir, 'resume.safetensors');
    await finetune({ model, data, config, rng: new Rng(1).fork('order'), hooks, checkpointPath, untilEpoch: 2 });
    assert.deepEqual(events, ['start', 'epoch 1', 'epoch 2']);
    assert.deepEqual(startFlat, initial);
    await finetune({ model: net(), data, config, rng: new Rng(1).fork('order'), hooks, checkpointPath, resumeFrom: checkpointPath });
    assert.deepEqual(events, ['start', 'epoch 1', 'epoch 2', 'epoch 3', 'epoch 4']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
