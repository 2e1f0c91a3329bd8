import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { makeDataset } from '../../src/data/dataset.ts';
import { Rng } from '../../src/rng/rng.ts';
import { pretrainConfigSchema } from '../../src/train/config.ts';
import { pretrainStack } from '../../src/train/pretrain.ts';

const be = createReferenceBackend('float32');

/** Real-valued data outside [0, 1]: two Gaussian clusters in 12 dimensions. */
function realValued(n: number): ReturnType<typeof makeDataset> {
  const r = new Rng(4).fork('data');
  const x = new Float32Array(n * 12), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < 12; j++) x[i * 12 + j] = (y[i] ? 1.5 : -1.5) * (j < 6 ? 1 : -1) + r.normal();
  }
  return makeDataset('gauss', x, y, 12, 2);
}

test("a DBN with pretrain.visible 'gaussian' pre-trains on real-valued data that Bernoulli visibles refuse", async () => {
  const data = realValued(200);
  const cfg = pretrainConfigSchema.parse({ kind: 'dbn', epochs: 2, lr: 0.01, batchSize: 10, visible: 'gaussian' });
  const layers = await pretrainStack(be, data, [8, 4], cfg, new Rng(1));
  assert.equal(layers.length, 2);
  assert.ok(layers.every((l) => be.allFinite(l.W) && be.allFinite(l.b)));
  const bernoulli = pretrainConfigSchema.parse({ kind: 'dbn', epochs: 1, lr: 0.01, batchSize: 10 });
  await assert.rejects(pretrainStack(be, data, [8], bernoulli, new Rng(1)), /outside \[0, 1\]/);
});

test("an SDAE with pretrain.decoder 'identity' needs the squared loss, and trains with it", async () => {
  const data = realValued(100);
  const ce = pretrainConfigSchema.parse({ kind: 'sdae', epochs: 1, lr: 0.01, batchSize: 10, decoder: 'identity' });
  await assert.rejects(pretrainStack(be, data, [8], ce, new Rng(1)), /pretrain\.decoder.*squared/);
  const sq = pretrainConfigSchema.parse({ kind: 'sdae', epochs: 2, lr: 0.001, batchSize: 10, decoder: 'identity', loss: 'squared' });
  const seen: number[] = [];
  await pretrainStack(be, data, [8], sq, new Rng(1), { onEpoch: (m) => void seen.push(m.values['reconstruction']!) });
  assert.equal(seen.length, 2);
  assert.ok(seen[1]! < seen[0]!, `squared reconstruction error should fall: ${seen}`);
});
