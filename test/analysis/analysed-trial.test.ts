import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { runAnalysedTrial, type ActmaxSummary, type WeightChangeSummary } from '../../src/analysis/analysed-trial.ts';
import { readUnitPatterns, UNIT_PATTERNS_FILE } from '../../src/analysis/unit-patterns.ts';
import { runTrial } from '../../src/train/trial.ts';
import { trialConfigSchema } from '../../src/train/config.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import { toySplits } from '../helpers/toy-data.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const be = createReferenceBackend('float32');
const data = toySplits(3, { train: 120, valid: 60, test: 60 }, 16, 3);
const base = {
  seed: 4,
  model: { depth: 3, hidden: 6 },
  pretrain: { kind: 'dbn' as const, epochs: 2, lr: 0.05, batchSize: 10 },
  finetune: { epochs: 3, lr: 0.3, batchSize: 10, patience: null },
};

test('with the filter analyses on, a trial trains exactly as without and reports per-layer weight change and unit patterns', async () => {
  const dir = tempDir('analysed-');
  const plain = await runTrial(base, { backend: be, data });
  const r = await runAnalysedTrial({ ...base, analysis: { actmax: { enabled: true, units: 4, starts: 3, steps: 30 }, weightChange: true } }, { backend: be, data, checkpointDir: dir });
  assert.deepEqual(r.final, plain.final, 'the analyses do not change training');
  const wc = r.analysis!['weightChange'] as WeightChangeSummary;
  assert.deepEqual(wc.map((l) => l.layer), [1, 2, 3]);
  for (const l of wc) assert.ok(l.relativeChange > 0 && l.signChange >= 0 && l.signChange <= 1, JSON.stringify(l));
  const am = r.analysis!['actmax'] as ActmaxSummary;
  assert.deepEqual(am.layers.map((l) => `${l.phase}${l.layer}`), ['pretrained1', 'pretrained2', 'pretrained3', 'finetuned1', 'finetuned2', 'finetuned3']);
  assert.ok(am.norm > 0);
  const file = readUnitPatterns(join(dir, UNIT_PATTERNS_FILE));
  assert.equal(file.entries.length, 6);
  for (const e of file.entries) assert.deepEqual([e.units.length, e.patterns.length], [4, 4 * 16]);
  assert.deepEqual(readdirSync(dir).sort(), ['final.safetensors', UNIT_PATTERNS_FILE], 'the weight snapshot is removed, the final network and patterns stay');
});

test('a network without pre-training gets only the after-training patterns, and without a checkpoint directory nothing is left behind', async () => {
  const r = await runAnalysedTrial({ ...base, pretrain: { kind: 'none' }, analysis: { actmax: { enabled: true, units: 2, starts: 2, steps: 5 } } }, { backend: be, data });
  const am = r.analysis!['actmax'] as ActmaxSummary;
  assert.deepEqual(am.layers.map((l) => l.phase), ['finetuned', 'finetuned', 'finetuned']);
  assert.equal(r.checkpoint, null);
  assert.equal(r.analysis!['weightChange'], undefined);
});

test('a config with the analyses off has the hash it had before the analysis section existed', () => {
  const cfg = trialConfigSchema.parse(base);
  const withSection = trialConfigSchema.parse({ ...base, analysis: { actmax: { enabled: false }, weightChange: false } });
  assert.equal(trialHash(withSection), trialHash(cfg));
  assert.notEqual(trialHash(trialConfigSchema.parse({ ...base, analysis: { weightChange: true } })), trialHash(cfg));
});
