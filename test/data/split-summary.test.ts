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
