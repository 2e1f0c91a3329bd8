import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerWeightChanges, weightChange } from '../../src/analysis/weight-change.ts';
import type { Checkpoint } from '../../src/train/checkpoint.ts';

test('weightChange counts sign flips and measures ||after - before|| / ||before||', () => {
  const r = weightChange([3, -4, 1, 2], [3, 4, -1, 2]); // two flips; diff (0, 8, -2, 0)
  assert.equal(r.signChange, 0.5);
  assert.ok(Math.abs(r.relativeChange - Math.sqrt(68 / 30)) < 1e-12);
  assert.ok(Math.abs(r.absoluteChange - Math.sqrt(68)) < 1e-12);
  assert.deepEqual(weightChange([1, -1], [1, -1]), { signChange: 0, relativeChange: 0, absoluteChange: 0 });
});

test('layerWeightChanges compares hidden.<l>.W layer by layer, 1-based, and ignores biases and the output layer', () => {
  const ck = (w0: number[], w1: number[]): Checkpoint => ({
    tensors: new Map([
      ['hidden.0.W', { shape: [2, 1], data: Float32Array.from(w0) }],
      ['hidden.0.b', { shape: [1, 1], data: Float32Array.from([5]) }],
      ['hidden.1.W', { shape: [1, 1], data: Float32Array.from(w1) }],
      ['output.W', { shape: [1, 1], data: Float32Array.from([9]) }],
    ]),
    metadata: {},
  });
  const r = layerWeightChanges(ck([1, 1], [2]), ck([1, -1], [3]));
  assert.deepEqual(r.map((l) => l.layer), [1, 2]);
  assert.equal(r[0]!.signChange, 0.5);
  assert.equal(r[1]!.signChange, 0);
  assert.ok(Math.abs(r[1]!.relativeChange - 0.5) < 1e-12);
});

test('layerWeightChanges measures conv layers too: conv.<c>.W bottom first, then the dense layers, numbered 1.. with their kind and name', () => {
  const ck = (c0: number[], c1: number[], d0: number[]): Checkpoint => ({
    tensors: new Map([
      ['conv.0.W', { shape: [2, 1], data: Float32Array.from(c0) }],
      ['conv.0.b', { shape: [1, 1], data: Float32Array.from([1]) }],
      ['conv.1.W', { shape: [1, 2], data: Float32Array.from(c1) }],
      ['hidden.0.W', { shape: [1, 1], data: Float32Array.from(d0) }],
      ['output.W', { shape: [1, 1], data: Float32Array.from([9]) }],
    ]),
    metadata: {},
  });
  const r = layerWeightChanges(ck([1, 2], [3, 4], [2]), ck([1, 2], [-3, 4], [1]));
  assert.deepEqual(r.map((l) => [l.layer, l.kind, l.name]), [[1, 'conv', 'conv.0'], [2, 'conv', 'conv.1'], [3, 'dense', 'hidden.0']]);
  assert.deepEqual([r[0]!.signChange, r[0]!.relativeChange], [0, 0], 'an unchanged (frozen) layer: exactly zero');
  assert.equal(r[1]!.signChange, 0.5);
  assert.ok(Math.abs(r[1]!.relativeChange - 6 / 5) < 1e-12);
  assert.ok(Math.abs(r[2]!.relativeChange - 0.5) < 1e-12);
  assert.throws(() => layerWeightChanges(ck([1, 2], [3, 4], [2]), { tensors: new Map([['conv.0.W', { shape: [1, 2], data: Float32Array.from([1, 2]) }]]), metadata: {} }), /conv\.0\.W is \[2, 1\] before but \[1, 2\] after/);
});
