/**
 * A binary cache of decoded examples (Float32 features + Int32 labels), checked before it is used.
 *
 * Layout (little-endian): a 128-byte header, then `xCount` float32 and `yCount` int32.
 * Header: magic `PLCACHE1` (8 bytes), version u32, byte-order mark u32 `0x01020304`, xCount u32,
 * yCount u32, SHA-256 of the cache key (32 bytes), SHA-256 of the payload (32 bytes), zero padding.
 * A file whose size, magic, version, key or payload hash does not match is rejected (stale or
 * corrupt) and the caller rebuilds it; it is never trusted blindly. Written atomically.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { atomicWriteFile } from '../io/atomic-write.ts';

const MAGIC = 'PLCACHE1';
const VERSION = 1;
const HEADER = 128;
const BOM = 0x01020304;

/** A cache read: the arrays, or the reason the file was rejected. */
export type CacheRead = { ok: true; x: Float32Array; y: Int32Array } | { ok: false; reason: string };

/**
 * Reads a cache file written by `writeDecodedCache` with the same `key`.
 * `x` and `y` are views of one freshly read buffer (no further copy).
 */
export function readDecodedCache(file: string, key: string): CacheRead {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return { ok: false, reason: 'missing' };
  }
  if (size < HEADER) return { ok: false, reason: `file of ${size} bytes is shorter than the ${HEADER}-byte header` };
  const buf = readFileSync(file);
  if (buf.toString('latin1', 0, 8) !== MAGIC) return { ok: false, reason: 'bad magic' };
  const version = buf.readUInt32LE(8), bom = buf.readUInt32LE(12);
  if (version !== VERSION) return { ok: false, reason: `version ${version}, expected ${VERSION}` };
  if (bom !== BOM) return { ok: false, reason: 'written on a machine of the other byte order' };
  const xCount = buf.readUInt32LE(16), yCount = buf.readUInt32LE(20);
  const expected = HEADER + 4 * xCount + 4 * yCount;
  if (buf.length !== expected) return { ok: false, reason: `size ${buf.length}, header implies ${expected}` };
  if (!buf.subarray(24, 56).equals(sha256(Buffer.from(key)))) return { ok: false, reason: 'stale (key differs)' };
  const payload = buf.subarray(HEADER);
  if (!buf.subarray(56, 88).equals(sha256(payload))) return { ok: false, reason: 'corrupt (payload hash differs)' };
  let ab = buf.buffer, off = buf.byteOffset + HEADER;
  if (off % 4 !== 0) {
    ab = payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength) as ArrayBuffer;
    off = 0;
  }
  const x = new Float32Array(ab, off, xCount);
  const y = new Int32Array(ab, off + 4 * xCount, yCount);
  return { ok: true, x, y };
}

/** Writes `x` and `y` under `key` atomically (temp file + rename). */
export function writeDecodedCache(file: string, key: string, x: Float32Array, y: Int32Array): void {
  const buf = Buffer.alloc(HEADER + 4 * x.length + 4 * y.length);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(VERSION, 8);
  buf.writeUInt32LE(BOM, 12);
  buf.writeUInt32LE(x.length, 16);
  buf.writeUInt32LE(y.length, 20);
  sha256(Buffer.from(key)).copy(buf, 24);
  Buffer.from(x.buffer, x.byteOffset, x.byteLength).copy(buf, HEADER);
  Buffer.from(y.buffer, y.byteOffset, y.byteLength).copy(buf, HEADER + 4 * x.length);
  sha256(buf.subarray(HEADER)).copy(buf, 56);
  atomicWriteFile(file, buf);
}

function sha256(b: Uint8Array): Buffer {
  return createHash('sha256').update(b).digest();
}
