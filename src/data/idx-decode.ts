/**
 * Decoding IDX bytes already in memory (no file access, so the web page can use it): the format
 * (see `idx.ts`, which reads and writes files and re-exports the public names here), its header
 * checks, and the conversion of an images or labels tensor to features and labels.
 */
import { DataFileError } from './data-error.ts';

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

/** The type byte of each element type. */
export const IDX_TYPE_BYTE: Record<IdxTypeName, number> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

/**
 * The largest data file we decode: 1 GiB of decompressed IDX (about 1.3 million 28x28 uint8
 * images; the features take 4 bytes per value once loaded). Larger headers are refused before
 * anything is inflated or allocated.
 */
export const MAX_IDX_BYTES = 2 ** 30;

/** The largest decompressed CSV text we parse: 256 MiB (MNIST's 60,000 training digits take ~110 MB). */
export const MAX_CSV_BYTES = 2 ** 28;

/** True when `buf` starts with the gzip magic number 1f 8b. */
export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** The error for a data file over `limit` bytes (`what` says how it was found). */
export function tooLarge(file: string, what: string, limit: number): DataFileError {
  return new DataFileError('too-large', file, `${what}, more than the limit of ${limit} bytes (${mib(limit)}) for a data file of this kind; the file is corrupt, or split the data`);
}

/** What an IDX header declares. */
export interface IdxHeader {
  readonly type: IdxTypeName;
  /** Bytes per element. */
  readonly elementBytes: number;
  readonly dims: readonly number[];
  /** Header bytes: `4 + 4 * dims.length`. */
  readonly headerBytes: number;
  /** Elements: the product of `dims`. */
  readonly count: number;
  /** The file size the header implies: `headerBytes + count * elementBytes`. */
  readonly bytes: number;
}

/**
 * Parses and checks the IDX header at the start of `buf` (which may hold only a prefix of the file).
 * @returns the header, or `null` when `buf` is too short to hold it (the caller decides whether
 *   that means truncated)
 * @throws DataFileError `bad-magic`, `bad-type`, `bad-dims` (a zero dimension), `too-large`
 *   (over `MAX_IDX_BYTES`)
 */
export function parseIdxHeader(buf: Uint8Array, file: string): IdxHeader | null {
  if (buf.length >= 2 && (buf[0] !== 0 || buf[1] !== 0)) {
    throw new DataFileError('bad-magic', file, `expected an IDX magic number starting 00 00, found ${hex(buf[0]!)} ${hex(buf[1]!)}; this is not an IDX file`);
  }
  if (buf.length < 4) return null;
  const t = IDX_TYPES[buf[2] as keyof typeof IDX_TYPES];
  if (!t) {
    throw new DataFileError('bad-type', file, `expected an IDX element type 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E, found ${hex(buf[2]!)}`);
  }
  const k = buf[3]!;
  const headerBytes = 4 + 4 * k;
  if (buf.length < headerBytes) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < k; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    count *= n;
  }
  const zero = dims.indexOf(0);
  if (zero >= 0) {
    throw new DataFileError('bad-dims', file, `dimension ${zero + 1} of ${formatDims(dims)} is 0; every dimension of a data file must be at least 1 (the header is corrupt, or the file holds no examples)`);
  }
  const bytes = headerBytes + count * t.bytes;
  if (bytes > MAX_IDX_BYTES) {
    throw tooLarge(file, `dimensions ${formatDims(dims)} of ${t.name} declare ${bytes} bytes`, MAX_IDX_BYTES);
  }
  return { type: t.name, elementBytes: t.bytes, dims, headerBytes, count, bytes };
}

/**
 * Checks that a file of `found` bytes holds exactly what header `h` declares.
 * @throws DataFileError `bad-type` when the data size fits another element type exactly,
 *   `truncated` when shorter, `size-mismatch` when longer
 */
export function checkIdxSize(h: IdxHeader, found: number, file: string): void {
  if (found === h.bytes) return;
  const body = found - h.headerBytes;
  const fits = Object.values(IDX_TYPES).find((t) => t.bytes !== h.elementBytes && body === h.count * t.bytes);
  if (fits) {
    throw new DataFileError('bad-type', file, `the type byte (${hex(IDX_TYPE_BYTE[h.type])}, ${h.type}) does not match the data size: ${body} bytes for ${h.count} values (${fits.name} would fit); fix the type byte`);
  }
  const what = `dimensions ${formatDims(h.dims)} of ${h.type} need ${h.bytes} bytes, found ${found}`;
  if (found < h.bytes) throw new DataFileError('truncated', file, `${what}; the file is truncated`);
  throw new DataFileError('size-mismatch', file, `${what}; the dimensions in the header are wrong`);
}

/** The error for a buffer too short to hold the IDX header it starts. */
export function truncatedHeader(buf: Uint8Array, file: string): DataFileError {
  if (buf.length < 4) return new DataFileError('truncated', file, `expected an IDX header of at least 4 bytes, found a file of ${buf.length} bytes`);
  const k = buf[3]!;
  return new DataFileError('truncated', file, `header declares ${k} dimensions, needing ${4 + 4 * k} header bytes, but the file has ${buf.length} bytes`);
}

/**
 * Decodes an IDX file held in `buf` (already decompressed). `file` is used in error messages.
 * uint8 data is a view of `buf` (no copy); other types are copied and converted from big-endian.
 * @throws DataFileError `bad-magic`, `bad-type`, `bad-dims`, `too-large`, `truncated`, `size-mismatch`
 */
export function decodeIdx(buf: Uint8Array, file: string): IdxTensor {
  const h = parseIdxHeader(buf, file);
  if (!h) throw truncatedHeader(buf, file);
  checkIdxSize(h, buf.length, file);
  const { dims, count } = h;
  const body = buf.subarray(h.headerBytes);
  let data: IdxData;
  switch (h.type) {
    case 'uint8':
      data = body;
      break;
    case 'int8':
      data = new Int8Array(body.buffer, body.byteOffset, count);
      break;
    default: {
      const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      if (h.type === 'int16') {
        const a = new Int16Array(count);
        for (let i = 0; i < count; i++) a[i] = bv.getInt16(2 * i, false);
        data = a;
      } else if (h.type === 'int32') {
        const a = new Int32Array(count);
        for (let i = 0; i < count; i++) a[i] = bv.getInt32(4 * i, false);
        data = a;
      } else if (h.type === 'float32') {
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
  return { type: h.type, dims, data };
}

/**
 * A short text for dimension sizes: all of them up to 6, else the first 4, the last one and
 * the count (a corrupt header can declare 255 dimensions).
 */
export function formatDims(dims: readonly number[]): string {
  if (dims.length <= 6) return `[${dims.join(', ')}]`;
  return `[${dims.slice(0, 4).join(', ')}, ..., ${dims.at(-1)}] (${dims.length} dimensions)`;
}

export function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** The two kinds of IDX files a data set is made of. */
export type IdxRole = 'images' | 'labels';

/**
 * Checks that a header fits its role: images `[n, height, width]` or `[n, dim]` of any type;
 * labels `[n]` of an integer type.
 * @throws DataFileError `bad-dims`, `bad-type`
 */
export function checkIdxRole(h: { type: IdxTypeName; dims: readonly number[] }, role: IdxRole, file: string): void {
  if (role === 'images' && h.dims.length !== 3 && h.dims.length !== 2) {
    throw new DataFileError('bad-dims', file, `expected an images file of 3 dimensions [n, height, width] (or 2: [n, dim]), found ${h.dims.length}: ${formatDims(h.dims)}`);
  }
  if (role === 'labels' && h.dims.length !== 1) {
    throw new DataFileError('bad-dims', file, `expected a labels file of 1 dimension [n], found ${h.dims.length}: ${formatDims(h.dims)}`);
  }
  if (role === 'labels' && (h.type === 'float32' || h.type === 'float64')) {
    throw new DataFileError('bad-type', file, `expected integer labels (uint8, int8, int16 or int32), found ${h.type}`);
  }
}

/**
 * An images tensor (`[n, height, width]`, or `[n, dim]`) of any numeric type as features.
 * uint8 pixels are scaled by 1/255 into [0, 1]; other types are taken as they are.
 * @returns `x` `[n, dim]` row-major, and the image shape when the tensor has 3 dimensions
 * @throws DataFileError `bad-dims` when the tensor does not have 2 or 3 dimensions, `bad-value` on a value float32 cannot hold
 */
export function idxImageFeatures(t: IdxTensor, file: string): { x: Float32Array; n: number; dim: number; image?: { height: number; width: number } } {
  checkIdxRole(t, 'images', file);
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
 * A labels tensor (`[n]`, integer type) as labels. The range against the class count is checked by
 * `splitUserData`, which sees every file of a data set.
 * @throws DataFileError `bad-dims` when not 1-dimensional, `bad-type` when not an integer type,
 *   `bad-label` when a label is negative
 */
export function idxLabels(t: IdxTensor, file: string): Int32Array {
  checkIdxRole(t, 'labels', file);
  const y = Int32Array.from(t.data as ArrayLike<number>);
  for (let i = 0; i < y.length; i++) {
    if (y[i]! < 0) throw new DataFileError('bad-label', file, `expected labels >= 0, found ${y[i]} at example ${i}`, i);
  }
  return y;
}

function hex(b: number): string {
  return '0x' + b.toString(16).padStart(2, '0').toUpperCase();
}
