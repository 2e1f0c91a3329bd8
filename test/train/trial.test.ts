import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { ConfigError, type TrialConfigInput } from '../../src/train/config.ts';
import { CheckpointError, readCheckpoint } from '../../src/train/checkpoint.ts';
import { PRETRAIN_FILE } from '../../src/train/pretrain-checkpoint.ts';
import type { EpochMetrics } from '../../src/train/hooks.ts';
import { runTrial, RESUME_FILE } from '../../src/train/trial.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { toySplits } from '../helpers/toy-data.ts';

const be = createReferenceBackend('float32');
const toy = toySplits(3);
const mnistSlice = { name: 'mnist', trainSize: 500, validSize: 200, testSize: 300 };
const noSeconds = (h: EpochMetrics[]): unknown => h.map(({ seconds: _s, values: { trainSeconds: _t, ...v }, ...m }) => ({ ...m, values: v }));

function assertWellFormed(r: TrialResult, phases: { pretrain: number; finetune: number }): void {
  for (const split of ['train', 'valid', 'test'] as const) {
    const s = r.final[split];
    assert.ok(s.error >= 0 && s.error <= 1, `${split} error ${s.error}`);
    assert.ok(Number.isFinite(s.nll) && s.nll > 0, `${split} nll ${s.nll}`);
  }
  assert.equal(r.history.filter((h) => h.phase === 'pretrain').length, phases.pretrain);
  assert.equal(r.history.filter((h) => h.phase === 'finetune').length, phases.finetune);
  assert.equal(r.epochsRun, phases.finetune);
  assert.ok(r.bestEpoch >= 1 && r.bestEpoch <= r.epochsRun);
  assert.ok(r.seconds.total >= r.seconds.finetune && r.seconds.finetune > 0);
  assert.match(r.backend, /\S/);
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'trial-'));
}

describe('runTrial', () => {
  test('trains from scratch on a small MNIST slice, returns a well-formed result and a final checkpoint', async () => {
    const dir = tmp();
    try {
      const config: TrialConfigInput = {
        seed: 3, backend: 'reference', data: mnistSlice,
        model: { depth: 1, hidden: 32 }, finetune: { epochs: 3, lr: 0.3, batchSize: 10, patience: null },
      };
      const r = await runTrial(config, { checkpointDir: dir });
      assertWellFormed(r, { pretrain: 0, finetune: 3 });
      assert.ok(r.final.test.error < 0.5, `test error ${r.final.test.error} should beat chance (0.9) by far`);
      assert.equal(r.checkpoint, join(dir, 'final.safetensors'));
      const ck = readCheckpoint(r.checkpoint!);
      assert.deepEqual([...ck.tensors.keys()], ['hidden.0.W', 'hidden.0.b', 'output.W', 'output.b']);
      assert.deepEqual(JSON.parse(ck.metadata['config']!), r.config);
      assert.deepEqual(JSON.parse(ck.metadata['metrics']!).final, r.final);
      assert.equal(existsSync(join(dir, RESUME_FILE)), false, 'the resume state is removed once the trial completes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('pre-trains an SDAE stack on MNIST (tiny epochs), then fine-tunes; pre-training epochs come first in the history', async () => {
    const r = await runTrial(
      {
        seed: 4, backend: 'reference', data: mnistSlice, model: { depth: 2, hidden: 16 },
        pretrain: { kind: 'sdae', epochs: 1, lr: 0.05, batchSize: 10 }, finetune: { epochs: 2, lr: 0.3, batchSize: 10, patience: 5 },
      },
      { backend: be },
    );
    assertWellFormed(r, { pretrain: 2, finetune: 2 });
    assert.deepEqual(r.history.map((h) => h.phase), ['pretrain', 'pretrain', 'finetune', 'finetune']);
    assert.ok(r.seconds.pretrain > 0);
  });

  test('the same seed and config give the same numbers; another seed gives others (histogram init of a pre-trained layer)', async () => {
    const config: TrialConfigInput = {
      seed: 7, model: { depth: 2, hidden: 5 },
      pretrain: { kind: 'dbn', layers: 1, use: 'histogram', epochs: 1, lr: 0.05, batchSize: 5 },
      finetune: { epochs: 3, lr: 0.5, batchSize: 5, patience: 2 },
    };
    const a = await runTrial(config, { backend: be, data: toy });
    const b = await runTrial(config, { backend: be, data: toy });
    const c = await runTrial({ ...config, seed: 8 }, { backend: be, data: toy });
    assert.deepEqual(a.final, b.final);
    assert.deepEqual(noSeconds(a.history), noSeconds(b.history));
    assert.notDeepEqual(noSeconds(a.history), noSeconds(c.history));
  });

  test('an interrupted trial resumed from its checkpoint ends exactly like an uninterrupted one', async () => {
    const dir = tmp();
    try {
      const config: TrialConfigInput = {
        seed: 9, model: { depth: 2, hidden: 6 }, pretrain: { kind: 'sdae', epochs: 1, lr: 0.05, batchSize: 4 },
        finetune: { epochs: 4, lr: 0.5, momentum: 0.8, batchSize: 4, patience: null },
      };
      const straight = await runTrial(config, { backend: be, data: toy });
      const crash = { onEpoch: (m: EpochMetrics) => { if (m.phase === 'finetune' && m.epoch === 2) throw new Error('simulated crash'); } };
      await assert.rejects(runTrial(config, { backend: be, data: toy, checkpointDir: dir, hooks: crash }), /simulated crash/);
      assert.ok(existsSync(join(dir, RESUME_FILE)));
      const resumed = await runTrial(config, { backend: be, data: toy, checkpointDir: dir, resume: true });
      assert.deepEqual(resumed.final, straight.final);
      assert.deepEqual(noSeconds(resumed.history), noSeconds(straight.history));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a trial killed during pre-training resumes from its last finished layer, bit-identically', async () => {
    for (const kind of ['dbn', 'sdae'] as const) {
      const dir = tmp();
      try {
        const config: TrialConfigInput = {
          seed: 11, model: { depth: 3, hidden: 5 }, pretrain: { kind, epochs: 2, lr: 0.05, batchSize: 4, propagate: 'sample' },
          finetune: { epochs: 2, lr: 0.5, batchSize: 4, patience: null },
        };
        const straight = await runTrial(config, { backend: be, data: toy });
        let trainedLayers: number[] = [];
        const crash = {
          onEpoch: (m: EpochMetrics) => {
            trainedLayers.push(m.layer ?? -1);
            if (m.phase === 'pretrain' && m.layer === 2 && m.epoch === 1) throw new Error('simulated crash');
          },
        };
        await assert.rejects(runTrial(config, { backend: be, data: toy, checkpointDir: dir, hooks: crash }), /simulated crash/);
        const saved = readCheckpoint(join(dir, PRETRAIN_FILE));
        assert.deepEqual([...saved.tensors.keys()], ['layer.0.W', 'layer.0.b', 'layer.1.W', 'layer.1.b'], 'the two finished layers are on disk');
        assert.equal(JSON.parse(saved.metadata['history']!).length, 4);
        trainedLayers = [];
        const resumed = await runTrial(config, { backend: be, data: toy, checkpointDir: dir, resume: true, hooks: { onEpoch: (m: EpochMetrics) => void trainedLayers.push(m.layer ?? -1) } });
        assert.deepEqual(trainedLayers.slice(0, 2), [2, 2], `${kind}: only the top layer is pre-trained again`);
        assert.deepEqual(resumed.final, straight.final, kind);
        assert.deepEqual(noSeconds(resumed.history), noSeconds(straight.history), kind);
        assert.equal(existsSync(join(dir, PRETRAIN_FILE)), false, 'the saved stack is removed once the trial completes');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test('a saved stack of another config is not resumed: the error names the file and what to do', async () => {
    const dir = tmp();
    try {
      const config: TrialConfigInput = {
        seed: 12, model: { depth: 2, hidden: 5 }, pretrain: { kind: 'sdae', epochs: 1, lr: 0.05, batchSize: 4 },
        finetune: { epochs: 1, lr: 0.5, batchSize: 4, patience: null },
      };
      const crash = { onEpoch: (m: EpochMetrics) => { if (m.layer === 1) throw new Error('simulated crash'); } };
      await assert.rejects(runTrial(config, { backend: be, data: toy, checkpointDir: dir, hooks: crash }), /simulated crash/);
      await assert.rejects(
        runTrial({ ...config, pretrain: { ...config.pretrain, lr: 0.1 } }, { backend: be, data: toy, checkpointDir: dir, resume: true }),
        (e: unknown) => e instanceof CheckpointError && e.message.includes(join(dir, PRETRAIN_FILE)) && /different config.*delete it/.test(e.message),
      );
      // Marginal resampling happens after the stack is saved, so a histogram trial may resume it.
      const r = await runTrial({ ...config, pretrain: { ...config.pretrain, use: 'histogram' } }, { backend: be, data: toy, checkpointDir: dir, resume: true });
      assert.equal(r.history.filter((h) => h.phase === 'pretrain').length, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad hyperparameters are rejected before training, naming the key and the allowed range', async () => {
    const cases: [TrialConfigInput, RegExp][] = [
      [{ finetune: { lr: -1 } }, /finetune\.lr/],
      [{ finetune: { lrr: 0.1 } } as TrialConfigInput, /finetune.*lrr/],
      [{ model: { depth: 2 }, pretrain: { kind: 'sdae', layers: 3 } }, /pretrain\.layers is 3 but model\.depth is 2; allowed: 0\.\.2/],
      [{ pretrain: { kind: 'none', use: 'histogram' } }, /pretrain\.use is 'histogram'/],
      [{ model: { depth: 2, hidden: [5, 5, 5] } }, /model\.hidden lists 3 sizes but model\.depth is 2/],
      [{ model: { activation: 'relu' }, pretrain: { kind: 'dbn' } }, /model\.activation is 'relu'/],
      [{ finetune: { batchSize: 1000 } }, /finetune\.batchSize is 1000 but there are only 200 training examples; allowed: 1\.\.200/],
    ];
    for (const [config, re] of cases) {
      let trained = false;
      await assert.rejects(
        runTrial(config, { backend: be, data: toy, hooks: { onEpoch: () => void (trained = true) } }),
        (e: unknown) => e instanceof ConfigError && re.test(e.message),
        re.source,
      );
      assert.equal(trained, false);
    }
  });
});
