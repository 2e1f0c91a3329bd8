import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeIdx, encodeIdx, readIdx, readIdxImages, readIdxLabels, writeIdx, type IdxTensor, DataFileError, type DataErrorCode, readIdxPair, MAX_IDX_BYTES, readMaybeGzip } from '../../src/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir();

function rejectsWith(fn: () => unknown, code: DataErrorCode, file: string, ...mentions: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFileError, `expected a DataFileError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
    for (const m of mentions) assert.ok(e.message.includes(m), `message mentions "${m}": ${e.message}`);
    return true;
  });
}

const tensors: IdxTensor[] = [
  { type: 'uint8', dims: [3, 2, 2], data: Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]) },
  { type: 'int8', dims: [4], data: Int8Array.from([-128, -1, 0, 127]) },
  { type: 'int16', dims: [2, 2], data: Int16Array.from([-32768, 1, 300, 32767]) },
  { type: 'int32', dims: [3], data: Int32Array.from([-2147483648, 7, 2147483647]) },
  { type: 'float32', dims: [2], data: Float32Array.from([Math.fround(0.1), -3.5]) },
  { type: 'float64', dims: [1, 2], data: Float64Array.from([Math.PI, -1e300]) },
];

for (const gz of [false, true]) {
  test(`writeIdx then readIdx returns the same tensor for every element type (${gz ? 'gzip' : 'raw'})`, () => {
    for (const t of tensors) {
      const f = join(dir, `rt-${t.type}.idx${gz ? '.gz' : ''}`);
      writeIdx(f, t);
      const bytes = readFileSync(f);
      assert.equal(bytes[0] === 0x1f && bytes[1] === 0x8b, gz, 'compressed exactly when asked');
      const back = readIdx(f);
      assert.equal(back.type, t.type);
      assert.deepEqual([...back.dims], [...t.dims]);
      assert.deepEqual([...back.data], [...t.data]);
    }
  });
}

test('encodeIdx writes the big-endian header of the IDX format', () => {
  const b = encodeIdx({ type: 'uint8', dims: [2, 3, 1], data: new Uint8Array(6) });
  assert.deepEqual([...b.subarray(0, 16)], [0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1]);
  assert.equal(b.length, 16 + 6);
});

test('readIdxImages scales uint8 pixels by 1/255 and reports the image shape', () => {
  const f = join(dir, 'img.idx');
  writeIdx(f, tensors[0]!);
  const im = readIdxImages(f);
  assert.equal(im.n, 3);
  assert.equal(im.dim, 4);
  assert.deepEqual(im.image, { height: 2, width: 2 });
  assert.equal(im.x[11], 1);
  assert.equal(im.x[1], Math.fround(1 / 255));
});

test('a wrong magic number is a bad-magic error naming the file and the bytes found', () => {
  const b = encodeIdx(tensors[0]!);
  b[1] = 0x42;
  const f = join(dir, 'magic.idx');
  writeFileSync(f, b);
  rejectsWith(() => readIdx(f), 'bad-magic', f, '0x42');
});

test('an unknown element type is a bad-type error', () => {
  const b = encodeIdx(tensors[0]!);
  b[2] = 0x07;
  rejectsWith(() => decodeIdx(b, 'x.idx'), 'bad-type', 'x.idx', '0x07');
});

test('a truncated file (header or data) is a truncated error with expected and found sizes', () => {
  const b = encodeIdx(tensors[0]!);
  const f = join(dir, 'trunc.idx');
  writeFileSync(f, b.subarray(0, b.length - 3));
  rejectsWith(() => readIdx(f), 'truncated', f, `need ${b.length} bytes`, `found ${b.length - 3}`);
  rejectsWith(() => decodeIdx(b.subarray(0, 9), 'h.idx'), 'truncated', 'h.idx', '3 dimensions');
  rejectsWith(() => decodeIdx(b.subarray(0, 2), 'tiny.idx'), 'truncated', 'tiny.idx');
});

test('a truncated gzip file is a bad-gzip error', () => {
  const gz = gzipSync(encodeIdx(tensors[0]!));
  const f = join(dir, 'trunc.idx.gz');
  writeFileSync(f, gz.subarray(0, gz.length - 8));
  rejectsWith(() => readIdx(f), 'bad-gzip', f);
});

test('dimensions that do not match the file length are a size-mismatch (too long) or truncated (too short)', () => {
  const b = encodeIdx(tensors[0]!);
  const small = Buffer.from(b);
  small.writeUInt32BE(2, 4); // claims 2 images, file holds 3
  rejectsWith(() => decodeIdx(small, 'dims.idx'), 'size-mismatch', 'dims.idx', '[2, 2, 2]');
  const big = Buffer.from(b);
  big.writeUInt32BE(4, 4);
  rejectsWith(() => decodeIdx(big, 'dims.idx'), 'truncated', 'dims.idx', '[4, 2, 2]');
});

test('images and labels files of the wrong rank are bad-dims errors', () => {
  const f1 = join(dir, 'rank1.idx'), f3 = join(dir, 'rank3.idx');
  writeIdx(f1, { type: 'uint8', dims: [4], data: new Uint8Array(4) });
  writeIdx(f3, tensors[0]!);
  rejectsWith(() => readIdxImages(f1), 'bad-dims', f1);
  rejectsWith(() => readIdxLabels(f3), 'bad-dims', f3);
});

test('an images/labels pair with different counts is a count-mismatch naming both files', () => {
  const im = join(dir, 'pair-images.idx'), lab = join(dir, 'pair-labels.idx.gz');
  writeIdx(im, tensors[0]!);
  writeIdx(lab, { type: 'uint8', dims: [2], data: Uint8Array.from([1, 2]) });
  rejectsWith(() => readIdxPair(im, lab), 'count-mismatch', lab, im, 'expected 3 labels', 'found 2');
  writeIdx(lab, { type: 'uint8', dims: [3], data: Uint8Array.from([1, 2, 0]) });
  const p = readIdxPair(im, lab);
  assert.deepEqual([...p.y], [1, 2, 0]);
  assert.equal(p.n, 3);
});

test('a missing file is a not-found error naming it', () => {
  const f = join(dir, 'nope.idx');
  rejectsWith(() => readIdx(f), 'not-found', f);
});

/** An IDX header (big-endian) of type byte `type` and dimensions `dims`. */
function idxHeader(type: number, dims: readonly number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * dims.length);
  b[2] = type;
  b[3] = dims.length;
  dims.forEach((n, d) => b.writeUInt32BE(n, 4 + 4 * d));
  return b;
}

test('issue 12 case 4: a zero dimension in the header is a bad-dims error naming the file and the dimension', () => {
  const f = join(dir, 'zero-dim.idx');
  writeFileSync(f, idxHeader(0x08, [10000, 0, 28]));
  rejectsWith(() => readIdx(f), 'bad-dims', f, 'dimension 2', 'is 0');
  rejectsWith(() => readIdxImages(f), 'bad-dims', f, 'dimension 2');
  const gz = join(dir, 'zero-dim.idx.gz');
  writeFileSync(gz, gzipSync(idxHeader(0x08, [10000, 0, 28])));
  rejectsWith(() => readIdx(gz), 'bad-dims', gz, 'dimension 2');
  rejectsWith(() => decodeIdx(idxHeader(0x08, [0]), 'z.idx'), 'bad-dims', 'z.idx', 'dimension 1');
});

test('issue 12 case 5: a gzip bomb is refused as soon as it inflates past what its header declares', () => {
  // A 1 GiB bomb in ~1 MB: the header of ten 28x28 images, then 1024 gzip members of 1 MiB of zeros each.
  const zeros = gzipSync(Buffer.alloc(2 ** 20));
  const f = join(dir, 'bomb-images.idx.gz');
  writeFileSync(f, Buffer.concat([gzipSync(Buffer.concat([idxHeader(0x08, [10, 28, 28]), Buffer.alloc(7840)])), ...Array<Buffer>(1024).fill(zeros)]));
  const t0 = performance.now();
  rejectsWith(() => readIdx(f), 'size-mismatch', f, '7856 bytes its header declares');
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `refused in ${ms.toFixed(0)} ms, not after inflating a gigabyte`);
});

test('issue 12 case 5: a header declaring more than the size limit is refused before anything is inflated', () => {
  const f = join(dir, 'huge-header.idx.gz');
  writeFileSync(f, gzipSync(idxHeader(0x08, [4_000_000_000, 28, 28])));
  rejectsWith(() => readIdx(f), 'too-large', f, `limit of ${MAX_IDX_BYTES} bytes`);
  const raw = join(dir, 'huge-header.idx');
  writeFileSync(raw, idxHeader(0x0e, [70000, 784, 10]));
  rejectsWith(() => readIdx(raw), 'too-large', raw, 'float64');
});

test('issue 12 case 5: image and label counts are compared from the headers, before any pixel is decoded', () => {
  // The images file is corrupt past its header: decoding it would fail; the count check must come first.
  const im = join(dir, 'count-images.idx.gz'), lb = join(dir, 'count-labels.idx');
  writeFileSync(im, gzipSync(idxHeader(0x08, [1000, 28, 28])).subarray(0, 40));
  writeIdx(lb, { type: 'uint8', dims: [999], data: new Uint8Array(999) });
  rejectsWith(() => readIdxPair(im, lb), 'count-mismatch', lb, 'expected 1000 labels', im, 'found 999');
});

test('issue 12 case 9: a 255-dimension header gives a short message', () => {
  const f = join(dir, 'dims255.idx');
  writeFileSync(f, Buffer.concat([idxHeader(0x08, Array<number>(255).fill(1)), Buffer.alloc(3)]));
  assert.throws(() => readIdx(f), (e: unknown) => {
    assert.ok(e instanceof DataFileError, String(e));
    assert.ok(e.message.length < 300, `${e.message.length} chars: ${e.message}`);
    assert.ok(e.message.includes('255 dimensions'), e.message);
    return true;
  });
});

test('issue 12 case 9: float32 declared over uint8-sized data is a bad-type error saying the type byte does not match', () => {
  const f = join(dir, 'float-over-bytes.idx');
  writeFileSync(f, Buffer.concat([idxHeader(0x0d, [3, 2, 2]), Buffer.alloc(12)]));
  rejectsWith(() => readIdx(f), 'bad-type', f, 'the type byte (0x0D, float32) does not match the data size: 12 bytes for 12 values (uint8 would fit)');
});

test('readMaybeGzip refuses a file, or a gzip file inflating, past its limit, before reading or inflating more', () => {
  const f = join(dir, 'limit.csv'), gz = join(dir, 'limit.csv.gz');
  writeFileSync(f, 'x'.repeat(100));
  writeFileSync(gz, gzipSync('x'.repeat(100_000)));
  rejectsWith(() => readMaybeGzip(f, 99), 'too-large', f, 'the file has 100 bytes', 'limit of 99 bytes');
  rejectsWith(() => readMaybeGzip(gz, 1000), 'too-large', gz, 'decompresses to more than the limit of 1000 bytes');
  assert.equal(readMaybeGzip(gz, 100_000).length, 100_000);
});
