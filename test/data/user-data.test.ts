import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseCsv, readCsv, DataFileError, type DataErrorCode, writeIdx, loadData, parseCsvSpec, readIdxPair, splitUserData, checkLabels, MAX_INFERRED_CLASSES, dataConfigSchema } from '../../src/index.ts';
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

test('without a header the label column is named by index; scale=none keeps values', () => {
  const c = parseCsv('2,0.5,0.25\n\n0,1,0\n', 'f.csv', { label: 0 });
  assert.equal(c.header, undefined);
  assert.deepEqual([...c.y], [2, 0]);
  assert.deepEqual([...c.x], [0.5, 0.25, 1, 0]);
  assert.deepEqual([...c.lines], [1, 3]);
  const d = parseCsv('0.5,0.25,2\n1,0,0\n', 'f.csv', { label: 2 });
  assert.deepEqual([...d.y], [2, 0]);
  const e = parseCsv('7,300\n1,2\n', 'f.csv', { scale: 'none', label: '0' });
  assert.deepEqual([...e.x], [300, 2]);
});

test('CSV errors name the file and the line: ragged rows, non-numbers, bad labels, missing columns', () => {
  rejectsWith(() => parseCsv('label,a,b\n1,2,3\n0,4\n', 'r.csv'), 'ragged-row', 'r.csv', 3, 'expected 3 columns', 'found 2');
  rejectsWith(() => parseCsv('1,2,3\n0,x,4\n', 'v.csv', { label: 0 }), 'bad-value', 'v.csv', 2, '"x"', 'column 2');
  rejectsWith(() => parseCsv('1,2,3\n0.5,1,4\n', 'l.csv', { label: 0 }), 'bad-label', 'l.csv', 2, '"0.5"');
  rejectsWith(() => parseCsv('1,2,3\n-1,1,4\n', 'l.csv', { label: 0 }), 'bad-label', 'l.csv', 2);
  rejectsWith(() => parseCsv('1,2,3\n8935948227643965000,1,4\n', 'l.csv', { label: 0 }), 'bad-label', 'l.csv', 2, '0..999999'); // would wrap to a negative int32 label
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
  const noHeader = parseCsv('\ufeff3,0.5\r\n', 'w.csv', { label: 0 });
  assert.deepEqual([...noHeader.y], [3], 'the byte-order mark does not turn the first data line into a header');
  rejectsWith(() => parseCsv('label,a\r\n1,2\r\n0,2,3\r\n', 'w.csv'), 'ragged-row', 'w.csv', 3, 'expected 2 columns', 'found 3');
});

test('a ragged row is named by its line, also after blank lines and a quoted comma', () => {
  rejectsWith(() => parseCsv('label,"a, b",c\n1,2,3\n\n0,4\n', 'r.csv'), 'ragged-row', 'r.csv', 4, 'expected 3 columns', 'found 2');
  rejectsWith(() => parseCsv('1,2\n0,2,3,4\n', 'r.csv', { label: 0 }), 'ragged-row', 'r.csv', 2, 'found 4');
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

/** An IDX pair of `labels.length` 2x2 images with these labels, written into `dir`. */
function idxPair(name: string, labels: readonly number[], type: 'uint8' | 'int16' = 'uint8'): [string, string] {
  const n = labels.length;
  const im = join(dir, `${name}-images.idx`), lb = join(dir, `${name}-labels.idx.gz`);
  writeIdx(im, { type: 'uint8', dims: [n, 2, 2], data: new Uint8Array(n * 4).map((_, i) => i % 256) });
  writeIdx(lb, { type, dims: [n], data: type === 'uint8' ? Uint8Array.from(labels) : Int16Array.from(labels) });
  return [im, lb];
}

const digits = (n: number): number[] => Array.from({ length: n }, (_, i) => i % 10);

test('issue 12 case 1: a stray label (37 or 255 among digits) is refused, naming the labels file and the example', async () => {
  for (const stray of [37, 255]) {
    const labels = digits(60);
    labels[4] = stray;
    const [im, lb] = idxPair(`stray${stray}`, labels);
    await assert.rejects(loadData(dataConfig(`idx:${im},${lb}`), 1), (e: unknown) => {
      assert.ok(e instanceof DataFileError, String(e));
      assert.equal(e.code, 'bad-label');
      assert.equal(e.file, lb);
      assert.equal(e.row, 4);
      for (const m of [lb, 'example 4', `label ${stray}`, 'no example has label 10', 'data.classes']) assert.ok(e.message.includes(m), `mentions "${m}": ${e.message}`);
      return true;
    });
  }
});

test('issue 12 case 1: a declared data.classes bounds the labels; it may leave classes empty', async () => {
  const labels = digits(60);
  labels[7] = 37;
  const [im, lb] = idxPair('declared', labels);
  await assert.rejects(loadData(dataConfig(`idx:${im},${lb}`, { classes: 10 }), 1), (e: unknown) => {
    assert.ok(e instanceof DataFileError && e.code === 'bad-label' && e.row === 7, String(e));
    assert.match(e.message, /example 7: label 37 is out of range: data\.classes is 10, so labels must be 0\.\.9/);
    return true;
  });
  const s = await loadData(dataConfig(`idx:${im},${lb}`, { classes: 38 }), 1);
  assert.equal(s.train.nClasses, 38);
  const csv = join(dir, 'declared.csv');
  writeFileSync(csv, 'label,a,b\n' + digits(12).map((v, i) => `${i === 3 ? 12 : v},1,2`).join('\n') + '\n');
  await assert.rejects(loadData(dataConfig(`csv:${csv}`, { classes: 10 }), 1), (e: unknown) => e instanceof DataFileError && e.row === 5 && e.message.includes(`${csv}: line 5: label 12`));
  await assert.rejects(loadData(dataConfig('shapeset', { classes: 10 }), 1), /data\.classes is 10 but data set "shapeset" has 2 classes/);
});

test('issue 12 case 1: inferred class counts need every class 0..C-1 and stop at the stated ceiling', () => {
  const raw = (y: number[], extra: object = {}) => ({ x: new Float32Array(y.length), y: Int32Array.from(y), n: y.length, dim: 1, source: 'u.csv', ...extra });
  assert.equal(checkLabels([raw(digits(20))]), 10);
  assert.equal(checkLabels([raw(digits(20)), raw([9, 8])]), 10);
  assert.throws(() => checkLabels([raw(digits(20).map((v) => v + 1), { lines: Int32Array.from({ length: 20 }, (_, i) => i + 2) })]), /u\.csv: line 2: label 1 is out of range: no example has label 0/);
  const many = Array.from({ length: MAX_INFERRED_CLASSES + 1 }, (_, i) => i);
  assert.throws(() => checkLabels([raw(many, { labelsFile: 'l.idx' })]), (e: unknown) => e instanceof DataFileError && e.file === 'l.idx' && e.row === MAX_INFERRED_CLASSES && /1001 classes, more than the 1000/.test(e.message));
  assert.equal(checkLabels([raw(many)], MAX_INFERRED_CLASSES + 1), MAX_INFERRED_CLASSES + 1);
});

test('issue 12 case 1: data.classes is optional and absent from a resolved config that does not set it', () => {
  const resolved = dataConfigSchema.parse({ name: 'mnist' });
  assert.ok(!('classes' in resolved), JSON.stringify(resolved));
  assert.equal(dataConfigSchema.parse({ name: 'csv:a.csv', classes: 12 }).classes, 12);
  assert.throws(() => dataConfigSchema.parse({ classes: 1 }));
  assert.throws(() => dataConfigSchema.parse({ classes: 2.5 }));
});

test('issue 12 case 2: a CSV whose label column is not named and cannot be told is refused with how to name it', () => {
  for (const [text, mention] of [
    ['1,2,3\n0,4,5\n', 'no header line'],
    ['a,b,c\n1,2,3\n0,4,5\n', 'the header has "a", "b", "c"'],
    ['label,y,c\n1,2,3\n0,4,5\n', '2 header columns could be the label ("label", "y")'],
  ] as const) {
    rejectsWith(() => parseCsv(text, 'nl.csv'), 'no-label', 'nl.csv', undefined, mention, 'nl.csv?label=<column name or 0-based index>');
  }
  for (const name of ['label', 'Class', 'y', 'TARGET']) {
    assert.deepEqual([...parseCsv(`p0,${name},p1\n1,2,3\n4,5,6\n`, 'ok.csv').y], [2, 5], name);
  }
  assert.deepEqual([...parseCsv('1,2,3\n0,4,5\n', 'ok.csv', { label: 2 }).y], [3, 5]);
});

test('issue 12 case 3: a first line of both names and numbers is refused (never a silently dropped example); header=yes|no settles it', () => {
  rejectsWith(() => parseCsv('1,2,x\n0,3,4\n', 'mixed.csv', { label: 0 }), 'bad-header', 'mixed.csv', 1, 'column 3 is "x"', 'column 1 is 1', '?header=yes', '?header=no');
  rejectsWith(() => parseCsv('1,2,x\n0,3,4\n', 'mixed.csv', { label: 0, header: 'no' }), 'bad-value', 'mixed.csv', 1, '"x"');
  const yes = parseCsv('0,1,2\n5,3,4\n', 'numnames.csv', { label: 0, header: 'yes' });
  assert.deepEqual(yes.header, ['0', '1', '2']);
  assert.deepEqual([...yes.y], [5]);
  assert.equal(parseCsv('label,a\n1,2\n', 'h.csv').header?.[0], 'label', 'a line of names only is a header');
  assert.equal(parseCsv('1,2\n0,3\n', 'h.csv', { label: 0 }).n, 2, 'a line of numbers only is data');
  assert.deepEqual(parseCsvSpec('a.csv?header=no&label=0'), { files: ['a.csv'], opts: { header: 'no', label: 0 } });
});

test('issue 12 case 3: LF, CRLF and CR-only line ends read the same examples', () => {
  const lines = ['label,a,b', '1,0.5,0.25', '0,1,0', '2,0,1'];
  for (const eol of ['\n', '\r\n', '\r']) {
    const c = parseCsv(lines.join(eol) + eol, 'eol.csv');
    assert.deepEqual([...c.y], [1, 0, 2], JSON.stringify(eol));
    assert.deepEqual([...c.lines], [2, 3, 4], JSON.stringify(eol));
  }
});
