import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeInput, inputNormalization } from '../../src/export/input-normalization.ts';
import type { MlpSpec } from '../../src/models/mlp.ts';

const flat: MlpSpec = { nIn: 12, hidden: [4], nClasses: 5, activation: 'relu', init: 'he' };
const image: MlpSpec = { ...flat, nIn: 784, image: { height: 28, width: 28, channels: 1 } };
const cfg = (data: Record<string, unknown>): string => JSON.stringify({ seed: 1, data });

test('inputNormalization says how each data source was scaled, from the trial config', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ name: 'mnist' }, /^x = pixel \/ 255/],
    [{ name: 'infinite-mnist' }, /^x = pixel \/ 255/],
    [{ name: 'shapeset-3x2' }, /Shapeset generator.*no scaling/],
    [{ name: 'idx:a.idx,b.idx' }, /uint8 IDX pixels \/ 255.*other types were taken as stored/],
    [{ name: 'csv:a.csv?scale=none' }, /^CSV values as stored/],
    [{ name: 'csv:a.csv?label=y&scale=255' }, /^CSV values \/ 255$/],
    [{ name: 'csv:a.csv' }, /when every value of the training file was in \[0, 255\] and some exceeded 1/],
  ];
  for (const [data, scale] of cases) assert.match(inputNormalization(flat, cfg(data)).scale, scale, JSON.stringify(data));
});

test('binarisation, relabelled classes and the NHWC image layout are written down; no config says so', () => {
  const t = inputNormalization(image, cfg({ name: 'mnist', binarize: 'threshold', labels: [5, 6, 7, 8, 9] }));
  assert.match(t.binarize, /^threshold: then x = \(x >= 0\.5 \? 1 : 0\), applied before the network/);
  assert.deepEqual(t.labels, [5, 6, 7, 8, 9]);
  assert.match(t.layout, /^float32 \[N, 784\].*height 28, width 28 and 1 channel\(s\).*NHWC.*\(y \* 28 \+ x\) \* 1 \+ c/);
  assert.match(describeInput(t, 5), /output class i is original label \[5, 6, 7, 8, 9\]\[i\]/);
  assert.match(inputNormalization(flat, cfg({ name: 'mnist', binarize: 'stochastic' })).binarize, /one Bernoulli sample per value/);
  const none = inputNormalization(flat, null);
  assert.deepEqual([none.data, none.scale, none.binarize, none.labels], [null, 'unknown: the checkpoint holds no readable config', 'none', null]);
  assert.equal(inputNormalization(flat, '{not json').scale, 'unknown: the checkpoint holds no readable config');
  assert.match(describeInput(none, 5), /^Input: float32 \[N, 12\]: one example per row\. .*output class i is label i \(0\.\.4\)\.$/);
});
