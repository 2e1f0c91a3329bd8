/**
 * The IDX file format of LeCun's MNIST distribution, raw or gzip-compressed.
 *
 * Layout (big-endian): two zero bytes; one element-type byte (0x08 uint8, 0x09 int8,
 * 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64); one byte giving the number of
 * dimensions `k`; `k` uint32 dimension sizes; then the elements, row-major.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataFileError } from './data-error.ts';
import { atomicWriteFile } from '../io/atomic-write.ts';

/** Element types of IDX files, by their type byte. */
export const IDX_TYPES = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
} as const;

export type IdxTypeName = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['name'];
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX tensor: `dims` sizes, `data` of `prod(dims)` elements, row-major. */
export interface IdxTensor {
  readonly type: IdxTypeName;
  readonly dims: readonly number[];
  readonly data: IdxData;
}

const TYPE_BYTE: Record<IdxTypeName, number> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

/** True when `buf` starts with the gzip magic number 1f 8b. */
export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Reads a file's bytes, gunzipping it when it is gzip; errors name the file. */
export function readMaybeGzip(file: string): Buffer {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new DataFileError('not-found', file, `cannot read the file (${(e as Error).message}); check the path`);
  }
  if (!isGzip(buf)) return buf;
  try {
    return gunzipSync(buf);
  } catch (e) {
    throw new DataFileError('bad-gzip', file, `looks like gzip (starts 1f 8b) but does not decompress: ${(e as Error).message}; the file is truncated or corrupt, download it again`);
  }
}

/**
 * Decodes an IDX file held in `buf` (already decompressed). `file` is used in error messages.
 * uint8 data is a view of `buf` (no copy); other types are copied and converted from big-endian.
 * @throws DataFileError `bad-magic`, `bad-type`, `truncated`, `size-mismatch`
 */
export function decodeIdx(buf: Uint8Array, file: string): IdxTensor {
  if (buf.length < 4) {
    throw new DataFileError('truncated', file, `expected an IDX header of at least 4 bytes, found a file of ${buf.length} bytes`);
  }
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new DataFileError('bad-magic', file, `expected an IDX magic number starting 00 00, found ${hex(buf[0]!)} ${hex(buf[1]!)}; this is not an IDX file`);
  }
  const t = IDX_TYPES[buf[2] as keyof typeof IDX_TYPES];
  if (!t) {
    throw new DataFileError('bad-type', file, `expected an IDX element type 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E, found ${hex(buf[2]!)}`);
  }
  const k = buf[3]!;
  const headerLen = 4 + 4 * k;
  if (buf.length < headerLen) {
    throw new DataFileError('truncated', file, `header declares ${k} dimensions, needing ${headerLen} header bytes, but the file has ${buf.length} bytes`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < k; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    count *= n;
  }
  const expected = headerLen + count * t.bytes;
  const found = buf.length;
  if (found < expected) {
    throw new DataFileError('truncated', file, `dimensions [${dims.join(', ')}] of ${t.name} need ${expected} bytes, found ${found}; the file is truncated`);
  }
  if (found > expected) {
    throw new DataFileError('size-mismatch', file, `dimensions [${dims.join(', ')}] of ${t.name} need ${expected} bytes, found ${found}; the dimensions in the header are wrong`);
  }
  const body = buf.subarray(headerLen);
  let data: IdxData;
  switch (t.name) {
    case 'uint8':
      data = body;
      break;
    case 'int8':
      data = new Int8Array(body.buffer, body.byteOffset, count);
      break;
    default: {
      const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      if (t.name === 'int16') {
        const a = new Int16Array(count);
        for (let i = 0; i < count; i++) a[i] = bv.getInt16(2 * i, false);
        data = a;
      } else if (t.name === 'int32') {
        const a = new Int32Array(count);
        for (let i = 0; i < count; i++) a[i] = bv.getInt32(4 * i, false);
        data = a;
      } else if (t.name === 'float32') {
        const a = new Float32Array(count);
        for (let i = 0; i < count; i++) a[i] = bv.getFloat32(4 * i, false);
        data = a;
      } else {
        const a = new Float64Array(count);
        for (let i = 0; i < count; i++) a[i] = bv.getFloat64(8 * i, false);
        data = a;
      }
    }
  }
  return { type: t.name, dims, data };
}

/** Reads an IDX file, raw or gzip (detected by its first bytes). */
export function readIdx(file: string): IdxTensor {
  return decodeIdx(readMaybeGzip(file), file);
}

/** Encodes a tensor as IDX bytes (uncompressed). */
export function encodeIdx(t: IdxTensor): Buffer {
  const k = t.dims.length;
  if (k > 255) throw new RangeError(`encodeIdx: at most 255 dimensions, got ${k}`);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) {
    throw new RangeError(`encodeIdx: dims [${t.dims.join(', ')}] hold ${count} elements but data has ${t.data.length}`);
  }
  const bytes = IDX_TYPES[TYPE_BYTE[t.type] as keyof typeof IDX_TYPES].bytes;
  const buf = Buffer.alloc(4 + 4 * k + count * bytes);
  buf[2] = TYPE_BYTE[t.type];
  buf[3] = k;
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  t.dims.forEach((n, d) => v.setUint32(4 + 4 * d, n, false));
  const o = 4 + 4 * k;
  for (let i = 0; i < count; i++) {
    const x = t.data[i]!;
    switch (t.type) {
      case 'uint8': v.setUint8(o + i, x); break;
      case 'int8': v.setInt8(o + i, x); break;
      case 'int16': v.setInt16(o + 2 * i, x, false); break;
      case 'int32': v.setInt32(o + 4 * i, x, false); break;
      case 'float32': v.setFloat32(o + 4 * i, x, false); break;
      case 'float64': v.setFloat64(o + 8 * i, x, false); break;
    }
  }
  return buf;
}

/** Writes an IDX file atomically; gzip-compressed when `gzip` is true (or the name ends in `.gz`). */
export function writeIdx(file: string, t: IdxTensor, opts: { gzip?: boolean } = {}): void {
  const raw = encodeIdx(t);
  const gz = opts.gzip ?? file.endsWith('.gz');
  atomicWriteFile(file, gz ? gzipSync(raw) : raw);
}

/**
 * Reads an images file (`[n, height, width]`, or `[n, dim]`) of any numeric type as features.
 * uint8 pixels are scaled by 1/255 into [0, 1]; other types are taken as they are.
 * @returns `x` `[n, dim]` row-major, and the image shape when the file has 3 dimensions
 * @throws DataFileError `bad-dims` when the file does not have 2 or 3 dimensions
 */
export function readIdxImages(file: string): { x: Float32Array; n: number; dim: number; image?: { height: number; width: number } } {
  const t = readIdx(file);
  if (t.dims.length !== 3 && t.dims.length !== 2) {
    throw new DataFileError('bad-dims', file, `expected an images file of 3 dimensions [n, height, width] (or 2: [n, dim]), found ${t.dims.length}: [${t.dims.join(', ')}]`);
  }
  const n = t.dims[0]!;
  const dim = t.dims.slice(1).reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * dim);
  const src = t.data;
  if (t.type === 'uint8') {
    for (let i = 0; i < x.length; i++) x[i] = src[i]! / 255;
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = src[i]!;
      // Features are stored as float32: a finite float64 beyond its range (|x| > 3.4e38) would become Infinity.
      if (!Number.isFinite(Math.fround(v))) {
        throw new DataFileError('bad-value', file, `expected finite numbers (|x| <= 3.4e38), found ${v} in example ${Math.floor(i / dim)}`, Math.floor(i / dim));
      }
      x[i] = v;
    }
  }
  const image = t.dims.length === 3 ? { height: t.dims[1]!, width: t.dims[2]! } : undefined;
  return image ? { x, n, dim, image } : { x, n, dim };
}

/**
 * Reads a labels file (`[n]`, integer type).
 * @throws DataFileError `bad-dims` when not 1-dimensional, `bad-type` when not an integer type,
 *   `bad-label` when a label is negative
 */
export function readIdxLabels(file: string): Int32Array {
  const t = readIdx(file);
  if (t.dims.length !== 1) {
    throw new DataFileError('bad-dims', file, `expected a labels file of 1 dimension [n], found ${t.dims.length}: [${t.dims.join(', ')}]`);
  }
  if (t.type === 'float32' || t.type === 'float64') {
    throw new DataFileError('bad-type', file, `expected integer labels (uint8, int8, int16 or int32), found ${t.type}`);
  }
  const y = Int32Array.from(t.data as ArrayLike<number>);
  for (let i = 0; i < y.length; i++) {
    if (y[i]! < 0) throw new DataFileError('bad-label', file, `expected labels >= 0, found ${y[i]} at example ${i}`, i);
  }
  return y;
}

function hex(b: number): string {
  return '0x' + b.toString(16).padStart(2, '0').toUpperCase();
}
