import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, createBackend, createReferenceBackend, Rng, type Backend, type BackendName, type Matrix } from '../../src/index.ts';
import { GroupNorm } from '../../src/nn/group-norm.ts';
import { layerNorm } from '../../src/nn/layer-norm.ts';
import { numericGradient, assertGradClose } from '../helpers/numeric-gradient.ts';
import { assertClose } from '../helpers/tolerances.ts';
import { groupSets, normReference } from '../helpers/norm-reference.ts';

const be64 = createReferenceBackend('float64');
/** Every available backend, reference64 first (the plain-loop comparison runs on each). */
const BACKENDS: BackendName[] = ['reference64', ...(await availableBackends()).filter((a) => a.available && a.name !== 'reference64').map((a) => a.name)];

/** A GroupNorm with random gamma and beta (so neither is the identity). */
function randomGroupNorm(be: Backend, channels: number, spatial: number, groups: number, rng: Rng): GroupNorm {
  const gn = new GroupNorm(be, channels, spatial, groups);
  be.copy(be.fromArray(1, channels, rng.fillUniform(new Float64Array(channels), 0.5, 2)), gn.gamma);
  be.copy(be.fromArray(1, channels, rng.fillUniform(new Float64Array(channels), -1, 1)), gn.beta);
  return gn;
}

/** `L = sum(y * r)`, so `dL/dy = r`. */
function weightedSum(y: Matrix, r: Matrix): number {
  let s = 0;
  for (let i = 0; i < y.size; i++) s += y.data[i]! * r.data[i]!;
  return s;
}

/** Float64 gradient check of dx, dgamma and dbeta for one layer and batch. */
function gradientCheck(gn: GroupNorm, batch: number, rng: Rng): void {
  const n = batch * gn.nIn;
  const x = be64.fromArray(batch, gn.nIn, rng.fillUniform(new Float64Array(n), -1, 2));
  const r = be64.fromArray(batch, gn.nIn, rng.fillUniform(new Float64Array(n), -1, 1));
  const loss = (): number => weightedSum(gn.forward(x, true), r);
  const gx = numericGradient(x, loss), gg = numericGradient(gn.gamma, loss), gb = numericGradient(gn.beta, loss);
  loss();
  const dx = gn.backward(r, true)!;
  assertGradClose(dx.data, gx, 'dx');
  assertGradClose(gn.dgamma.data, gg, 'dgamma');
  assertGradClose(gn.dbeta.data, gb, 'dbeta');
}

describe('GroupNorm', () => {
  for (const [batch, spatial, channels, groups] of [[2, 4, 6, 3], [3, 1, 6, 1], [2, 3, 4, 4], [1, 5, 6, 2]] as const) {
    test(`backward matches float64 central differences for dx, dgamma, dbeta (batch ${batch}, S ${spatial}, C ${channels}, groups ${groups})`, () => {
      gradientCheck(randomGroupNorm(be64, channels, spatial, groups, new Rng(5).fork('gn', batch, spatial, channels, groups)), batch, new Rng(6));
    });
  }

  for (const name of BACKENDS) {
    test(`forward and backward equal a plain-loop float64 reference at odd shapes on '${name}'`, async () => {
      const be = name === 'reference64' ? be64 : await createBackend(name);
      const tol = be.dtype === 'float64' ? 1e-11 : 2e-5;
      for (const [batch, spatial, channels, groups] of [[3, 5, 7, 7], [17, 1, 33, 11], [2, 25, 3, 1], [1, 25, 33, 3]] as const) {
        const rng = new Rng(11).fork('gn-plain', batch, spatial, channels, groups);
        const n = batch * spatial * channels;
        const gn = randomGroupNorm(be, channels, spatial, groups, rng);
        const x = be.fromArray(batch, spatial * channels, rng.fillUniform(new Float64Array(n), -1, 3));
        const dy = be.fromArray(batch, spatial * channels, rng.fillUniform(new Float64Array(n), -1, 1));
        const want = normReference(x.data, dy.data, groupSets(batch, spatial, channels, groups), channels, gn.gamma.data, gn.beta.data, gn.eps);
        const what = `${name} batch ${batch} S ${spatial} C ${channels} groups ${groups}`;
        assertClose(gn.forward(x, true).data, want.y, tol, `y ${what}`);
        assertClose(gn.backward(dy, true)!.data, want.dx, tol, `dx ${what}`);
        assertClose(gn.dgamma.data, want.dgamma, tol * Math.sqrt(batch * spatial), `dgamma ${what}`);
        assertClose(gn.dbeta.data, want.dbeta, tol * Math.sqrt(batch * spatial), `dbeta ${what}`);
      }
    });
  }

  test('is correct at batch 1: each example is normalised on its own, the same in training and evaluation', () => {
    const rng = new Rng(8);
    const gn = randomGroupNorm(be64, 6, 4, 2, rng);
    const x = be64.fromArray(3, 24, rng.fillUniform(new Float64Array(72), -2, 2));
    const together = Float64Array.from(gn.forward(x, true).data);
    for (let i = 0; i < 3; i++) {
      const row = be64.fromArray(1, 24, x.data.subarray(i * 24, (i + 1) * 24));
      assertClose(gn.forward(row, true).data, together.subarray(i * 24, (i + 1) * 24), 1e-14, `example ${i} alone (training)`);
      assertClose(gn.forward(row, false).data, together.subarray(i * 24, (i + 1) * 24), 1e-14, `example ${i} alone (evaluation)`);
    }
  });

  test('a group count that does not divide the channels is refused, naming both and the divisors', () => {
    assert.throws(() => new GroupNorm(be64, 6, 1, 4), (e: unknown) => e instanceof RangeError && e.message === 'GroupNorm: groups 4 does not divide channels 6; use a divisor of 6 (1, 2, 3, 6)');
    assert.throws(() => new GroupNorm(be64, 6, 1, 0), /GroupNorm: groups 0 does not divide channels 6/);
    assert.throws(() => new GroupNorm(be64, 6, 1, 12), /GroupNorm: groups 12 does not divide channels 6/);
    assert.throws(() => new GroupNorm(be64, 6, 0, 2), /GroupNorm: spatial is 0 but must be a positive integer/);
    assert.throws(() => new GroupNorm(be64, 6, 1, 2, { eps: NaN }), /GroupNorm: eps is NaN/);
  });

  test('params are gamma (ones) and beta (zeros), unpenalized; no buffers; cached per batch size', () => {
    const gn = new GroupNorm(be64, 4, 2, 2);
    assert.deepEqual(gn.params().map((p) => [p.name, p.penalized, [...p.value.data]]), [['gamma', false, [1, 1, 1, 1]], ['beta', false, [0, 0, 0, 0]]]);
    assert.equal((gn as { buffers?: unknown }).buffers, undefined);
    const x = be64.fromArray(2, 8, [1, 2, 3, 4, 5, 6, 7, 9, 0, 1, 0, 1, 0, 2, 0, 2]);
    const before = Float64Array.from(x.data);
    const y = gn.forward(x, true);
    assert.equal(gn.forward(x, false), y);
    assert.deepEqual(x.data, before);
    assert.throws(() => gn.forward(be64.zeros(2, 4), true), /GroupNorm.forward: input has 4 features but the layer expects 8/);
  });
});

describe('layerNorm', () => {
  test('is GroupNorm with one group: every example normalised over all its features', () => {
    const ln = layerNorm(be64, 5, 3);
    assert.ok(ln instanceof GroupNorm);
    assert.equal(ln.groups, 1);
    const rng = new Rng(9);
    const x = be64.fromArray(1, 15, rng.fillUniform(new Float64Array(15), -3, 5));
    const y = ln.forward(x, true); // gamma 1, beta 0: mean 0, variance var / (var + eps)
    let mean = 0, sq = 0, vx = 0, mx = 0;
    for (let i = 0; i < 15; i++) mx += x.data[i]! / 15;
    for (let i = 0; i < 15; i++) {
      mean += y.data[i]! / 15;
      sq += y.data[i]! ** 2 / 15;
      vx += (x.data[i]! - mx) ** 2 / 15;
    }
    assert.ok(Math.abs(mean) < 1e-14, `mean ${mean}`);
    assert.ok(Math.abs(sq - vx / (vx + 1e-5)) < 1e-12, `variance ${sq}`);
  });

  for (const batch of [1, 3]) {
    test(`backward matches float64 central differences (batch ${batch}, dense and conv shapes)`, () => {
      const rng = new Rng(10).fork('ln', batch);
      for (const [channels, spatial] of [[7, 1], [3, 4]] as const) {
        const ln = layerNorm(be64, channels, spatial, { eps: 1e-3 });
        be64.copy(be64.fromArray(1, channels, rng.fillUniform(new Float64Array(channels), 0.5, 2)), ln.gamma);
        be64.copy(be64.fromArray(1, channels, rng.fillUniform(new Float64Array(channels), -1, 1)), ln.beta);
        assert.equal(ln.eps, 1e-3);
        gradientCheck(ln, batch, rng);
      }
    });
  }
});
