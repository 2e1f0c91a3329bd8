/**
 * Fuzzing the IDX reader (raw and gzip): any bytes give a tensor whose dimensions match its data,
 * or a DataFileError naming the file. Mutations of small valid files reach deeper than random bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeIdx, encodeIdx, readIdx, readIdxImages, readIdxLabels, type IdxTensor } from '../../src/data/idx.ts';
import { DataFileError } from '../../src/data/data-error.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { assertFiniteIn, assertLabels, fuzzParams, memoryBound, validOrTyped } from './fuzz-check.ts';

const TYPES = ['uint8', 'int8', 'int16', 'int32', 'float32', 'float64'] as const;

/** A small valid IDX tensor of any type with 1-3 dimensions of 0-6 each. */
const smallTensor: fc.Arbitrary<IdxTensor> = fc
  .record({ type: fc.constantFrom(...TYPES), dims: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }) })
  .chain(({ type, dims }) => {
    const count = dims.reduce((a, b) => a * b, 1);
    const value =
      type === 'uint8' ? fc.integer({ min: 0, max: 255 })
      : type === 'int8' ? fc.integer({ min: -128, max: 127 })
      : type === 'int16' ? fc.integer({ min: -32768, max: 32767 })
      : type === 'int32' ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
      : type === 'float32' ? fc.float()
      : fc.double();
    return fc.array(value, { minLength: count, maxLength: count }).map((xs): IdxTensor => {
      const C = { uint8: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[type];
      return { type, dims, data: C.from(xs) };
    });
  });

/** One edit of a byte string: set a byte (biased to the header), truncate, or append. */
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(15), to: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), to: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ maxLength: 16 }) }),
);

type Edit = { kind: 'set'; at: number; to: number } | { kind: 'truncate'; at: number } | { kind: 'append'; bytes: Uint8Array };

function applyEdits(buf: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let b = Uint8Array.from(buf);
  for (const e of edits) {
    if (e.kind === 'set') {
      if (b.length > 0) b[e.at % b.length] = e.to;
    } else if (e.kind === 'truncate') b = b.subarray(0, b.length === 0 ? 0 : e.at % b.length);
    else b = Uint8Array.from([...b, ...e.bytes]);
  }
  return b;
}

/** A valid file with a few edits: header-mutated, truncated, or extended. */
const mutatedIdx = fc.tuple(smallTensor, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([t, es]) => applyEdits(encodeIdx(t), es));

/** Bytes an IDX reader may meet: random, valid, mutated. */
const idxBytes = fc.oneof(fc.uint8Array({ maxLength: 120 }), smallTensor.map((t) => new Uint8Array(encodeIdx(t))), mutatedIdx);

/** Gzip streams: valid wrappers around any IDX bytes, truncated, or with bytes changed. */
const gzipBytes = fc.oneof(
  idxBytes.map((b) => new Uint8Array(gzipSync(b))),
  fc.tuple(idxBytes, fc.nat()).map(([b, cut]) => {
    const z = gzipSync(b);
    return new Uint8Array(z.subarray(0, cut % z.length));
  }),
  fc.tuple(idxBytes, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([b, es]) => {
    const z = applyEdits(gzipSync(b), es);
    z[0] = 0x1f; // keep the gzip magic so the gzip path is taken
    if (z.length > 1) z[1] = 0x8b;
    return z;
  }),
);

function checkTensor(t: IdxTensor): void {
  assert.equal(t.data.length, t.dims.reduce((a, b) => a * b, 1), `dims [${t.dims.join(', ')}] match the data`);
  assert.ok(TYPES.includes(t.type));
}

const dir = tempDir('pl-fuzz-idx-');
let fileNo = 0;
function writeCase(bytes: Uint8Array): string {
  const f = path.join(dir, `case-${fileNo++ % 4}.idx`);
  fs.writeFileSync(f, bytes);
  return f;
}

test('decodeIdx(any bytes) is a tensor whose dims match its data, or a DataFileError naming the file', () => {
  fc.assert(
    fc.property(idxBytes, (b) => {
      const t = validOrTyped(() => decodeIdx(b, 'fuzz-case.idx'), [DataFileError], ['fuzz-case.idx'], memoryBound(b.length));
      if (t) checkTensor(t);
    }),
    fuzzParams(400),
  );
});

test('readIdx(any gzip stream, valid, truncated or corrupt) is a tensor or a DataFileError naming the file', () => {
  fc.assert(
    fc.property(gzipBytes, (b) => {
      const f = writeCase(b);
      const t = validOrTyped(() => readIdx(f), [DataFileError], [f], memoryBound(b.length, 1024));
      if (t) checkTensor(t);
    }),
    fuzzParams(250),
  );
});

test('readIdxImages(any file) gives [n, dim] finite features (uint8 scaled into [0, 1]) or a DataFileError naming the file', () => {
  fc.assert(
    fc.property(fc.oneof(idxBytes, gzipBytes), (b) => {
      const f = writeCase(b);
      const im = validOrTyped(() => readIdxImages(f), [DataFileError], [f], memoryBound(b.length, 1024));
      if (!im) return;
      assert.ok(im.n >= 1 && im.dim >= 1, `n = ${im.n}, dim = ${im.dim}`);
      assert.equal(im.x.length, im.n * im.dim);
      if (im.image) assert.equal(im.image.height * im.image.width, im.dim);
      const raw = readIdx(f);
      assertFiniteIn(im.x, 'x', raw.type === 'uint8' ? 0 : -Infinity, raw.type === 'uint8' ? 1 : Infinity);
    }),
    fuzzParams(250),
  );
});

test('readIdxLabels(any file) gives integer labels >= 0, one per entry, or a DataFileError naming the file', () => {
  fc.assert(
    fc.property(fc.oneof(idxBytes, gzipBytes), (b) => {
      const f = writeCase(b);
      const y = validOrTyped(() => readIdxLabels(f), [DataFileError], [f], memoryBound(b.length, 1024));
      if (!y) return;
      assertLabels(y, 'y');
    }),
    fuzzParams(250),
  );
});

test('an IDX float64 feature beyond the float32 range is a bad-value error naming the file and example, not an Infinity feature (found by fuzzing)', () => {
  const f = writeCase(encodeIdx({ type: 'float64', dims: [2, 1], data: Float64Array.from([0.5, -1e300]) }));
  assert.throws(() => readIdxImages(f), (e: Error) => e instanceof DataFileError && e.code === 'bad-value' && e.message.startsWith(f) && /example 1/.test(e.message));
});

test('readIdx of a gzip that inflates far beyond what its header declares stays within a memory bound, or is refused naming the file', () => {
  // Inflation is capped by the size the header declares, so a tail of megabytes costs no memory.
  const TAIL_MAX = 8 * 1024 * 1024;
  fc.assert(
    fc.property(smallTensor, fc.integer({ min: 1, max: TAIL_MAX }), (t, tail) => {
      const raw = encodeIdx(t);
      const f = writeCase(new Uint8Array(gzipSync(Buffer.concat([raw, Buffer.alloc(tail)]))));
      const r = validOrTyped(() => readIdx(f), [DataFileError], [f], memoryBound(raw.length, 64));
      assert.equal(r, undefined, 'a file longer than its dimensions is refused');
    }),
    fuzzParams(40),
  );
});
