import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cdGradients,
  createRbm,
  createRbmState,
  freeEnergy,
  meanHiddens,
  meanVisibles,
  pseudoLikelihood,
  reconstructionError,
  sampleHiddens,
  sampleVisibles,
  type CdOptions,
  type RbmParams,
  type RbmState,
  type VisibleUnits,
} from '../../src/models/rbm.ts';
import { Sgd, type SgdConfig } from '../../src/nn/sgd.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import type { Matrix } from '../../src/tensor/matrix.ts';

const be = createReferenceBackend('float64');
const sig = (a: number) => 1 / (1 + Math.exp(-a));

function randomMatrix(rows: number, cols: number, rng: Rng, lo: number, hi: number): Matrix {
  return be.fromArray(rows, cols, Array.from({ length: rows * cols }, () => lo + (hi - lo) * rng.uniform()));
}

function randomRbm(nV: number, nH: number, seed: number, visible: VisibleUnits = 'bernoulli', scale = 1): RbmParams {
  const r = new Rng(seed);
  const p = createRbm(be, nV, nH, new Rng(0), visible);
  for (const m of [p.W, p.visibleBias, p.hiddenBias]) m.data.set(randomMatrix(m.rows, m.cols, r, -scale, scale).data);
  return p;
}

/** One CD update through the optimiser, as pre-training makes it: `cdGradients` into `opt`. */
function cdUpdate(p: RbmParams, state: RbmState, v0: Matrix, rng: Rng, chain: CdOptions, opt: Sgd): number {
  return cdGradients(be, p, state, v0, rng, chain, opt);
}

const sgd = (over: Partial<SgdConfig>): SgdConfig => ({ lr: 0.1, momentum: 0, lrDecay: 0, l1: 0, l2: 0, ...over });

/** All binary vectors of length n, as rows of an [2^n, n] array. */
function allBinary(n: number): number[][] {
  return Array.from({ length: 2 ** n }, (_, m) => Array.from({ length: n }, (_, i) => (m >> i) & 1));
}

/** E(v, h) in plain loops. */
function energy(p: RbmParams, v: number[], h: number[]): number {
  const nV = p.W.rows, nH = p.W.cols;
  let e = 0;
  for (let i = 0; i < nV; i++) e += p.visible === 'bernoulli' ? -p.visibleBias.data[i]! * v[i]! : 0.5 * (v[i]! - p.visibleBias.data[i]!) ** 2;
  for (let j = 0; j < nH; j++) e -= p.hiddenBias.data[j]! * h[j]!;
  for (let i = 0; i < nV; i++) for (let j = 0; j < nH; j++) e -= v[i]! * p.W.data[i * nH + j]! * h[j]!;
  return e;
}

/** -log sum_h exp(-E(v, h)) by enumerating h. */
function freeEnergyByEnumeration(p: RbmParams, v: number[]): number {
  let s = 0;
  for (const h of allBinary(p.W.cols)) s += Math.exp(-energy(p, v, h));
  return -Math.log(s);
}

/** Exact log Z of a Bernoulli RBM by enumerating every (v, h). */
function logZ(p: RbmParams): number {
  let z = 0;
  for (const v of allBinary(p.W.rows)) for (const h of allBinary(p.W.cols)) z += Math.exp(-energy(p, v, h));
  return Math.log(z);
}

test('freeEnergy(v) equals -log sum_h exp(-E(v,h)) (Bernoulli and Gaussian visibles)', () => {
  for (const visible of ['bernoulli', 'gaussian'] as const) {
    const p = randomRbm(4, 3, 1, visible);
    const vs = visible === 'bernoulli' ? allBinary(4) : Array.from({ length: 5 }, (_, i) => [0.3 * i - 1, 0.7, -0.2 * i, 1.5]);
    const fe = freeEnergy(be, p, be.fromArray(vs.length, 4, vs.flat()));
    vs.forEach((v, r) => assert.ok(Math.abs(fe[r]! - freeEnergyByEnumeration(p, v)) < 1e-12, `${visible} F(${v}) ${fe[r]}`));
  }
});

test('sum_v exp(-F(v)) equals Z computed by enumerating every (v, h) of a 4 x 3 RBM', () => {
  const p = randomRbm(4, 3, 2, 'bernoulli', 1.5);
  const vs = allBinary(4);
  const fe = freeEnergy(be, p, be.fromArray(16, 4, vs.flat()));
  let z = 0;
  for (const f of fe) z += Math.exp(-f);
  assert.ok(Math.abs(Math.log(z) - logZ(p)) < 1e-12, `log sum exp(-F) ${Math.log(z)} vs log Z ${logZ(p)}`);
});

/** CD-k / PCD-k in plain loops, drawing uniforms in the order documented by cdGradients; penalty l2 ||W||^2. */
function referenceCd(p: RbmParams, v0: number[][], rng: Rng, k: number, lr: number, l2: number, hStart: number[][] | null) {
  const nV = p.W.rows, nH = p.W.cols, B = v0.length;
  const W = Array.from(p.W.data), b = Array.from(p.visibleBias.data), c = Array.from(p.hiddenBias.data);
  const hGivenV = (v: number[]) => Array.from({ length: nH }, (_, j) => sig(c[j]! + v.reduce((s, vi, i) => s + vi * W[i * nH + j]!, 0)));
  const vGivenH = (h: number[]) => Array.from({ length: nV }, (_, i) => sig(b[i]! + h.reduce((s, hj, j) => s + hj * W[i * nH + j]!, 0)));
  const h0 = v0.map(hGivenV);
  let hChain = hStart ? hStart.map((r) => [...r]) : h0.map((row) => row.map((m) => (rng.uniform() < m ? 1 : 0)));
  let vChain: number[][] = [], hMean: number[][] = [];
  for (let s = 0; s < k; s++) {
    vChain = hChain.map((h) => vGivenH(h).map((m) => (rng.uniform() < m ? 1 : 0)));
    hMean = vChain.map(hGivenV);
    hChain = hMean.map((row) => row.map((m) => (rng.uniform() < m ? 1 : 0)));
  }
  const newW = W.map((w, idx) => {
    const i = Math.floor(idx / nH), j = idx % nH;
    let g = 0;
    for (let r = 0; r < B; r++) g += v0[r]![i]! * h0[r]![j]! - vChain[r]![i]! * hMean[r]![j]!;
    return w - lr * (-g / B + 2 * l2 * w);
  });
  const newB = b.map((x, i) => x + (lr / B) * v0.reduce((s, v, r) => s + v[i]! - vChain[r]![i]!, 0));
  const newC = c.map((x, j) => x + (lr / B) * h0.reduce((s, h, r) => s + h[j]! - hMean[r]![j]!, 0));
  return { W: newW, b: newB, c: newC, hChain };
}

function assertArrayClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-12) {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

test('the CD-k update (l2 penalty) for fixed weights and fixed uniforms equals the update derived in plain loops (k = 1, 3)', () => {
  for (const k of [1, 3]) {
    const p = randomRbm(5, 4, 3);
    const r = new Rng(10);
    const v0 = Array.from({ length: 3 }, () => Array.from({ length: 5 }, () => (r.uniform() < 0.5 ? 1 : 0)));
    const want = referenceCd(p, v0, new Rng(77), k, 0.1, 0.005, null);
    const state = createRbmState(be, p, 3);
    cdUpdate(p, state, be.fromArray(3, 5, v0.flat()), new Rng(77), { k, persistent: false }, new Sgd(be, p.params, sgd({ l2: 0.005 })));
    assertArrayClose(p.W.data, want.W, `CD-${k} W`);
    assertArrayClose(p.visibleBias.data, want.b, `CD-${k} visibleBias`);
    assertArrayClose(p.hiddenBias.data, want.c, `CD-${k} hiddenBias`);
    assert.deepEqual(Array.from(state.hChain.data), want.hChain.flat());
  }
});

test('PCD chains persist across updates: each update continues the previous negative chain', () => {
  const p = randomRbm(5, 4, 4);
  const ref = randomRbm(5, 4, 4);
  const v0 = [[1, 0, 1, 1, 0], [0, 1, 1, 0, 0]];
  const state = createRbmState(be, p, 2);
  const rng = new Rng(5), refRng = new Rng(5);
  let chain = [[0, 0, 0, 0], [0, 0, 0, 0]]; // chains start at all-zero hidden states
  const opt = new Sgd(be, p.params, sgd({ lr: 0.2 }));
  for (let t = 0; t < 4; t++) {
    cdUpdate(p, state, be.fromArray(2, 5, v0.flat()), rng, { k: 1, persistent: true }, opt);
    const want = referenceCd(ref, v0, refRng, 1, 0.2, 0, chain);
    ref.W.data.set(want.W);
    ref.visibleBias.data.set(want.b);
    ref.hiddenBias.data.set(want.c);
    chain = want.hChain;
    assertArrayClose(p.W.data, want.W, `update ${t + 1} W`);
    assert.deepEqual(Array.from(state.hChain.data), chain.flat(), `chain after update ${t + 1}`);
  }
  assert.equal(state.updates, 4);
});

test('the mean of many hidden and visible samples approaches the mean-field values', () => {
  for (const visible of ['bernoulli', 'gaussian'] as const) {
    const p = randomRbm(6, 5, 6, visible);
    const n = 20000, r = new Rng(12);
    const v = be.fromArray(n, 6, Array.from({ length: n }, () => [0.2, 0.9, 0.5, 0, 1, 0.4]).flat());
    const u = randomMatrix(n, 5, r, 0, 1), mean = be.zeros(n, 5), hs = be.zeros(n, 5);
    sampleHiddens(be, p, v, u, mean, hs);
    const mf = be.zeros(1, 5);
    meanHiddens(be, p, be.fromArray(1, 6, [0.2, 0.9, 0.5, 0, 1, 0.4]), mf);
    const avg = be.zeros(1, 5);
    be.colSums(hs, avg, 1 / n);
    for (let j = 0; j < 5; j++) {
      const m = mf.data[j]!, sd = Math.sqrt(m * (1 - m) / n);
      assert.ok(Math.abs(avg.data[j]! - m) < 4.5 * sd, `hidden ${j}: sample mean ${avg.data[j]} vs mean-field ${m}`);
    }
    const h = be.fromArray(n, 5, Array.from({ length: n }, () => [1, 0, 1, 1, 0]).flat());
    const noise = be.zeros(n, 6);
    if (visible === 'bernoulli') r.fillUniform(noise.data);
    else r.fillNormal(noise.data);
    const vm = be.zeros(n, 6), vs = be.zeros(n, 6), vmf = be.zeros(1, 6), vavg = be.zeros(1, 6);
    sampleVisibles(be, p, h, noise, vm, vs);
    meanVisibles(be, p, be.fromArray(1, 5, [1, 0, 1, 1, 0]), vmf);
    be.colSums(vs, vavg, 1 / n);
    for (let i = 0; i < 6; i++) {
      const m = vmf.data[i]!, sd = visible === 'bernoulli' ? Math.sqrt(m * (1 - m) / n) : 1 / Math.sqrt(n);
      assert.ok(Math.abs(vavg.data[i]! - m) < 4.5 * sd, `${visible} visible ${i}: sample mean ${vavg.data[i]} vs ${m}`);
    }
  }
});

test('pseudoLikelihood is nVisible * log sigmoid(F(flipped v) - F(v)) at the Rng-chosen index, and leaves v unchanged', () => {
  const p = randomRbm(4, 3, 7);
  const rows = [[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 1, 0]];
  const v = be.fromArray(3, 4, rows.flat());
  const got = pseudoLikelihood(be, p, v, new Rng(31));
  const r = new Rng(31);
  let want = 0;
  for (const row of rows) {
    const i = r.int(4), flipped = [...row];
    flipped[i] = 1 - flipped[i]!;
    want += 4 * Math.log(sig(freeEnergyByEnumeration(p, flipped) - freeEnergyByEnumeration(p, row)));
  }
  assert.ok(Math.abs(got - want / 3) < 1e-12, `${got} vs ${want / 3}`);
  assert.deepEqual(Array.from(v.data), rows.flat());
});

/** Exact mean log-likelihood of binary rows under a Bernoulli RBM. */
function exactLogLikelihood(p: RbmParams, data: number[][]): number {
  const lz = logZ(p);
  const fe = freeEnergy(be, p, be.fromArray(data.length, p.W.rows, data.flat()));
  return fe.reduce((s, f) => s - f - lz, 0) / data.length;
}

test('CD-1 and PCD-1 training raise the exact log-likelihood of a 4-bit data set', () => {
  const protos = [[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0]];
  const r = new Rng(40);
  const data = Array.from({ length: 60 }, (_, i) => protos[i % 3]!.map((b) => (r.uniform() < 0.05 ? 1 - b : b)));
  for (const persistent of [false, true]) {
    const p = createRbm(be, 4, 3, new Rng(1).fork('init'));
    const before = exactLogLikelihood(p, data);
    const state = createRbmState(be, p, 10);
    const opt = new Sgd(be, p.params, sgd({ momentum: 0.5 }), { fuseMomentum: false });
    const rng = new Rng(2).fork('sampling'), x = be.zeros(10, 4);
    for (let epoch = 0; epoch < 60; epoch++) {
      for (let s = 0; s < 60; s += 10) {
        x.data.set(data.slice(s, s + 10).flat());
        cdUpdate(p, state, x, rng, { k: 1, persistent }, opt);
      }
    }
    const after = exactLogLikelihood(p, data);
    assert.ok(after > before + 0.5, `${persistent ? 'PCD' : 'CD'}: log-likelihood ${before} -> ${after}`);
  }
});

test('cdGradients is reproducible bit for bit from the seed and never mutates its minibatch', () => {
  const run = (seed: number) => {
    const p = createRbm(be, 8, 5, new Rng(seed).fork('init'));
    const st = createRbmState(be, p, 4);
    const opt = new Sgd(be, p.params, sgd({ momentum: 0.9, l2: 5e-4 }), { fuseMomentum: false });
    const rng = new Rng(seed).fork('sampling');
    const x = be.fromArray(4, 8, Array.from({ length: 32 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0));
    const before = Float64Array.from(x.data);
    for (let t = 0; t < 5; t++) cdUpdate(p, st, x, rng, { k: 2, persistent: t > 0 }, opt);
    assert.deepEqual(x.data, before);
    return Float64Array.from(p.W.data);
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
});

test('reconstructionError is the cross-entropy of v -> E[h|v] -> E[v|h] summed over units and rows', () => {
  const p = randomRbm(4, 3, 8);
  const rows = [[1, 0, 1, 1], [0, 0.5, 1, 0]];
  const got = reconstructionError(be, p, be.fromArray(2, 4, rows.flat()), be.zeros(2, 3), be.zeros(2, 4));
  let want = 0;
  for (const v of rows) {
    const h = [0, 1, 2].map((j) => sig(p.hiddenBias.data[j]! + v.reduce((s, vi, i) => s + vi * p.W.data[i * 3 + j]!, 0)));
    v.forEach((vi, i) => {
      const q = sig(p.visibleBias.data[i]! + h.reduce((s, hj, j) => s + hj * p.W.data[i * 3 + j]!, 0));
      want -= vi * Math.log(q) + (1 - vi) * Math.log(1 - q);
    });
  }
  assert.ok(Math.abs(got - want) < 1e-12, `${got} vs ${want}`);
});

test('cdGradients rejects k < 1 and minibatches of the wrong shape', () => {
  const p = randomRbm(4, 3, 9), st = createRbmState(be, p, 2);
  const opt = new Sgd(be, p.params, sgd({}));
  assert.throws(() => cdUpdate(p, st, be.zeros(2, 4), new Rng(1), { k: 0, persistent: false }, opt), /k \(Gibbs steps\)/);
  assert.throws(() => cdUpdate(p, st, be.zeros(3, 4), new Rng(1), { k: 1, persistent: false }, opt), /v0 must be \[2, 4\]/);
});
