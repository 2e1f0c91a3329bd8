import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runTrial } from '../../src/train/trial.ts';
import type { TrialConfigInput } from '../../src/train/config.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * A tiny online trial with streamed pre-training: 4,000 stream examples, half of them for 2
 * pre-trained layers (1,000 each), then 2,000 supervised, blocks of 500.
 */
const tiny = (kind: 'sdae' | 'dbn', online: Record<string, unknown> = {}): TrialConfigInput => ({
  seed: 5,
  backend: 'reference',
  data: { name: 'infinite-mnist', testSize: 300 },
  model: { depth: 2, hidden: 16 },
  pretrain: { kind, lr: 0.05, batchSize: 1, ...(kind === 'dbn' ? { persistent: true } : {}) },
  finetune: { lr: 0.1 },
  online: { examples: 4000, pretrainFraction: 0.5, blockSize: 500, window: 500, selectWindow: 500, checkpointEvery: 300, ...online },
});

const tensorsOf = (path: string): Record<string, number[]> => Object.fromEntries([...readCheckpoint(path).tensors].map(([k, t]) => [k, [...t.data]]));
const numbers = (r: TrialResult): unknown => ({ final: r.final, history: r.history.map((h) => [h.phase, h.layer, h.epoch, h.values]) });

describe('runOnlineTrial with streamed pre-training (Section 8: unsupervised updates, then supervised ones)', () => {
  const dir = tempDir();

  for (const kind of ['sdae', 'dbn'] as const) {
    test(`${kind}: each pre-trained layer takes its share of the stream, then supervised training continues after it`, { timeout: 60_000 }, async () => {
      const r = await runTrial(tiny(kind), { checkpointDir: join(dir, `${kind}-whole`) });
      const pre = r.history.filter((h) => h.phase === 'pretrain');
      const sup = r.history.filter((h) => h.phase === 'finetune');
      assert.deepEqual(pre.map((h) => [h.layer, h.values['streamPosition']]), [[0, 500], [0, 1000], [1, 1500], [1, 2000]]);
      assert.deepEqual(sup.map((h) => h.values['streamPosition']), [2500, 3000, 3500, 4000]);
      assert.deepEqual(sup.map((h) => h.values['examplesSeen']), [500, 1000, 1500, 2000]);
      const online = r.analysis!.online!;
      assert.equal(online.pretrainExamples, 2000);
      assert.equal(online.supervisedExamples, 2000);
      assert.ok(online.examplesPerSecond.pretrain > 0);
      assert.ok(r.final.test.error < 0.8, `better than chance (0.9): test error ${r.final.test.error}`);
      assert.ok(!existsSync(join(dir, `${kind}-whole`, 'stream-pretrain.safetensors')), 'the pre-training resume state is deleted at the end');
    });
  }

  for (const [where, killAt] of [['inside pre-training layer 2', { phase: 'pretrain', layer: 1, epoch: 1 }], ['in supervised training', { phase: 'finetune', layer: undefined, epoch: 2 }]] as const) {
    test(`a trial killed ${where} resumes to bit-identical weights, history and scores`, { timeout: 90_000 }, async () => {
      const whole = await runTrial(tiny('sdae'), { checkpointDir: join(dir, `whole-${killAt.phase}`) });
      const d = join(dir, `killed-${killAt.phase}`);
      const stop = new Error('killed');
      const hooks = { onEpoch: (m: { phase: string; layer?: number; epoch: number }) => { if (m.phase === killAt.phase && m.layer === killAt.layer && m.epoch === killAt.epoch) throw stop; } };
      await assert.rejects(runTrial(tiny('sdae'), { checkpointDir: d, hooks }), (e) => e === stop);
      assert.ok(existsSync(join(d, killAt.phase === 'pretrain' ? 'stream-pretrain.safetensors' : 'online.safetensors')));
      const resumed = await runTrial(tiny('sdae'), { checkpointDir: d, resume: true });
      assert.deepEqual(numbers(resumed), numbers(whole));
      assert.deepEqual(tensorsOf(join(d, 'final.safetensors')), tensorsOf(join(dir, `whole-${killAt.phase}`, 'final.safetensors')));
    });
  }
});
