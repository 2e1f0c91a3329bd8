import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pretrainStack } from '../../src/train/pretrain.ts';
import { pretrainConfigSchema, resolveTrialConfig, type PretrainConfig } from '../../src/train/config.ts';
import { DivergenceError } from '../../src/train/divergence.ts';
import type { EpochMetrics, Progress } from '../../src/train/hooks.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { makeDataset, type Dataset } from '../../src/data/dataset.ts';
import { Rng } from '../../src/rng/rng.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const be = createReferenceBackend('float32');

function cfg(over: Partial<PretrainConfig>): PretrainConfig {
  return pretrainConfigSchema.parse({ kind: 'sdae', epochs: 1, lr: 0.05, batchSize: 10, ...over });
}

/** Structured binary data: noisy copies of 5 random 64-pixel prototypes. */
function synthetic(n: number, seed = 1): Dataset {
  const r = new Rng(seed), dim = 64;
  const protos = Array.from({ length: 5 }, () => Array.from({ length: dim }, () => (r.uniform() < 0.3 ? 1 : 0)));
  const x = new Float32Array(n * dim), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 5;
    for (let j = 0; j < dim; j++) x[i * dim + j] = r.uniform() < 0.05 ? 1 - protos[i % 5]![j]! : protos[i % 5]![j]!;
  }
  return makeDataset('synthetic', x, y, dim, 5);
}

/**
 * A 1,000-example slice of MNIST train. When MNIST cannot be loaded, the tests that need it are
 * skipped with a loud notice (and fail under CI): no silent fallback to synthetic data.
 */
const mnist = await loadMnist().then(
  ({ train: t }) => ({ data: makeDataset('mnist/train[0:1000]', t.x.slice(0, 1000 * t.dim), t.y.slice(0, 1000), t.dim, t.nClasses), missing: undefined }),
  (e: unknown) => ({ data: undefined, missing: `loadMnist() failed: ${e instanceof Error ? e.message : String(e)}` }),
);
const skipWithoutMnist = skipIfMissing('MNIST', mnist.missing);

for (const kind of ['sdae', 'dbn'] as const) {
  test(`a one-layer ${kind === 'sdae' ? 'SDAE' : 'RBM'} lowers its reconstruction error over 3 epochs on a 1,000-example slice of MNIST`, { skip: skipWithoutMnist }, async () => {
    const data = mnist.data!;
    const epochs: EpochMetrics[] = [];
    const progress: Progress[] = [];
    const c = cfg({ kind, epochs: 3, lr: 0.05, batchSize: 10 });
    const [p] = await pretrainStack(be, data, [32], c, new Rng(1), { onEpoch: (m) => void epochs.push(m), onProgress: (q) => void progress.push(q) });
    assert.deepEqual(p!.W.shape, [data.dim, 32]);
    assert.deepEqual(p!.b.shape, [1, 32]);
    const rec = epochs.map((e) => e.values.reconstruction!);
    assert.deepEqual(epochs.map((e) => [e.phase, e.layer, e.epoch]), [['pretrain', 0, 1], ['pretrain', 0, 2], ['pretrain', 0, 3]]);
    assert.ok(rec[1]! < rec[0]! && rec[2]! < rec[1]!, `${data.name}: reconstruction per epoch: ${rec.join(', ')}`);
    assert.ok(rec[2]! < 0.9 * rec[0]!, `reconstruction fell only from ${rec[0]} to ${rec[2]}`);
    if (kind === 'dbn') assert.ok(epochs[2]!.values.pseudoLikelihood! > epochs[0]!.values.pseudoLikelihood!);
    assert.ok(progress.length >= 3 && progress.every((q) => q.done <= q.total));
    assert.equal(progress.at(-1)!.done, data.n);
  });
}

test('two-layer stacks: shapes, per-layer hooks and corruption levels, and every option runs', async () => {
  const data = synthetic(60);
  for (const over of [
    { kind: 'sdae', corruption: [0.1, 0.3], tied: false, noise: 'salt-pepper', loss: 'squared', momentum: 0.5 },
    { kind: 'sdae', noise: 'gaussian', propagate: 'sample', l2: 5e-4 },
    { kind: 'dbn', l1: 1e-4, l2: 1e-4, lrDecay: 0.5 },
    { kind: 'dbn', cdK: 2, persistent: true, propagate: 'sample', momentum: 0.5 },
  ] as Partial<PretrainConfig>[]) {
    const seen: EpochMetrics[] = [];
    const ctxShapes: number[][][] = [];
    const layers = await pretrainStack(be, data, [20, 10], cfg({ ...over, epochs: 2, batchSize: 7 }), new Rng(2), {
      onEpoch: (m, ctx) => {
        seen.push(m);
        ctxShapes.push((ctx?.layers ?? []).map((l) => l.W.shape));
      },
    });
    assert.deepEqual(ctxShapes, [[[64, 20]], [[64, 20]], [[64, 20], [20, 10]], [[64, 20], [20, 10]]], 'epoch context: the layers so far');
    assert.equal(layers[0]!.W.shape[1], 20);
    assert.deepEqual(layers.map((l) => [l.W.shape, l.b.shape]), [[[64, 20], [1, 20]], [[20, 10], [1, 10]]]);
    assert.deepEqual(seen.map((m) => [m.layer, m.epoch]), [[0, 1], [0, 2], [1, 1], [1, 2]]);
    for (const m of seen) assert.ok(Number.isFinite(m.values.reconstruction) && m.seconds >= 0);
    if (Array.isArray(over.corruption)) assert.deepEqual(seen.map((m) => m.values.corruption), [0.1, 0.1, 0.3, 0.3]);
  }
});

test('pretrainStack is reproducible bit for bit from the seed and never mutates the data', async () => {
  const data = synthetic(50), before = Float32Array.from(data.x);
  for (const kind of ['sdae', 'dbn'] as const) {
    const run = (seed: number) => pretrainStack(be, data, [12, 6], cfg({ kind, epochs: 2, propagate: 'sample' }), new Rng(seed));
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    for (let l = 0; l < 2; l++) {
      assert.deepEqual(a[l]!.W.data, b[l]!.W.data);
      assert.deepEqual(a[l]!.b.data, b[l]!.b.data);
    }
    assert.notDeepEqual(a[0]!.W.data, c[0]!.W.data);
  }
  assert.deepEqual(data.x, before);
});

test('the mean and sample propagation modes share layer 1 and differ from layer 2 on', async () => {
  const data = synthetic(40);
  const mean = await pretrainStack(be, data, [10, 5], cfg({ kind: 'dbn', propagate: 'mean' }), new Rng(3));
  const sample = await pretrainStack(be, data, [10, 5], cfg({ kind: 'dbn', propagate: 'sample' }), new Rng(3));
  assert.deepEqual(mean[0]!.W.data, sample[0]!.W.data);
  assert.notDeepEqual(mean[1]!.W.data, sample[1]!.W.data);
});

test('bad hyperparameters are rejected once, by the config schema, naming the key', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ lr: -0.1 }, /pretrain\.lr: .*>0/],
    [{ lr: 0 }, /pretrain\.lr/],
    [{ corruption: 1 }, /pretrain\.corruption/],
    [{ corruption: -0.2 }, /pretrain\.corruption/],
    [{ cdK: 0 }, /pretrain\.cdK: .*>=1/],
    [{ epochs: 0 }, /pretrain\.epochs/],
    [{ batchSize: 2.5 }, /pretrain\.batchSize/],
    [{ momentum: 1 }, /pretrain\.momentum: .*<1/],
    [{ l2: -1 }, /pretrain\.l2/],
    [{ l1: -1 }, /pretrain\.l1/],
    [{ lrDecay: -1 }, /pretrain\.lrDecay/],
    [{ weightDecay: 2e-4 }, /weightDecay is now pretrain\.l2 with half the value/],
  ];
  for (const [over, re] of cases) assert.throws(() => resolveTrialConfig({ pretrain: { kind: 'sdae', ...over } }), re, JSON.stringify(over));
});

test('what the schema cannot check (across keys, layer sizes, data) is rejected before training, naming the parameter', async () => {
  const data = synthetic(20);
  let trained = false;
  const hooks = { onEpoch: () => void (trained = true) };
  const cases: [Partial<PretrainConfig>, number[], RegExp][] = [
    [{ corruption: [0.1] }, [5, 5], /pretrain\.corruption .*at least 2/],
    [{ kind: 'none' }, [5], /pretrain\.kind/],
    [{ decoder: 'identity' }, [5], /pretrain\.decoder/],
    [{}, [5, 0], /hidden layer 2 has size 0/],
  ];
  for (const [over, sizes, re] of cases) {
    const c = { ...cfg({}), ...over } as PretrainConfig;
    await assert.rejects(pretrainStack(be, data, sizes, c, new Rng(1), hooks), re, JSON.stringify(over));
  }
  const mismatch = { ...data, dim: 63 };
  await assert.rejects(pretrainStack(be, mismatch, [5], cfg({}), new Rng(1), hooks), /dim mismatch/);
  const outOfRange = makeDataset('big', Float32Array.from(data.x, (v) => 2 * v), data.y, 64, 5);
  await assert.rejects(pretrainStack(be, outOfRange, [5], cfg({}), new Rng(1), hooks), /outside \[0, 1\].*loss 'squared'/);
  await pretrainStack(be, outOfRange, [5], cfg({ loss: 'squared' }), new Rng(1));
  assert.equal(trained, false, 'training started before the configuration was rejected');
});

test('a diverging layer throws DivergenceError naming the layer, the epoch and the last finite value', async () => {
  const data = synthetic(30); // 3 minibatches of 10, 3 parameter updates per minibatch
  for (const kind of ['sdae', 'dbn'] as const) {
    // A backend whose weight-gradient gemms (C = A^T B: two per minibatch, whether they write a
    // gradient or, fused, the weights themselves) output NaN from the 8th on: epoch 2 of layer 1.
    let updates = 0;
    const poisoned = {
      ...be,
      gemm(...args: Parameters<typeof be.gemm>) {
        be.gemm(...args);
        if (args[0] && ++updates >= 8) args[6].data.fill(NaN);
      },
    };
    const seen: EpochMetrics[] = [];
    const err = await pretrainStack(poisoned, data, [8, 8], cfg({ kind, epochs: 3 }), new Rng(1), { onEpoch: (m) => void seen.push(m) }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof DivergenceError, `${kind}: expected a DivergenceError, got ${err}`);
    assert.deepEqual([err.phase, err.layer, err.epoch], ['pretrain', 0, 2]);
    assert.ok(Number.isFinite(err.lastFinite), `last finite value ${err.lastFinite}`);
    assert.match(err.message, /layer 1 at epoch 2.*last finite value: \d/);
    assert.equal(seen.length, 1, 'only the first epoch finished');
  }
});
