/**
 * The IDX file format of LeCun's MNIST distribution, raw or gzip-compressed.
 *
 * Layout (big-endian): two zero bytes; one element-type byte (0x08 uint8, 0x09 int8,
 * 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64); one byte giving the number of
 * dimensions `k`; `k` uint32 dimension sizes; then the elements, row-major.
 */
import { readFileSync, statSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { DataFileError, type DataErrorCode } from './data-error.ts';
import { atomicWriteFile } from '../io/atomic-write.ts';
import {
  checkIdxRole, checkIdxSize, decodeIdx, formatDims, idxImageFeatures, idxLabels, IDX_TYPE_BYTE, IDX_TYPES, isGzip, MAX_CSV_BYTES, MAX_IDX_BYTES, mib, parseIdxHeader, tooLarge, truncatedHeader,
  type IdxHeader, type IdxRole, type IdxTensor,
} from './idx-decode.ts';

export {
  decodeIdx, formatDims, idxImageFeatures, idxLabels, IDX_TYPES, isGzip, MAX_CSV_BYTES, MAX_IDX_BYTES, parseIdxHeader,
  type IdxData, type IdxHeader, type IdxRole, type IdxTensor, type IdxTypeName,
} from './idx-decode.ts';
/**
 * Reads a file's raw bytes; a missing or unreadable file is a `not-found` DataFileError, a file
 * over `limit` bytes a `too-large` one (checked before reading).
 */
function readBytes(file: string, limit: number): Buffer {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new DataFileError('not-found', file, `cannot read the file (${(e as Error).message}); check the path`);
  }
  if (size > limit) throw tooLarge(file, `the file has ${size} bytes`, limit);
  try {
    return readFileSync(file);
  } catch (e) {
    throw new DataFileError('not-found', file, `cannot read the file (${(e as Error).message}); check the path`);
  }
}

/**
 * Inflates gzip `buf`, refusing output longer than `limit` bytes as soon as it is exceeded (the
 * inflater stops there: a decompression bomb costs `limit` bytes and no more).
 * @param code, tooLarge the error code and message when the output would exceed `limit`
 */
function gunzipCapped(buf: Buffer, file: string, limit: number, code: DataErrorCode, tooLarge: string): Buffer {
  try {
    return gunzipSync(buf, { maxOutputLength: Math.max(1, limit) });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new DataFileError(code, file, tooLarge);
    throw badGzip(file, e);
  }
}

function badGzip(file: string, e: unknown): DataFileError {
  return new DataFileError('bad-gzip', file, `looks like gzip (starts 1f 8b) but does not decompress: ${(e as Error).message}; the file is truncated or corrupt, download it again`);
}

/**
 * Reads a file's bytes, gunzipping it when it is gzip; errors name the file. The decompressed
 * size is capped at `limit` (default `MAX_CSV_BYTES`, for text files).
 */
export function readMaybeGzip(file: string, limit = MAX_CSV_BYTES): Buffer {
  const buf = readBytes(file, limit);
  if (!isGzip(buf)) return buf;
  return gunzipCapped(buf, file, limit, 'too-large', `decompresses to more than the limit of ${limit} bytes (${mib(limit)}) for a data file of this kind; split the file`);
}

/** The largest IDX header: 4 bytes and 255 dimensions of 4 bytes. */
const MAX_HEADER_BYTES = 4 + 4 * 255;

/**
 * Reads only the header of an IDX file (raw or gzip), checking it and, for a raw file, its size.
 * For gzip, only the first compressed bytes are inflated (at most ~1 KB per compressed byte read).
 * @throws DataFileError as `parseIdxHeader`, `truncated`, `size-mismatch`, `bad-gzip`, `not-found`
 */
export function readIdxHeader(file: string): IdxHeader {
  return readIdxFile(file, false).header;
}

/**
 * Reads the IDX file `file` (raw or gzip): the header first, then the body, inflating no more
 * than the header declares.
 */
function readIdxFile(file: string, body: boolean): { header: IdxHeader; buf?: Buffer } {
  const raw = readBytes(file, MAX_IDX_BYTES + MAX_HEADER_BYTES);
  if (!isGzip(raw)) {
    const h = parseIdxHeader(raw, file);
    if (!h) throw truncatedHeader(raw, file);
    checkIdxSize(h, raw.length, file);
    return body ? { header: h, buf: raw } : { header: h };
  }
  const h = inflateIdxHeader(raw, file);
  if (!body) return { header: h };
  const buf = gunzipCapped(raw, file, h.bytes + 1, 'size-mismatch', `decompresses to more than the ${h.bytes} bytes its header declares (dimensions ${formatDims(h.dims)} of ${h.type}); the header is wrong or the file is not what it claims`);
  checkIdxSize(h, buf.length, file);
  return { header: h, buf };
}

/** Inflates growing prefixes of gzip `raw` until the IDX header is complete. */
function inflateIdxHeader(raw: Buffer, file: string): IdxHeader {
  for (let take = 64; ; take *= 2) {
    const end = Math.min(take, raw.length);
    let out: Buffer;
    try {
      // A prefix of `end` compressed bytes inflates to at most ~1032 * end bytes; the cap only
      // bites on a hostile stream whose first kilobytes inflate to nearly nothing.
      out = gunzipSync(raw.subarray(0, end), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 2 ** 24 });
    } catch (e) {
      throw badGzip(file, e);
    }
    const h = parseIdxHeader(out.subarray(0, MAX_HEADER_BYTES), file);
    if (h) return h;
    if (end === raw.length) {
      // The whole stream inflates to less than a header: decode it fully for the exact error.
      throw truncatedHeader(gunzipCapped(raw, file, MAX_HEADER_BYTES, 'bad-gzip', 'inflates to no IDX header'), file);
    }
  }
}

/** Reads an IDX file, raw or gzip (detected by its first bytes), inflating no more than its header declares. */
export function readIdx(file: string): IdxTensor {
  return decodeIdx(readIdxFile(file, true).buf!, file);
}

/** Encodes a tensor as IDX bytes (uncompressed). */
export function encodeIdx(t: IdxTensor): Buffer {
  const k = t.dims.length;
  if (k > 255) throw new RangeError(`encodeIdx: at most 255 dimensions, got ${k}`);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) {
    throw new RangeError(`encodeIdx: dims [${t.dims.join(', ')}] hold ${count} elements but data has ${t.data.length}`);
  }
  const bytes = IDX_TYPES[IDX_TYPE_BYTE[t.type] as keyof typeof IDX_TYPES].bytes;
  const buf = Buffer.alloc(4 + 4 * k + count * bytes);
  buf[2] = IDX_TYPE_BYTE[t.type];
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
 * The number of examples in an images or labels file, from its header alone (nothing is decoded;
 * a gzip file is inflated only as far as its header).
 * @throws DataFileError as `readIdxHeader`, or `bad-dims` / `bad-type` when the header does not fit the role
 */
export function idxExampleCount(file: string, role: IdxRole): number {
  const h = readIdxHeader(file);
  checkIdxRole(h, role, file);
  return h.dims[0]!;
}

/**
 * Reads an images file (`[n, height, width]`, or `[n, dim]`) of any numeric type as features.
 * uint8 pixels are scaled by 1/255 into [0, 1]; other types are taken as they are.
 * @returns `x` `[n, dim]` row-major, and the image shape when the file has 3 dimensions
 * @throws DataFileError `bad-dims` when the file does not have 2 or 3 dimensions
 */
export function readIdxImages(file: string): { x: Float32Array; n: number; dim: number; image?: { height: number; width: number } } {
  return idxImageFeatures(readIdx(file), file);
}

/**
 * Reads a labels file (`[n]`, integer type). The range against the class count is checked by
 * `splitUserData`, which sees every file of a data set.
 * @throws DataFileError `bad-dims` when not 1-dimensional, `bad-type` when not an integer type,
 *   `bad-label` when a label is negative
 */
export function readIdxLabels(file: string): Int32Array {
  return idxLabels(readIdx(file), file);
}
