import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import type { Param } from '../../src/nn/layer.ts';
import { clipGradientNorm } from '../../src/nn/clip.ts';

const be = createReferenceBackend('float64');
const param = (name: string, grad: number[]): Param => ({ name, value: be.zeros(1, grad.length), grad: be.fromArray(1, grad.length, grad), penalized: true });

test('clipGradientNorm scales every gradient by maxNorm / ||g|| when the global norm is above the threshold', () => {
  // ||(3, 4) (0, 12)|| = sqrt(9 + 16 + 144) = 13
  const ps = [param('W', [3, 4]), param('b', [0, 12])];
  assert.equal(clipGradientNorm(be, ps, 6.5), 13, 'returns the norm before clipping');
  assert.deepEqual([...ps[0]!.grad.data, ...ps[1]!.grad.data], [1.5, 2, 0, 6]);
  const after = Math.sqrt(ps.reduce((s, p) => s + be.sumSquares(p.grad), 0));
  assert.ok(Math.abs(after - 6.5) < 1e-15, `norm after clipping ${after}`);
});

test('clipGradientNorm leaves the gradients untouched at or below the threshold', () => {
  const ps = [param('W', [3, 4]), param('b', [0, 12])];
  assert.equal(clipGradientNorm(be, ps, 13), 13);
  assert.equal(clipGradientNorm(be, ps, 100), 13);
  assert.deepEqual([...ps[0]!.grad.data, ...ps[1]!.grad.data], [3, 4, 0, 12]);
});
