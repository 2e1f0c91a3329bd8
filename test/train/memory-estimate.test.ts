import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { ConfigError, resolveTrialConfig, type TrialConfigInput } from '../../src/train/config.ts';
import { assertTrialFits, estimateNetworkBytes, estimateTrialMemory, knownDataShape, memoryLimit, MEMORY_LIMIT_ENV } from '../../src/train/memory-estimate.ts';
import { runTrial } from '../../src/train/trial.ts';
import { loadData } from '../../src/data/load.ts';
import { toySplits } from '../helpers/toy-data.ts';

const be = createReferenceBackend('float32');

test('estimateTrialMemory is within a factor of 2 (either way) of the ArrayBuffer growth of a real small trial (reference backend)', async () => {
  const input: TrialConfigInput = {
    seed: 1,
    model: { depth: 2, hidden: 250 },
    pretrain: { kind: 'sdae', epochs: 1, batchSize: 20, momentum: 0.5 },
    finetune: { epochs: 1, batchSize: 20, momentum: 0.5, patience: null },
  };
  const base = process.memoryUsage().arrayBuffers;
  const data = toySplits(5, { train: 600, valid: 200, test: 200 }, 784, 10);
  let peak = 0;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
  };
  await runTrial(input, { backend: be, data, evaluateTrain: true, hooks: { onProgress: sample, onEpoch: sample } });
  sample();
  const cfg = resolveTrialConfig(input);
  const est = estimateTrialMemory(cfg, { nTrain: 600, nValid: 200, nTest: 200, nTrainFull: 600, dim: 784, nClasses: 10 }).bytes;
  assert.ok(peak > 0, 'measured some growth');
  assert.ok(est >= peak / 2 && est <= 2 * peak, `estimate ${(est / 2 ** 20).toFixed(1)} MB vs measured peak ${(peak / 2 ** 20).toFixed(1)} MB`);
});

test('a conv net, pre-trained greedily in place and fine-tuned: the estimate is within a factor of 2 of the measured growth too', async () => {
  const input: TrialConfigInput = {
    seed: 1,
    data: { name: 'mnist', trainSize: 500, validSize: 200, testSize: 200 },
    model: { layers: 'conv 8 5x5, pool 2, conv 16 5x5, pool 2, dense 32', activation: 'relu', init: 'he' },
    pretrain: { kind: 'sdae', layers: 2, epochs: 1, batchSize: 20, lr: 0.01, loss: 'squared', decoder: 'identity' },
    finetune: { epochs: 1, batchSize: 20, patience: null },
  };
  const cfg = resolveTrialConfig(input);
  const data = await loadData(cfg.data, cfg.seed);
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
  };
  await runTrial(input, { backend: be, data, evaluateTrain: true, hooks: { onProgress: sample, onEpoch: sample } });
  sample();
  const shape = { nTrain: 500, nValid: 200, nTest: 200, nTrainFull: 500, dim: 784, nClasses: 10, image: { height: 28, width: 28 } };
  const est = estimateTrialMemory(cfg, shape);
  assert.ok(est.terms.some((t) => /im2col/.test(t.what)), 'the conv layers are counted');
  assert.ok(est.bytes >= peak / 2 && est.bytes <= 2 * peak, `estimate ${(est.bytes / 2 ** 20).toFixed(1)} MB (${est.phase}) vs measured peak ${(peak / 2 ** 20).toFixed(1)} MB`);
  // The kept network on disk: conv (5*5*1 + 1) x 8, conv (5*5*8 + 1) x 16, dense (4*4*16 + 1) x 32, output (32 + 1) x 10 floats.
  assert.equal(estimateNetworkBytes(cfg, shape), (26 * 8 + 201 * 16 + 257 * 32 + 33 * 10) * 4 + 8 * 1024);
});

test('a conv net too big for the limit is refused before anything is allocated, naming model.layers', () => {
  const cfg = resolveTrialConfig({ data: { name: 'mnist' }, model: { layers: 'conv 256 3x3 pad same, conv 256 3x3 pad same, dense 100', activation: 'relu' }, pretrain: { kind: 'sdae' } });
  assert.throws(
    () => assertTrialFits(cfg, knownDataShape(cfg.data)!, { bytes: 8 * 2 ** 30, source: 'a test limit of 8 GB' }),
    (e: unknown) => e instanceof ConfigError && /model\.layers/.test(e.message) && /peak in pre-training layer 3/.test(e.message) && /the training set seen through the layers below layer 3 \(dense 100\): \[50000, 200704\]/.test(e.message) && /fewer filters/.test(e.message),
  );
});

for (const hidden of [1e9, 2000000]) {
  test(`a trial with model.hidden = ${hidden} is refused at once, naming model.hidden, the estimate, the limit and --memory-limit`, async () => {
    const t0 = performance.now();
    const before = process.memoryUsage().arrayBuffers;
    await assert.rejects(
      runTrial({ model: { hidden }, finetune: { epochs: 1 } }, { backend: be }),
      (e: Error) => {
        assert.ok(e instanceof ConfigError, e.message);
        assert.match(e.message, new RegExp(`model\\.hidden = ${hidden}`));
        assert.match(e.message, /\[784, /);
        assert.match(e.message, /limit is .* GB/);
        assert.match(e.message, /--memory-limit=<GB>/);
        return true;
      },
    );
    assert.ok(performance.now() - t0 < 1000, 'refused in under a second');
    assert.ok(process.memoryUsage().arrayBuffers - before < 2 ** 20, 'nothing allocated');
  });
}

test('memoryLimit is half of physical memory by default, shared among workers, and PRETRAIN_LAB_MEMORY_LIMIT (GB) replaces it', () => {
  const one = memoryLimit(1, {}), four = memoryLimit(4, {});
  assert.ok(Math.abs(four.bytes * 4 - one.bytes) < 1);
  assert.match(one.source, /50% of physical memory/);
  assert.equal(memoryLimit(2, { [MEMORY_LIMIT_ENV]: '8' }).bytes, 4 * 2 ** 30);
  assert.throws(() => memoryLimit(1, { [MEMORY_LIMIT_ENV]: 'lots' }), /PRETRAIN_LAB_MEMORY_LIMIT.*'lots'.*positive number of GB/);
});

test('assertTrialFits admits the paper-sized default trial on MNIST under an 8 GB limit', () => {
  const cfg = resolveTrialConfig({ model: { depth: 3 }, pretrain: { kind: 'dbn' } });
  assert.doesNotThrow(() => assertTrialFits(cfg, knownDataShape(cfg.data)!, { bytes: 8 * 2 ** 30, source: 'test' }));
});

test('an online trial is estimated as streamed: no materialised training set or layer representations, but the stream source and the rings', () => {
  const base: TrialConfigInput = { data: { name: 'infinite-mnist' }, model: { depth: 3, hidden: 1000 }, pretrain: { kind: 'sdae' } };
  const cfg = resolveTrialConfig(base), online = resolveTrialConfig({ ...base, online: { examples: 10_000_000 } });
  const shape = knownDataShape(cfg.data)!;
  const m = estimateTrialMemory(cfg, shape), o = estimateTrialMemory(online, shape);
  assert.ok(m.terms.some((t) => /representation/.test(t.what)), 'the materialised trial holds layer representations');
  assert.ok(!o.terms.some((t) => /representation|full training split/.test(t.what)), o.terms.map((t) => t.what).join('; '));
  assert.ok(o.terms.some((t) => /stream's source images/.test(t.what)) && o.terms.some((t) => /online error rings/.test(t.what)));
  assert.ok(o.bytes < m.bytes && o.bytes < 2 ** 30, `${o.bytes} bytes`);
});
