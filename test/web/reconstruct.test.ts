/** The page's display of what the first layer makes of its inputs agrees with the models' own functions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/index.ts';
import { Rng } from '../../src/rng/index.ts';
import { createRbm, meanHiddens, meanVisibles } from '../../src/models/rbm.ts';
import { gibbsSamples, reconstruct } from '../../web/src/reconstruct.ts';

test('reconstruct(rbm) is E[v | h = E[h | v]] as meanHiddens then meanVisibles compute it, and gibbsSamples stays in [0, 1] and leaves its input alone', () => {
  const be = createReferenceBackend();
  const rng = new Rng(5);
  const nIn = 12, nH = 7, n = 3;
  const p = createRbm(be, nIn, nH, rng.fork('init'));
  p.hiddenBias.data.set(rng.fork('hb').fillNormal(new Float32Array(nH), 0, 0.5));
  p.visibleBias.data.set(rng.fork('vb').fillNormal(new Float32Array(nIn), 0, 0.5));
  const x = new Float32Array(n * nIn);
  rng.fork('x').fillUniform(x);
  const h = be.zeros(n, nH), v = be.zeros(n, nIn);
  meanHiddens(be, p, be.fromArray(n, nIn, x), h);
  meanVisibles(be, p, h, v);
  const ours = reconstruct({ kind: 'rbm', params: p }, x, nIn);
  for (let i = 0; i < ours.length; i++) assert.ok(Math.abs(ours[i]! - v.data[i]!) < 1e-5, `value ${i}: ${ours[i]} vs ${v.data[i]}`);
  const before = x.slice();
  const s = gibbsSamples({ kind: 'rbm', params: p }, x, nIn, 2, 1);
  assert.deepEqual(x, before, 'the input is not modified');
  assert.ok(s.every((u) => u > 0 && u < 1));
  assert.deepEqual(gibbsSamples({ kind: 'rbm', params: p }, x, nIn, 2, 1), s, 'the same seed draws the same samples');
  assert.notDeepEqual(s, ours, 'a sampled hidden layer gives another picture than the mean-field one');
});
