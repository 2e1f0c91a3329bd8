import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';
import { mlpSpec } from '../../src/train/model-spec.ts';
import { pretrainOnSource, SOURCE_FILE } from '../../src/train/source-pretrain.ts';
import { runTrial } from '../../src/train/trial.ts';
import { loadData } from '../../src/data/load.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const small = { trainSize: 150, validSize: 40, testSize: 40 };
const source = { name: 'mnist', labels: [0, 1, 2, 3, 4], ...small };
const targetData = { name: 'mnist', labels: [5, 6, 7, 8, 9], ...small };
const input = {
  seed: 3,
  data: targetData,
  model: { depth: 2, hidden: 16, activation: 'relu', init: 'he' },
  pretrain: { kind: 'supervised', source, layers: 1, epochs: 2, lr: 0.05, batchSize: 10 },
  finetune: { epochs: 1, lr: 0.05, batchSize: 10, patience: null },
} as const;

describe('supervised pre-training on a source task (transfer)', () => {
  test('data.labels keeps those classes, relabelled by position', async () => {
    const d = await loadData({ ...targetData, binarize: 'none' }, 1);
    assert.equal(d.train.nClasses, 5);
    assert.equal(d.train.n, 150);
    assert.ok(d.train.y.every((y) => y >= 0 && y < 5));
    assert.ok(new Set(d.test.y).size > 1);
    await assert.rejects(loadData({ name: 'mnist', labels: [3, 10], trainSize: null, validSize: null, testSize: null, binarize: 'none' }, 1), /data.labels lists 10 but mnist has classes 0..9/);
  });

  test('the bottom k layers come from the source network, the rest stay as drawn; deterministic', async () => {
    const cfg = resolveTrialConfig(input);
    const be = createReferenceBackend('float32');
    const data = await loadData(cfg.data, cfg.seed);
    const make = (): Mlp => Mlp.create(be, mlpSpec(cfg.model, data.train), new Rng(3).fork('init'));
    const fresh = make(), a = make(), b = make();
    const r = await pretrainOnSource({ cfg, backend: be, root: new Rng(3), target: a, k: 1 });
    await pretrainOnSource({ cfg, backend: be, root: new Rng(3), target: b, k: 1 });
    assert.equal(r.history.length, 2);
    assert.ok(r.history.every((h) => h.phase === 'pretrain' && Number.isFinite(h.values['validError'])));
    assert.notDeepEqual(a.hidden[0]!.W.toFloat32Array(), fresh.hidden[0]!.W.toFloat32Array());
    assert.deepEqual(a.hidden[1]!.W.toFloat32Array(), fresh.hidden[1]!.W.toFloat32Array());
    assert.deepEqual(a.output.W.toFloat32Array(), fresh.output.W.toFloat32Array());
    assert.deepEqual(a.getFlat(), b.getFlat());
  });

  test('a finished source network is kept and reused on resume; the trial cleans it up', async () => {
    const cfg = resolveTrialConfig(input);
    const be = createReferenceBackend('float32');
    const data = await loadData(cfg.data, cfg.seed);
    const dir = tempDir('source');
    const a = Mlp.create(be, mlpSpec(cfg.model, data.train), new Rng(3).fork('init'));
    const b = Mlp.create(be, mlpSpec(cfg.model, data.train), new Rng(3).fork('init'));
    const first = await pretrainOnSource({ cfg, backend: be, root: new Rng(3), target: a, k: 2, checkpointDir: dir });
    assert.ok(existsSync(join(dir, SOURCE_FILE)));
    const again = await pretrainOnSource({ cfg, backend: be, root: new Rng(3), target: b, k: 2, checkpointDir: dir, resume: true });
    assert.deepEqual(again.history, first.history);
    assert.deepEqual(b.getFlat(), a.getFlat());
    const trialDir = tempDir('source-trial');
    const res = await runTrial(input, { backend: be, checkpointDir: trialDir });
    assert.ok(!existsSync(join(trialDir, SOURCE_FILE)));
    assert.equal(res.history.filter((h) => h.phase === 'pretrain').length, 2);
    assert.ok(res.final.test.error < 0.8);
  });

  test('bad source settings are refused before training', async () => {
    const be = createReferenceBackend('float32');
    await assert.rejects(runTrial({ ...input, pretrain: { kind: 'supervised' } }, { backend: be }), /pretrain.source is not set/);
    await assert.rejects(runTrial({ ...input, pretrain: { kind: 'none', source } }, { backend: be }), /pretrain.source is set but pretrain.kind is 'none'/);
    await assert.rejects(runTrial({ ...input, pretrain: { ...input.pretrain, source: { name: 'shapeset' } } }, { backend: be }), /has 100 features per example but the target data has 784/);
  });
});
