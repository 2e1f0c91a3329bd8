import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadData } from '../../src/data/load.ts';
import { runTrial } from '../../src/train/trial.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { toySplits } from '../helpers/toy-data.ts';

const base = { name: 'mnist', trainSize: null, validSize: 100, testSize: 100, binarize: 'none' } as const;

test('data.labeled keeps a stratified fraction of the labels; every image stays for pre-training', async () => {
  const d = await loadData({ ...base, labeled: 0.01, seed: 7 }, 1);
  assert.equal(d.train.n, 500);
  assert.equal(d.unlabeled?.n, 50000);
  assert.equal(new Set(d.train.y).size, 10);
  const again = await loadData({ ...base, labeled: 0.01, seed: 7 }, 2);
  assert.deepEqual(again.train.y, d.train.y, 'a fixed data seed draws the same labelled subset for every trial seed');
  const other = await loadData({ ...base, labeled: 0.01, seed: 8 }, 1);
  assert.notDeepEqual(other.train.y, d.train.y);
  const all = await loadData({ ...base, labeled: null }, 1);
  assert.equal(all.unlabeled, undefined);
  assert.equal(all.train.n, 50000);
});

test('with data.labeled, pre-training sees every training example and fine-tuning only the labelled ones', async () => {
  const totals = { pretrain: new Set<number>(), finetune: new Set<number>() };
  await runTrial(
    { seed: 1, data: { labeled: 0.2 }, model: { depth: 1, hidden: 6 }, pretrain: { kind: 'sdae', epochs: 1, batchSize: 10 }, finetune: { epochs: 1, batchSize: 10, patience: null } },
    { backend: createReferenceBackend('float32'), data: toySplits(3), hooks: { onProgress: (p) => totals[p.phase].add(p.total) } },
  );
  assert.deepEqual([...totals.pretrain], [200]);
  assert.deepEqual([...totals.finetune], [40]);
  await assert.rejects(runTrial({ data: { labeled: 0 } }, { backend: createReferenceBackend('float32'), data: toySplits(3) }), /data\.labeled/);
});
