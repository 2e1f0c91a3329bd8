/** Data dropped on the page, parsed as the page parses it (no file access): one CSV or an IDX pair, raw or gzip. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parseDroppedFiles } from '../../web/src/user-file.ts';
import { encodeIdx, readCsv, splitUserData, csvExamplesAsRaw } from '../../src/data/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const bytes = (s: string) => new TextEncoder().encode(s);
const csv = ['label,p0,p1,p2,p3', ...Array.from({ length: 12 }, (_, i) => `${i % 3},${i},${i * 2},0,255`)].join('\n');

test('a dropped CSV is split as the CLI splits the same file (4/6 train, 1/6 valid, 1/6 test, the same values)', async () => {
  const s = await parseDroppedFiles([{ name: 'toy.csv', bytes: bytes(csv) }]);
  const file = join(tempDir(), 'toy.csv');
  writeFileSync(file, csv);
  const cli = splitUserData('toy', csvExamplesAsRaw(readCsv(file), file));
  for (const split of ['train', 'valid', 'test'] as const) {
    assert.equal(s[split].n, cli[split].n, split);
    assert.deepEqual([...s[split].x], [...cli[split].x], `${split} features`);
    assert.deepEqual([...s[split].y], [...cli[split].y], `${split} labels`);
  }
  assert.deepEqual([s.train.n, s.valid.n, s.test.n], [8, 2, 2]);
  assert.deepEqual(s.train.image, { height: 2, width: 2 });
  const gz = await parseDroppedFiles([{ name: 'toy.csv.gz', bytes: gzipSync(bytes(csv)) }]);
  assert.deepEqual([...gz.test.x], [...s.test.x], 'gzip CSV gives the same examples');
});

test('a dropped CSV with a bad row is refused with the file, the line, the column and the value', async () => {
  const bad = csv.split('\n');
  bad[5] = '1,4,oops,0,255';
  await assert.rejects(parseDroppedFiles([{ name: 'toy.csv', bytes: bytes(bad.join('\n')) }]), /toy\.csv: line 6, column 3 \(p1\): expected a number .*found "oops"/);
});

test('a dropped IDX pair is read in either order, raw or gzip; mismatched counts and other drops are refused by name', async () => {
  const n = 12;
  const images = encodeIdx({ type: 'uint8', dims: [n, 2, 3], data: Uint8Array.from({ length: n * 6 }, (_, i) => i % 256) });
  const labels = encodeIdx({ type: 'uint8', dims: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 2) });
  const a = await parseDroppedFiles([{ name: 'im-idx3-ubyte', bytes: images }, { name: 'lb-idx1-ubyte', bytes: labels }]);
  const b = await parseDroppedFiles([{ name: 'lb-idx1-ubyte.gz', bytes: gzipSync(labels) }, { name: 'im-idx3-ubyte.gz', bytes: gzipSync(images) }]);
  assert.deepEqual([a.train.n, a.valid.n, a.test.n], [8, 2, 2]);
  assert.deepEqual(a.train.image, { height: 2, width: 3 });
  assert.ok(Math.abs(a.train.x[7]! - 7 / 255) < 1e-7, 'uint8 pixels scaled by 1/255');
  assert.deepEqual([...b.test.y], [...a.test.y]);
  const short = encodeIdx({ type: 'uint8', dims: [n - 1], data: new Uint8Array(n - 1) });
  await assert.rejects(parseDroppedFiles([{ name: 'im', bytes: images }, { name: 'lb', bytes: short }]), /lb: expected 12 labels, one per image of im, found 11/);
  await assert.rejects(parseDroppedFiles([{ name: 'a.txt', bytes: bytes('x') }]), /drop one CSV file .* or two IDX files/);
});
