import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { loadData } from '../../src/data/load.ts';
import { ConfigError } from '../../src/train/config.ts';
import { runTrial } from '../../src/train/trial.ts';
import { dataConfig } from '../helpers/data-config.ts';

const cases = [
  { key: 'trainSize', value: 1000000, available: 50000 },
  { key: 'validSize', value: 10001, available: 10000 },
  { key: 'testSize', value: 20000, available: 10000 },
] as const;

for (const { key, value, available } of cases) {
  test(`loadData refuses data.${key} = ${value} on mnist (${available} available) instead of using all ${available} silently`, async () => {
    await assert.rejects(loadData(dataConfig('mnist', { [key]: value }), 1), (e: Error) => {
      assert.ok(e instanceof ConfigError, `${e.name}: ${e.message}`);
      assert.match(e.message, new RegExp(`data\\.${key} is ${value}`));
      assert.match(e.message, new RegExp(`has ${available} `));
      assert.match(e.message, new RegExp(`allowed: 1\\.\\.${available}`));
      return true;
    });
  });
}

test('loadData still serves a size equal to the split (mnist trainSize 50000 is the whole training split)', async () => {
  const s = await loadData(dataConfig('mnist', { trainSize: 50000, testSize: 10000 }), 1);
  assert.equal(s.train.n, 50000);
  assert.equal(s.test.n, 10000);
});

test('runTrial with data.trainSize larger than the data is refused before training, so no record says 1,000,000 for a trial that used 50,000', async () => {
  let epochs = 0;
  await assert.rejects(
    runTrial({ data: { trainSize: 1000000 }, model: { hidden: 10 }, finetune: { epochs: 1 } }, { backend: createReferenceBackend('float32'), hooks: { onEpoch: () => void epochs++ } }),
    (e: Error) => e instanceof ConfigError && /data\.trainSize is 1000000/.test(e.message),
  );
  assert.equal(epochs, 0);
});
