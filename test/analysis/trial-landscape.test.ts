import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { runAnalysedTrial } from '../../src/analysis/analysed-trial.ts';
import { LANDSCAPE_FILE, readLandscape, type LandscapeSummary } from '../../src/analysis/trial-landscape.ts';
import { runTrial } from '../../src/train/trial.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import { toySplits } from '../helpers/toy-data.ts';

const data = toySplits(7, { train: 120, valid: 40, test: 40 }, 6, 3);
const base = {
  seed: 3,
  backend: 'reference' as const,
  model: { depth: 2, hidden: 5 },
  pretrain: { kind: 'sdae' as const, epochs: 2, batchSize: 10, lr: 0.05 },
  finetune: { epochs: 4, batchSize: 10, lr: 0.3, patience: null },
};
const landscape = { directions: 3, alphaMax: 1, step: 0.25, fitHalfWidth: 0.5 };

test('the landscape at alpha = 0 equals the trained network\'s training error and NLL exactly, in the record and in the side file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-landscape-'));
  const r = await runAnalysedTrial({ ...base, analysis: { landscape } }, { backend: createReferenceBackend(), data, checkpointDir: dir });
  const l = r.analysis?.['landscape'] as LandscapeSummary;
  assert.equal(l.atZero.error, r.final.train.error);
  assert.equal(l.atZero.nll, r.final.train.nll);
  const curves = readLandscape(path.join(dir, LANDSCAPE_FILE));
  assert.deepEqual(curves.alphas, [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1]);
  assert.equal(curves.nll.length, 3);
  for (let d = 0; d < 3; d++) {
    assert.equal(curves.error[d]![4], r.final.train.error, `direction ${d}`);
    assert.equal(curves.nll[d]![4], r.final.train.nll, `direction ${d}`);
  }
  assert.equal(l.curvature.nll.length, 3);
  assert.ok(l.curvature.nll.every(Number.isFinite));
  assert.equal(l.gradientBatch, 10, 'null gradientBatch: the fine-tuning batch size');
  assert.equal(l.examples, 120);
});

test('with analysis.landscape off the analysed trial is runTrial: same numbers, no analysis, same hash as a config without the section', async () => {
  const a = await runAnalysedTrial(base, { backend: createReferenceBackend(), data });
  const b = await runTrial(base, { backend: createReferenceBackend(), data });
  assert.equal(a.analysis, undefined);
  assert.deepEqual(a.final, b.final);
  const cfg = resolveTrialConfig(base);
  const withSection = resolveTrialConfig({ ...base, analysis: { landscape: { directions: 0 } } });
  assert.equal(trialHash(withSection), trialHash(cfg));
  assert.notEqual(trialHash(resolveTrialConfig({ ...base, analysis: { landscape } })), trialHash(cfg));
});

test('the landscape is deterministic by seed and leaves the trained network as it was', async () => {
  const run = (): Promise<Awaited<ReturnType<typeof runAnalysedTrial>>> => runAnalysedTrial({ ...base, analysis: { landscape } }, { backend: createReferenceBackend(), data });
  const [a, b] = [await run(), await run()];
  const la = a.analysis?.['landscape'] as LandscapeSummary, lb = b.analysis?.['landscape'] as LandscapeSummary;
  assert.deepEqual(la.curvature, lb.curvature);
  const plain = await runTrial(base, { backend: createReferenceBackend(), data });
  assert.deepEqual(a.final, plain.final, 'the analysis changes no training number');
});

test('a fit window narrower than 3 grid points is refused before any training, naming the key', async () => {
  let epochs = 0;
  const hooks = { onEpoch: () => void epochs++ };
  await assert.rejects(runAnalysedTrial({ ...base, analysis: { landscape: { ...landscape, fitHalfWidth: 0.1 } } }, { backend: createReferenceBackend(), data, hooks }), (e: Error) => e.name === 'ConfigError' && /analysis\.landscape\.fitHalfWidth is 0\.1.*allowed: >= 0\.25/.test(e.message));
  assert.equal(epochs, 0);
});
