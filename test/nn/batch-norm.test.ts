import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, createBackend, createReferenceBackend, Rng, type Backend, type BackendName, type Matrix } from '../../src/index.ts';
import { BatchNorm, BATCH_NORM_BATCH_1 } from '../../src/nn/batch-norm.ts';
import { numericGradient, assertGradClose } from '../helpers/numeric-gradient.ts';
import { assertClose } from '../helpers/tolerances.ts';
import { channelSets, normReference } from '../helpers/norm-reference.ts';

const be64 = createReferenceBackend('float64');
/** Every available backend, reference64 first (the plain-loop comparison runs on each). */
const BACKENDS: BackendName[] = ['reference64', ...(await availableBackends()).filter((a) => a.available && a.name !== 'reference64').map((a) => a.name)];

/** A BatchNorm with random gamma and beta (so neither is the identity). */
function randomBatchNorm(be: Backend, channels: number, spatial: number, rng: Rng): BatchNorm {
  const bn = new BatchNorm(be, channels, spatial);
  be.copy(be.fromArray(1, channels, rng.fillUniform(new Float64Array(channels), 0.5, 2)), bn.gamma);
  be.copy(be.fromArray(1, channels, rng.fillUniform(new Float64Array(channels), -1, 1)), bn.beta);
  return bn;
}

/** `L = sum(y * r)`, so `dL/dy = r`. */
function weightedSum(y: Matrix, r: Matrix): number {
  let s = 0;
  for (let i = 0; i < y.size; i++) s += y.data[i]! * r.data[i]!;
  return s;
}

describe('BatchNorm', () => {
  for (const [batch, spatial, channels] of [[4, 1, 5], [3, 5, 3], [2, 3, 1]] as const) {
    for (const train of [true, false]) {
      test(`${train ? 'training' : 'evaluation'}-mode backward matches float64 central differences for dx, dgamma, dbeta (batch ${batch}, S ${spatial}, C ${channels})`, () => {
        const rng = new Rng(7).fork('batch-norm', batch, spatial, channels);
        const bn = randomBatchNorm(be64, channels, spatial, rng);
        if (!train) {
          be64.copy(be64.fromArray(1, channels, rng.fillUniform(new Float64Array(channels), -1, 1)), bn.runningMean);
          be64.copy(be64.fromArray(1, channels, rng.fillUniform(new Float64Array(channels), 0.5, 2)), bn.runningVar);
        }
        const x = be64.fromArray(batch, spatial * channels, rng.fillUniform(new Float64Array(batch * spatial * channels), -1, 2));
        const r = be64.fromArray(batch, spatial * channels, rng.fillUniform(new Float64Array(batch * spatial * channels), -1, 1));
        const loss = (): number => weightedSum(bn.forward(x, train), r);
        const gx = numericGradient(x, loss), gg = numericGradient(bn.gamma, loss), gb = numericGradient(bn.beta, loss);
        loss();
        const dx = bn.backward(r, true)!;
        assertGradClose(dx.data, gx, 'dx');
        assertGradClose(bn.dgamma.data, gg, 'dgamma');
        assertGradClose(bn.dbeta.data, gb, 'dbeta');
      });
    }
  }

  for (const name of BACKENDS) {
    test(`forward and backward equal a plain-loop float64 reference at odd shapes on '${name}'`, async () => {
      const be = name === 'reference64' ? be64 : await createBackend(name);
      const tol = be.dtype === 'float64' ? 1e-11 : 2e-5;
      for (const [batch, spatial, channels] of [[3, 5, 7], [17, 1, 33], [2, 25, 3]] as const) {
        const rng = new Rng(11).fork('bn-plain', batch, spatial, channels);
        const n = batch * spatial * channels;
        const bn = randomBatchNorm(be, channels, spatial, rng);
        const x = be.fromArray(batch, spatial * channels, rng.fillUniform(new Float64Array(n), -1, 3));
        const dy = be.fromArray(batch, spatial * channels, rng.fillUniform(new Float64Array(n), -1, 1));
        const want = normReference(x.data, dy.data, channelSets(batch * spatial, channels), channels, bn.gamma.data, bn.beta.data, bn.eps);
        const what = `${name} batch ${batch} S ${spatial} C ${channels}`;
        assertClose(bn.forward(x, true).data, want.y, tol, `y ${what}`);
        assertClose(bn.backward(dy, true)!.data, want.dx, tol, `dx ${what}`);
        assertClose(bn.dgamma.data, want.dgamma, tol * Math.sqrt(batch * spatial), `dgamma ${what}`);
        assertClose(bn.dbeta.data, want.dbeta, tol * Math.sqrt(batch * spatial), `dbeta ${what}`);
      }
    });
  }

  test('running statistics after two steps equal the hand-computed PyTorch update (momentum 0.1, unbiased variance)', () => {
    const bn = new BatchNorm(be64, 2, 1);
    // step 1: channel 0 = 1, 3, 5 (mean 3, unbiased var 4); channel 1 = 2, 4, 9 (mean 5, unbiased var 13)
    bn.forward(be64.fromArray(3, 2, [1, 2, 3, 4, 5, 9]), true);
    assertClose(bn.runningMean.data, [0.3, 0.5], 1e-12, 'runningMean after step 1');
    assertClose(bn.runningVar.data, [0.9 + 0.4, 0.9 + 1.3], 1e-9, 'runningVar after step 1');
    // step 2: channel 0 = 0, 2, 4 (mean 2, unbiased var 4); channel 1 = 1, 1, 1 (mean 1, var 0)
    bn.forward(be64.fromArray(3, 2, [0, 1, 2, 1, 4, 1]), true);
    assertClose(bn.runningMean.data, [0.9 * 0.3 + 0.2, 0.9 * 0.5 + 0.1], 1e-12, 'runningMean after step 2');
    assertClose(bn.runningVar.data, [0.9 * 1.3 + 0.4, 0.9 * 2.2], 1e-9, 'runningVar after step 2');
    assert.deepEqual(bn.buffers().map((b) => b.name), ['runningMean', 'runningVar']);
    assert.equal(bn.buffers()[0]!.value, bn.runningMean);
  });

  test('running statistics count every position of a conv map (n = batch * S) and follow the momentum option', () => {
    const bn = new BatchNorm(be64, 1, 2, { momentum: 0.5 });
    // one channel, values 1, 3, 5, 7 over 2 examples x 2 positions: mean 4, unbiased var 20/3
    bn.forward(be64.fromArray(2, 2, [1, 3, 5, 7]), true);
    assertClose(bn.runningMean.data, [2], 1e-12, 'runningMean');
    assertClose(bn.runningVar.data, [0.5 + 0.5 * (20 / 3)], 1e-9, 'runningVar');
  });

  test('evaluation normalises with the running statistics, not the batch statistics', () => {
    const rng = new Rng(3);
    const bn = randomBatchNorm(be64, 3, 2, rng);
    for (let step = 0; step < 3; step++) bn.forward(be64.fromArray(4, 6, rng.fillUniform(new Float64Array(24), -1, 4)), true);
    const x = be64.fromArray(2, 6, rng.fillUniform(new Float64Array(12), -1, 1));
    const before = [...bn.runningMean.data, ...bn.runningVar.data];
    const y = bn.forward(x, false);
    const g = bn.gamma.data, b = bn.beta.data, rm = bn.runningMean.data, rv = bn.runningVar.data;
    const want = [...x.data].map((v, i) => g[i % 3]! * ((v - rm[i % 3]!) / Math.sqrt(rv[i % 3]! + 1e-5)) + b[i % 3]!);
    assertClose(y.data, want, 1e-12, 'evaluation output');
    assert.deepEqual([...bn.runningMean.data, ...bn.runningVar.data], before, 'evaluation leaves the running statistics alone');
    const yTrain = Float64Array.from(bn.forward(x, true).data);
    assert.ok(yTrain.some((v, i) => Math.abs(v - want[i]!) > 1e-3), 'training output (batch statistics) differs from evaluation');
  });

  test('a batch of 1 cannot train (clear error) but can be evaluated', () => {
    const bn = new BatchNorm(be64, 4, 1);
    const x = be64.fromArray(1, 4, [1, 2, 3, 4]);
    assert.throws(() => bn.forward(x, true), (e: unknown) => e instanceof Error && e.message === BATCH_NORM_BATCH_1);
    assert.match(BATCH_NORM_BATCH_1, /batch of 1 .* finetune\.batchSize >= 2, or model\.norm 'group'\/'layer'/);
    const y = bn.forward(x, false); // running mean 0, var 1: y = x / sqrt(1 + eps)
    assertClose(y.data, [1, 2, 3, 4].map((v) => v / Math.sqrt(1 + 1e-5)), 1e-12, 'batch-1 evaluation');
    // a conv map of one example still refuses (the rule is about the batch, as PyTorch's layer)
    assert.throws(() => new BatchNorm(be64, 2, 4).forward(be64.zeros(1, 8), true), /batch normalisation cannot train on a batch of 1/);
  });

  test('params are gamma (ones) and beta (zeros), unpenalized; bad options are refused by name', () => {
    const bn = new BatchNorm(be64, 3, 2);
    assert.deepEqual(bn.params().map((p) => [p.name, p.penalized, [...p.value.data]]), [['gamma', false, [1, 1, 1]], ['beta', false, [0, 0, 0]]]);
    assert.deepEqual([bn.nIn, bn.nOut], [6, 6]);
    assert.deepEqual([...bn.runningVar.data], [1, 1, 1]);
    assert.throws(() => new BatchNorm(be64, 0, 1), /BatchNorm: channels is 0 but must be a positive integer/);
    assert.throws(() => new BatchNorm(be64, 3, 1, { momentum: 1.5 }), /BatchNorm: momentum is 1.5 but must be in \[0, 1\]/);
    assert.throws(() => new BatchNorm(be64, 3, 1, { eps: -1 }), /BatchNorm: eps is -1/);
    assert.throws(() => bn.forward(be64.zeros(2, 5), true), /BatchNorm.forward: input has 5 features but the layer expects 6/);
  });

  test('buffers are cached per batch size and the input is not modified', () => {
    const bn = new BatchNorm(be64, 2, 1);
    const x = be64.fromArray(3, 2, [1, 2, 3, 5, 8, 13]);
    const before = Float64Array.from(x.data);
    const y1 = bn.forward(x, true);
    const dx1 = bn.backward(be64.fromArray(3, 2, [1, 0, 0, 1, 1, 1]), true);
    assert.equal(bn.forward(x, true), y1);
    assert.equal(bn.backward(be64.fromArray(3, 2, [1, 0, 0, 1, 1, 1]), true), dx1);
    assert.notEqual(bn.forward(be64.zeros(2, 2), true), y1);
    assert.deepEqual(x.data, before);
    assert.equal(bn.backward(be64.zeros(2, 2), false), null);
  });
});
