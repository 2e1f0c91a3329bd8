import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSplits, formatSplits, loadData, writeIdx } from '../../src/index.ts';
import { dataConfig } from '../helpers/data-config.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir();

test('issue 12 case 10: describeSplits says what each split of one user file holds: the last sixth test, the sixth before it valid', async () => {
  const f = join(dir, 'digits.csv');
  writeFileSync(f, 'label,a\n' + Array.from({ length: 60 }, (_, i) => `${i % 3},${i}`).join('\n') + '\n');
  const s = describeSplits(dataConfig(`csv:${f}`));
  assert.deepEqual([s.train.n, s.valid.n, s.test.n], [40, 10, 10]);
  assert.equal(formatSplits(s), `data csv:${f}: train 40 (digits.csv examples 0..39), valid 10 (digits.csv examples 40..49), test 10 (digits.csv examples 50..59)`);
  const loaded = await loadData(dataConfig(`csv:${f}`), 1);
  assert.deepEqual([loaded.train.n, loaded.valid.n, loaded.test.n], [s.train.n, s.valid.n, s.test.n], 'the description matches what loadData yields');
});

test('issue 12 case 10: with a test file, the last sixth of the training file is valid; sizes say what a trial uses', () => {
  const pair = (name: string, n: number): string[] => {
    const im = join(dir, `${name}-images.idx.gz`), lb = join(dir, `${name}-labels.idx`);
    writeIdx(im, { type: 'uint8', dims: [n, 2, 2], data: new Uint8Array(n * 4) });
    writeIdx(lb, { type: 'uint8', dims: [n], data: new Uint8Array(n).map((_, i) => i % 2) });
    return [im, lb];
  };
  const s = describeSplits(dataConfig(`idx:${[...pair('tr', 60), ...pair('te', 7)].join(',')}`, { trainSize: 20, testSize: 5 }));
  assert.deepEqual(s.train, { n: 20, of: 50, from: 'a class-stratified subset drawn by the seed of tr-images.idx.gz examples 0..49' });
  assert.deepEqual(s.valid, { n: 10, of: 10, from: 'tr-images.idx.gz examples 50..59' });
  assert.deepEqual(s.test, { n: 5, of: 7, from: 'the first examples of te-images.idx.gz, all 7' });
  const m = formatSplits(describeSplits(dataConfig('mnist')));
  assert.equal(m, 'data mnist: train 50000 (MNIST training set examples 0..49999), valid 10000 (MNIST training set examples 50000..59999), test 10000 (MNIST test set)');
});

test('data.labels and data.labeled are in the description, and its counts are those loadData yields', async () => {
  const cases = [
    dataConfig('mnist', { labels: [5, 6, 7, 8, 9], trainSize: 1000 }),
    dataConfig('mnist', { labeled: 0.1, trainSize: 2000, seed: 0 }),
    dataConfig('mnist', { labels: [0, 1, 2, 3, 4], labeled: 0.001, trainSize: 3000 }),
  ];
  for (const cfg of cases) {
    const s = describeSplits(cfg);
    const d = await loadData(cfg, 1);
    assert.deepEqual([s.train.n, s.valid.n, s.test.n], [(d.unlabeled ?? d.train).n, d.valid.n, d.test.n], JSON.stringify(cfg));
    if (d.unlabeled) assert.equal(s.train.labelled, d.train.n, 'the labelled count');
    else assert.equal(s.train.labelled, undefined);
  }
  const line = formatSplits(describeSplits(cases[0]!));
  assert.match(line, /^data mnist: train 1000 of \d+ \(a class-stratified subset drawn by the seed of classes 5, 6, 7, 8, 9 \(relabelled 0\.\.4\) of MNIST training set examples 0\.\.49999\), valid \d+ \(classes 5, 6, 7, 8, 9/);
  assert.match(formatSplits(describeSplits(cases[1]!)), /train 2000 of 50000 \(.*; labels of 200 kept \(data\.labeled 0\.1, a class-stratified subset drawn by data seed 0\), all 2000 pre-train\)/);
  assert.equal(describeSplits(cases[2]!).train.labelled, 5, 'at least one example per class');
  // Generated data is not counted: an upper bound, said as such.
  assert.match(formatSplits(describeSplits(dataConfig('shapeset-3x2', { labels: [0, 1] }))), /train at most \d+ \(classes 0, 1/);
});
