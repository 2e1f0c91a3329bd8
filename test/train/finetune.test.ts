import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { evaluate, predict } from '../../src/train/evaluate.ts';
import { finetuneConfigSchema, type FinetuneConfig } from '../../src/train/config.ts';
import { DivergenceError } from '../../src/train/divergence.ts';
import { finetune } from '../../src/train/finetune.ts';
import type { EpochMetrics } from '../../src/train/hooks.ts';
import { toySplits } from '../helpers/toy-data.ts';
import type { DataSplits } from '../../src/data/dataset.ts';

const be = createReferenceBackend('float32');
const data = toySplits(1);

function net(seed = 1, activation: 'sigmoid' | 'relu' = 'sigmoid'): Mlp {
  return Mlp.create(be, { nIn: 8, hidden: [6], nClasses: 3, activation, init: 'uniform-fanin' }, new Rng(seed).fork('init'));
}
const cfg = (c: Partial<FinetuneConfig>): FinetuneConfig => finetuneConfigSchema.parse({ batchSize: 5, ...c });
const withoutSeconds = (h: EpochMetrics[]): unknown =>
  h.map(({ seconds: _s, values: { trainSeconds: _t, ...v }, ...m }) => ({ ...m, values: v }));

describe('finetune', () => {
  test('early stopping keeps the network of the best validation epoch, not the last', async () => {
    const model = net();
    const r = await finetune({ model, data, config: cfg({ epochs: 30, lr: 2, patience: 3 }), rng: new Rng(1).fork('order') });
    const errs = r.history.map((h) => h.values['validError']!);
    const firstMin = errs.indexOf(Math.min(...errs)) + 1;
    assert.equal(r.bestEpoch, firstMin);
    assert.ok(r.stoppedEarly && r.epochsRun === r.bestEpoch + 3, `stopped ${r.epochsRun} epochs, best ${r.bestEpoch}`);
    assert.ok(r.bestEpoch < r.epochsRun, 'this setting must make the last epoch worse than the best');
    const best = r.history[r.bestEpoch - 1]!.values;
    assert.deepEqual(evaluate(model, data.valid), { error: best['validError'], nll: best['validNll'] });
    assert.deepEqual(evaluate(model, data.test), r.final.test);
    assert.equal(r.final.test.error, best['testError']);
  });

  test('patience null trains every epoch and keeps the last network', async () => {
    const model = net();
    const r = await finetune({ model, data, config: cfg({ epochs: 7, lr: 2, patience: null }), rng: new Rng(1).fork('order') });
    assert.equal(r.epochsRun, 7);
    assert.equal(r.bestEpoch, 7);
    assert.equal(r.stoppedEarly, false);
    assert.deepEqual(evaluate(model, data.valid).error, r.history[6]!.values['validError']);
  });

  test('every epoch reports train/valid/test NLL and error, lr = lr / (1 + decay t), and exposes the model', async () => {
    const seen: { m: EpochMetrics; outputs: number }[] = [];
    const model = net();
    await finetune({
      model, data, config: cfg({ epochs: 3, lr: 0.4, lrDecay: 0.5, patience: null }), rng: new Rng(1).fork('order'),
      hooks: { onEpoch: (m, ctx) => void seen.push({ m, outputs: predict(ctx!.model!, data.test).length }) },
    });
    assert.deepEqual(seen.map((s) => s.m.epoch), [1, 2, 3]);
    assert.deepEqual(seen.map((s) => s.m.values['lr']), [0.4, 0.4 / 1.5, 0.4 / 2]);
    for (const { m, outputs } of seen) {
      for (const k of ['trainNll', 'trainError', 'validNll', 'validError', 'testNll', 'testError', 'trainObjective']) {
        assert.ok(Number.isFinite(m.values[k]), `${k} at epoch ${m.epoch}`);
      }
      assert.equal(outputs, data.test.n * 3);
    }
    assert.ok(seen[2]!.m.values['trainNll']! < seen[0]!.m.values['trainNll']!, 'training lowers the training NLL');
  });

  test('the same seed gives the same numbers; another order seed gives others; data are not mutated', async () => {
    const before = [Float32Array.from(data.train.x), Int32Array.from(data.train.y)];
    const run = async (seed: number) => {
      const model = net(1);
      const r = await finetune({ model, data, config: cfg({ epochs: 3, lr: 0.5, momentum: 0.5, patience: null }), rng: new Rng(seed).fork('order') });
      return { flat: model.getFlat(), history: withoutSeconds(r.history) };
    };
    const a = await run(1), b = await run(1), c = await run(2);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.flat, c.flat);
    assert.deepEqual(data.train.x, before[0]);
    assert.deepEqual(data.train.y, before[1]);
  });

  test('a huge learning rate raises DivergenceError naming the epoch and the last finite loss', async () => {
    await assert.rejects(
      finetune({ model: net(1, 'relu'), data, config: cfg({ epochs: 3, lr: 1e30, patience: null }), rng: new Rng(1).fork('order') }),
      (e: unknown) => e instanceof DivergenceError && e.epoch === 1 && e.phase === 'finetune' && e.lastFinite !== null && /finetune\.lr/.test(e.message),
    );
  });

  test('2 epochs, then resume for 2 more, equals 4 straight epochs bit for bit (momentum, decay, early stopping)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'finetune-resume-'));
    try {
      const config = cfg({ epochs: 4, lr: 0.8, momentum: 0.9, lrDecay: 0.3, patience: 3, l1: 1e-4, l2: 1e-3 });
      const straightModel = net();
      const straight = await finetune({ model: straightModel, data, config, rng: new Rng(5).fork('order') });

      const path = join(dir, 'resume.safetensors');
      const first = await finetune({ model: net(), data, config, rng: new Rng(5).fork('order'), checkpointPath: path, untilEpoch: 2 });
      assert.equal(first.completed, false);
      assert.equal(first.epochsRun, 2);
      const resumedModel = net(99); // different init: everything must come from the checkpoint
      const resumed = await finetune({ model: resumedModel, data, config, rng: new Rng(5).fork('order'), resumeFrom: path, checkpointPath: path });

      assert.deepEqual(resumedModel.getFlat(), straightModel.getFlat());
      assert.deepEqual(withoutSeconds(resumed.history), withoutSeconds(straight.history));
      assert.equal(resumed.bestEpoch, straight.bestEpoch);
      assert.deepEqual(resumed.final, straight.final);
      await assert.rejects(
        finetune({ model: net(), data, config: { ...config, lr: 0.1 }, rng: new Rng(5).fork('order'), resumeFrom: path }),
        /different model or finetune config/,
      );
      await assert.rejects(
        finetune({ model: net(), data, config, rng: new Rng(6).fork('order'), resumeFrom: path }),
        /resume with the same seed/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every entry records the updates done by its end; evalEvery evaluates only the epochs passing a multiple of it and the last, with the same training numbers', async () => {
    // 200 examples in batches of 5: 40 updates per epoch; 330 updates = 8 epochs and 10 updates.
    const config = cfg({ lr: 0.5, momentum: 0.5, updates: 330, patience: null });
    const allModel = net(), thinModel = net();
    const all = await finetune({ model: allModel, data, config, rng: new Rng(3).fork('order') });
    assert.deepEqual(all.history.map((h) => h.values['updates']), [40, 80, 120, 160, 200, 240, 280, 320, 330]);
    const seen: number[] = [];
    const thin = await finetune({ model: thinModel, data, config: { ...config, evalEvery: 100 }, rng: new Rng(3).fork('order'), hooks: { onEpoch: (m) => void seen.push(m.epoch) } });
    // Epochs 3 (80 -> 120 passes 100), 5 (200), 8 (300) and the last, 9.
    assert.deepEqual(thin.history.map((h) => h.epoch), [3, 5, 8, 9]);
    assert.deepEqual(seen, [3, 5, 8, 9], 'onEpoch is called for the evaluated epochs');
    assert.deepEqual(thin.history.map((h) => h.values['updates']), [120, 200, 320, 330]);
    assert.deepEqual(thinModel.getFlat(), allModel.getFlat(), 'skipping evaluations changes no training number');
    assert.deepEqual(thin.final, all.final);
    for (const h of thin.history) {
      const full = all.history.find((a) => a.epoch === h.epoch)!.values;
      for (const k of ['testError', 'validNll', 'trainError', 'lr']) assert.equal(h.values[k], full[k], `${k} at epoch ${h.epoch}`);
    }
    // trainObjective covers the epochs since the previous entry: epochs 4 and 5 (40 updates each).
    const obj = (e: number): number => all.history.find((a) => a.epoch === e)!.values['trainObjective']!;
    assert.ok(Math.abs(thin.history[1]!.values['trainObjective']! - (obj(4) + obj(5)) / 2) < 1e-12);
    assert.equal(thin.epochsRun, 9);
  });

  test('with evalEvery, a run interrupted between evaluations resumes from the last evaluated epoch and ends bit for bit as the straight run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'finetune-resume-every-'));
    try {
      const config = cfg({ lr: 0.5, momentum: 0.9, updates: 330, patience: null, evalEvery: 100, schedule: 'step', stepsFromEnd: true, multiplier: 1 });
      const straightModel = net();
      const straight = await finetune({ model: straightModel, data, config, rng: new Rng(5).fork('order') });
      const path = join(dir, 'resume.safetensors');
      const first = await finetune({ model: net(), data, config, rng: new Rng(5).fork('order'), checkpointPath: path, untilEpoch: 4 });
      assert.deepEqual(first.history.map((h) => h.epoch), [3], 'epoch 4 was trained but not evaluated');
      const resumedModel = net(99);
      const resumed = await finetune({ model: resumedModel, data, config, rng: new Rng(5).fork('order'), resumeFrom: path, checkpointPath: path });
      assert.deepEqual(resumedModel.getFlat(), straightModel.getFlat());
      assert.deepEqual(withoutSeconds(resumed.history), withoutSeconds(straight.history));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('adam + cosine + warm-up + augmentation + updates, interrupted at epoch 2 and resumed, equals the uninterrupted run bit for bit (optimizer state, augmentation and model streams restored)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'finetune-resume-adam-'));
    try {
      // toy examples as 2x4 images; 200 examples in batches of 5: 40 updates per epoch, 150 updates = 3 epochs and 30 updates
      const images: DataSplits = Object.fromEntries(Object.entries(data).map(([k, d]) => [k, { ...d, image: { height: 2, width: 4 } }])) as unknown as DataSplits;
      const config = cfg({
        optimizer: 'adamw', lr: 0.02, weightDecay: 0.01, l1: 1e-4, schedule: 'cosine', warmup: 30, updates: 150,
        augment: { shift: 1, flip: true }, patience: 3,
      });
      // A model stream, drawn from once per update, stands in for the Network's dropout stream.
      const withStream = (m: Mlp): { model: Mlp; stream: Rng } => {
        const stream = new Rng(5).fork('dropout'), step = m.trainStep.bind(m);
        m.streams = () => ({ dropout: stream });
        m.trainStep = (x, y, o, p) => (stream.uniform(), step(x, y, o, p));
        return { model: m, stream };
      };
      const straight = withStream(net());
      const whole = await finetune({ model: straight.model, data: images, config, rng: new Rng(5).fork('order') });
      assert.equal(whole.epochsRun, 4);

      const path = join(dir, 'resume.safetensors');
      const first = await finetune({ model: withStream(net()).model, data: images, config, rng: new Rng(5).fork('order'), checkpointPath: path, untilEpoch: 2 });
      assert.equal(first.completed, false);
      const resumed = withStream(net(99));
      const rest = await finetune({ model: resumed.model, data: images, config, rng: new Rng(5).fork('order'), resumeFrom: path, checkpointPath: path });

      assert.deepEqual(resumed.model.getFlat(), straight.model.getFlat());
      assert.deepEqual(withoutSeconds(rest.history), withoutSeconds(whole.history));
      assert.deepEqual(rest.final, whole.final);
      assert.deepEqual(resumed.stream.getState(), straight.stream.getState(), 'the model stream continued from its saved position');
      // Without the augmentation the numbers differ: it did act.
      const plain = net();
      await finetune({ model: plain, data: images, config: { ...config, augment: { shift: 0, flip: false } }, rng: new Rng(5).fork('order') });
      assert.notDeepEqual(plain.getFlat(), straight.model.getFlat());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
