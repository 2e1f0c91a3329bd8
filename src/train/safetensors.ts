/**
 * The safetensors codec, with no file access (so a browser bundle can use it): an 8-byte
 * little-endian header length N, N bytes of JSON header, then the raw data. The header maps each
 * tensor name to `{dtype, shape, data_offsets: [begin, end]}` (offsets into the data section) and
 * holds `__metadata__`, a map of string to string. `checkpoint.ts` reads and writes these bytes to
 * files; the web page hands them to the browser as a download.
 */
import type { FloatArray } from '../tensor/matrix.ts';

/** Version string stored under `__metadata__.format`. */
export const CHECKPOINT_FORMAT = 'pretrain-lab-checkpoint/1';

/** A named array to save: anything with a shape and float data; a `Matrix` qualifies. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: FloatArray;
}

/** What `readCheckpoint` returns: tensors in file order and the string metadata. */
export interface Checkpoint {
  tensors: Map<string, { shape: number[]; data: FloatArray }>;
  metadata: Record<string, string>;
}

/** A checkpoint file that cannot be read; the message names the file and what is wrong. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/**
 * A resume state (or a trial's saved pre-trained stack) this run cannot continue from: written by
 * another trial config, by another pretrain-lab version whose configs have other keys, with other
 * options, or by another numeric variant. The message names the file and what to do. The file is
 * intact, only not this run's: a study's runner moves the trial's checkpoints aside and starts the
 * trial over (`src/experiments/stale-state.ts`); a direct `runTrial` or `train --resume` refuses.
 */
export class StaleStateError extends CheckpointError {
  override name = 'StaleStateError';
}

const MAX_HEADER = 100 * 1024 * 1024;
const BYTES = { F32: 4, F64: 8 } as const;
type Dtype = keyof typeof BYTES;

function littleEndianBytes(data: FloatArray): Uint8Array {
  // JavaScript engines run on little-endian hosts here; a typed array's bytes are already little-endian.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The bytes of a safetensors file holding `tensors` and `metadata`, as parts to concatenate
 * (header length, header, then each tensor's data, which are live views: write them out before
 * training on). Metadata gets `format` = CHECKPOINT_FORMAT unless given.
 * @param tensors name -> tensor (e.g. `hidden.0.W` -> a `[784, 1000]` Matrix)
 * @param metadata string values only (JSON-encode structures)
 * @param where names the destination in errors (`writeCheckpoint(<where>)`)
 * @throws TypeError on a non-string metadata value, a tensor named `__metadata__`, or a shape that disagrees with the data
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}, where = 'checkpoint'): Uint8Array[] {
  const header: Record<string, unknown> = {};
  const meta: Record<string, string> = { format: CHECKPOINT_FORMAT, ...metadata };
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v !== 'string') throw new TypeError(`writeCheckpoint(${where}): metadata '${k}' must be a string (JSON-encode it)`);
  }
  header['__metadata__'] = meta;
  const entries = Object.entries(tensors);
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new TypeError(`writeCheckpoint(${where}): '__metadata__' is reserved and cannot name a tensor`);
    const dtype: Dtype = t.data instanceof Float64Array ? 'F64' : 'F32';
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new TypeError(`writeCheckpoint(${where}): tensor '${name}' has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    }
    const bytes = count * BYTES[dtype];
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const utf8 = new TextEncoder();
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (utf8.encode(json).length % 8)) % 8); // align the data section to 8 bytes
  const headerBytes = utf8.encode(json);
  const lenBytes = new Uint8Array(8);
  new DataView(lenBytes.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  return [lenBytes, headerBytes, ...entries.map(([, t]) => littleEndianBytes(t.data))];
}

/**
 * Decodes and validates safetensors bytes (written by `encodeSafetensors`, or any F32/F64 file).
 * Tensor data are copied (aligned), so `buf` may be reused.
 * @param source names the file in errors (`checkpoint <source> is corrupt ...`)
 * @throws CheckpointError when the bytes are truncated, the header is malformed, a tensor's
 *   offsets fall outside the data or disagree with its shape, or a dtype is unsupported
 */
export function decodeSafetensors(buf: Uint8Array, source: string): Checkpoint {
  const fail = (what: string): never => {
    throw new CheckpointError(`checkpoint ${source} is corrupt or not a safetensors file: ${what}`);
  };
  if (buf.length < 8) fail(`${buf.length} bytes is shorter than the 8-byte header length`);
  const n = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, buf.length - 8))) fail(`header length ${n} exceeds the file (${buf.length} bytes)`);
  const hlen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + hlen)));
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + hlen, dataLen = buf.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, { shape: number[]; data: FloatArray }>();
  let end = 0;
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32' && e.dtype !== 'F64') fail(`tensor '${name}' has dtype ${String(e.dtype)}; only F32 and F64 are supported`);
    const dtype = e.dtype as Dtype;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor '${name}' has an invalid shape`);
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`tensor '${name}' has invalid data_offsets`);
    }
    const [b, f] = off as [number, number];
    if (b > f || f > dataLen) fail(`tensor '${name}' spans bytes [${b}, ${f}) but the data section has ${dataLen} bytes (truncated file?)`);
    const count = shape.reduce((a, c) => a * c, 1);
    if (f - b !== count * BYTES[dtype]) fail(`tensor '${name}' of shape [${shape.join(', ')}] needs ${count * BYTES[dtype]} bytes, has ${f - b}`);
    const copy = new Uint8Array(buf.subarray(dataStart + b, dataStart + f)); // aligned copy
    const data = dtype === 'F32' ? new Float32Array(copy.buffer, 0, count) : new Float64Array(copy.buffer, 0, count);
    tensors.set(name, { shape, data });
    end = Math.max(end, f);
  }
  if (end !== dataLen) fail(`the data section has ${dataLen} bytes but the tensors use ${end}`);
  return { tensors, metadata };
}

/** The tensor `name` of a checkpoint with the expected shape, or a CheckpointError naming both. */
export function checkpointTensor(ck: Checkpoint, name: string, shape: readonly number[], path = 'checkpoint'): FloatArray {
  const t = ck.tensors.get(name);
  if (!t) throw new CheckpointError(`${path} has no tensor '${name}' (it holds: ${[...ck.tensors.keys()].join(', ')})`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new CheckpointError(`${path}: tensor '${name}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}] (a different model?)`);
  }
  return t.data;
}
