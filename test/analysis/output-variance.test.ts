import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { meanOutputVariance, readTestOutputs, type TestOutputs } from '../../src/analysis/output-variance.ts';
import { variance } from '../../src/stats/descriptive.ts';
import { writeCheckpoint } from '../../src/train/checkpoint.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const outputs = (testN: number, nClasses: number, f: (j: number) => number): TestOutputs => ({ testN, nClasses, data: Float64Array.from({ length: testN * nClasses }, (_, j) => f(j)) });

test('meanOutputVariance is the mean over examples and classes of the sample variance across draws', () => {
  const draws = [0, 1, 2, 3].map((d) => outputs(3, 2, (j) => Math.sin(7 * j + 3 * d * d) + j));
  const perEntry = Array.from({ length: 6 }, (_, j) => variance(draws.map((o) => o.data[j]!)));
  const want = perEntry.reduce((a, b) => a + b) / 6;
  assert.ok(Math.abs(meanOutputVariance(draws) - want) < 1e-15);
});

test('meanOutputVariance is 0 for identical draws and unbiased (n - 1) for two draws', () => {
  assert.equal(meanOutputVariance([outputs(2, 2, (j) => j), outputs(2, 2, (j) => j)]), 0);
  assert.equal(meanOutputVariance([outputs(1, 1, () => 0), outputs(1, 1, () => 2)]), 2, '((0-1)^2 + (2-1)^2) / 1');
});

test('meanOutputVariance refuses fewer than two draws and draws on different test sets', () => {
  assert.throws(() => meanOutputVariance([outputs(2, 2, () => 0)]), /at least 2 draws/);
  assert.throws(() => meanOutputVariance([outputs(2, 2, () => 0), outputs(3, 2, () => 0)]), /different shapes/);
});

test('readTestOutputs reads the outputs tensor of a side file and names the file when it is missing', () => {
  const dir = tempDir();
  const file = path.join(dir, 'outputs.safetensors');
  writeCheckpoint(file, { outputs: { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) } });
  const o = readTestOutputs(file);
  assert.deepEqual([o.testN, o.nClasses, [...o.data]], [2, 3, [1, 2, 3, 4, 5, 6]]);
  const other = path.join(dir, 'other.safetensors');
  writeCheckpoint(other, { probs: { shape: [1, 1], data: new Float32Array(1) } });
  assert.throws(() => readTestOutputs(other), (e: Error) => e.message.includes(other) && e.message.includes("'outputs'"));
});
