import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseCsv, readCsv, DataFileError, type DataErrorCode, writeIdx, loadData, parseCsvSpec, readIdxPair, splitUserData } from '../../src/index.ts';
import { dataConfig } from '../helpers/data-config.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir();
const FIXTURE = join(import.meta.dirname, '../fixtures/data/tiny-2x2.csv');

function rejectsWith(fn: () => unknown, code: DataErrorCode, file: string, row: number | undefined, ...mentions: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFileError, String(e));
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(file), `names the file: ${e.message}`);
    assert.equal(e.row, row);
    if (row !== undefined) assert.ok(e.message.includes(`line ${row}`), `names the line: ${e.message}`);
    for (const m of mentions) assert.ok(e.message.includes(m), `mentions "${m}": ${e.message}`);
    return true;
  });
}

test('parseCsv reads a header, finds the column named label, and scales 8-bit values by 1/255', () => {
  const c = parseCsv('a,label,b\n255,1,0\n51,0,102\n', 'f.csv');
  assert.deepEqual(c.header, ['a', 'label', 'b']);
  assert.deepEqual([...c.y], [1, 0]);
  assert.deepEqual([...c.x], [1, 0, 0.2, 0.4].map(Math.fround));
  assert.equal(c.dim, 2);
});

test('without a header the label is the first column unless told otherwise; scale=none keeps values', () => {
  const c = parseCsv('2,0.5,0.25\n\n0,1,0\n', 'f.csv');
  assert.equal(c.header, undefined);
  assert.deepEqual([...c.y], [2, 0]);
  assert.deepEqual([...c.x], [0.5, 0.25, 1, 0]);
  const d = parseCsv('0.5,0.25,2\n1,0,0\n', 'f.csv', { label: 2 });
  assert.deepEqual([...d.y], [2, 0]);
  const e = parseCsv('7,300\n1,2\n', 'f.csv', { scale: 'none' });
  assert.deepEqual([...e.x], [300, 2]);
});

test('CSV errors name the file and the line: ragged rows, non-numbers, bad labels, missing columns', () => {
  rejectsWith(() => parseCsv('label,a,b\n1,2,3\n0,4\n', 'r.csv'), 'ragged-row', 'r.csv', 3, 'expected 3 columns', 'found 2');
  rejectsWith(() => parseCsv('1,2,3\n0,x,4\n', 'v.csv'), 'bad-value', 'v.csv', 2, '"x"', 'column 2');
  rejectsWith(() => parseCsv('1,2,3\n0.5,1,4\n', 'l.csv'), 'bad-label', 'l.csv', 2, '"0.5"');
  rejectsWith(() => parseCsv('1,2,3\n-1,1,4\n', 'l.csv'), 'bad-label', 'l.csv', 2);
  rejectsWith(() => parseCsv('a,b\n1,2\n', 'n.csv', { label: 'target' }), 'bad-dims', 'n.csv', undefined, 'no column named "target"');
  rejectsWith(() => parseCsv('\n\n', 'e.csv'), 'empty', 'e.csv', undefined);
});

test('parseCsv keeps a quoted cell with a comma in it as one cell', () => {
  const c = parseCsv('label,"pixel, left",right\n1,"0.25",0.5\n0," 1 ",0\n', 'q.csv', { scale: 'none' });
  assert.deepEqual(c.header, ['label', 'pixel, left', 'right']);
  assert.equal(c.dim, 2);
  assert.deepEqual([...c.y], [1, 0]);
  rejectsWith(() => parseCsv('label,"a, b",c\n1,"0,5",2\n', 'q.csv'), 'bad-value', 'q.csv', 2, 'column 2 (a, b)', '"0,5"');
});

test('parseCsv reads doubled quotes inside a quoted cell as one quote', () => {
  const c = parseCsv('"the ""label""",x\n1,2\n', 'q.csv', { label: 'the "label"' });
  assert.deepEqual(c.header, ['the "label"', 'x']);
  assert.deepEqual([...c.y], [1]);
  rejectsWith(() => parseCsv('label,x\n1,"say ""hi"""\n', 'q.csv'), 'bad-value', 'q.csv', 2, 'say "hi"');
});

test('parseCsv accepts CRLF line ends and a UTF-8 byte-order mark, and the first header cell keeps its name', () => {
  const c = parseCsv('\ufefflabel,a,b\r\n1,0.5,0.25\r\n\r\n0,1,0\r\n', 'w.csv');
  assert.deepEqual(c.header, ['label', 'a', 'b']);
  assert.deepEqual([...c.y], [1, 0]);
  assert.deepEqual([...c.x], [0.5, 0.25, 1, 0]);
  const noHeader = parseCsv('\ufeff3,0.5\r\n', 'w.csv');
  assert.deepEqual([...noHeader.y], [3], 'the byte-order mark does not turn the first data line into a header');
  rejectsWith(() => parseCsv('label,a\r\n1,2\r\n0,2,3\r\n', 'w.csv'), 'ragged-row', 'w.csv', 3, 'expected 2 columns', 'found 3');
});

test('a ragged row is named by its line, also after blank lines and a quoted comma', () => {
  rejectsWith(() => parseCsv('label,"a, b",c\n1,2,3\n\n0,4\n', 'r.csv'), 'ragged-row', 'r.csv', 4, 'expected 3 columns', 'found 2');
  rejectsWith(() => parseCsv('1,2\n0,2,3,4\n', 'r.csv'), 'ragged-row', 'r.csv', 2, 'found 4');
});

test('malformed quoting is a bad-syntax error naming the file and the line', () => {
  rejectsWith(() => parseCsv('label,a\n1,2\n0,"3\n', 'u.csv'), 'bad-syntax', 'u.csv', 3, 'Quote Not Closed');
  rejectsWith(() => parseCsv('label,a\n1,2"x"\n', 'u.csv'), 'bad-syntax', 'u.csv', 2);
});

test('readCsv reads gzip files too and names the file in errors', () => {
  const f = join(dir, 'g.csv.gz');
  writeFileSync(f, gzipSync('label,p\n1,0.5\n0,0.25\n'));
  assert.deepEqual([...readCsv(f).y], [1, 0]);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'label,p\n1,0.5\n0,zz\n');
  rejectsWith(() => readCsv(bad), 'bad-value', bad, 3);
});

test('user data are split by the documented convention: last sixth valid (and test)', () => {
  const n = 60, x = new Float32Array(n * 2), y = new Int32Array(n).map((_, i) => i % 4);
  x.forEach((_, i) => (x[i] = Math.floor(i / 2)));
  const raw = { x, y, n, dim: 2, source: 'u' };
  const one = splitUserData('u', raw);
  assert.deepEqual([one.train.n, one.valid.n, one.test.n], [40, 10, 10]);
  assert.equal(one.valid.x[0], 40);
  assert.equal(one.test.x[0], 50);
  assert.equal(one.train.nClasses, 4);
  const two = splitUserData('u', raw, { ...raw, n: 6, x: x.subarray(0, 12), y: y.subarray(0, 6) });
  assert.deepEqual([two.train.n, two.valid.n, two.test.n], [50, 10, 6]);
  rejectsWith(() => splitUserData('u', raw, { ...raw, dim: 3, source: 't.csv' }), 'bad-dims', 't.csv', undefined, 'expected 2 features');
});

test('loadData reads csv: paths with a label option, and applies the sizes', async () => {
  const s = await loadData(dataConfig(`csv:${FIXTURE}`), 1);
  assert.deepEqual([s.train.n, s.valid.n, s.test.n], [16, 4, 4]);
  assert.deepEqual(s.train.image, { height: 2, width: 2 });
  assert.equal(s.train.nClasses, 3);
  assert.ok(s.train.x.every((v) => v >= 0 && v <= 1));
  const sub = await loadData({ ...dataConfig(`csv:${FIXTURE}?label=label`), trainSize: 6, testSize: 2, binarize: 'threshold' }, 1);
  assert.equal(sub.train.n, 6);
  assert.equal(sub.test.n, 2);
  assert.ok(sub.train.x.every((v) => v === 0 || v === 1));
  assert.deepEqual(parseCsvSpec('a.csv,b.csv?label=3&scale=none'), { files: ['a.csv', 'b.csv'], opts: { label: 3, scale: 'none' } });
  assert.throws(() => parseCsvSpec('a.csv?color=red'), /unknown option color=red/);
});

test('loadData reads an idx: pair (gzip) with separate test files', async () => {
  const mk = (name: string, n: number) => {
    const im = join(dir, `${name}-images.idx.gz`), lb = join(dir, `${name}-labels.idx`);
    writeIdx(im, { type: 'uint8', dims: [n, 2, 3], data: new Uint8Array(n * 6).map((_, i) => i % 256) });
    writeIdx(lb, { type: 'uint8', dims: [n], data: new Uint8Array(n).map((_, i) => i % 5) });
    return [im, lb];
  };
  const [a, b] = mk('tr', 30), [c, d] = mk('te', 7);
  const s = await loadData(dataConfig(`idx:${a},${b},${c},${d}`), 1);
  assert.deepEqual([s.train.n, s.valid.n, s.test.n], [25, 5, 7]);
  assert.deepEqual(s.test.image, { height: 2, width: 3 });
  assert.equal(s.train.nClasses, 5);
  assert.equal(readIdxPair(a!, b!).n, 30);
  await assert.rejects(loadData(dataConfig(`idx:${a}`), 1), /2 or 4 paths/);
  await assert.rejects(loadData(dataConfig('cifar'), 1), /unknown data set "cifar"/);
});
