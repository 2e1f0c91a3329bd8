/**
 * A minimal protocol-buffers reader for tests: splits a message into its fields, written
 * independently of `src/export/protobuf-writer.ts` so the two check each other
 * (https://protobuf.dev/programming-guides/encoding/).
 */

/** One field: its number, wire type and value (a bigint for varints, the bytes for LEN and I32/I64). */
export interface ProtoField {
  field: number;
  wireType: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: { at: number }): bigint {
  let v = 0n, shift = 0n;
  for (;;) {
    if (pos.at >= buf.length) throw new Error('protobuf: truncated varint');
    const b = buf[pos.at++]!;
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return v;
    shift += 7n;
  }
}

/** Every field of the message `buf`, in order. */
export function readFields(buf: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  const pos = { at: 0 };
  while (pos.at < buf.length) {
    const key = Number(readVarint(buf, pos));
    const field = key >>> 3, wireType = key & 7;
    if (wireType === 0) out.push({ field, wireType, varint: readVarint(buf, pos) });
    else if (wireType === 2) {
      const n = Number(readVarint(buf, pos));
      out.push({ field, wireType, bytes: buf.subarray(pos.at, pos.at + n) });
      pos.at += n;
    } else if (wireType === 5 || wireType === 1) {
      const n = wireType === 5 ? 4 : 8;
      out.push({ field, wireType, bytes: buf.subarray(pos.at, pos.at + n) });
      pos.at += n;
    } else throw new Error(`protobuf: unsupported wire type ${wireType}`);
    if (pos.at > buf.length) throw new Error('protobuf: field runs past the end');
  }
  return out;
}

/** The fields numbered `field` of `buf`. */
export function fieldsNumbered(buf: Uint8Array, field: number): ProtoField[] {
  return readFields(buf).filter((f) => f.field === field);
}

/** A LEN field's bytes as UTF-8 text. */
export function text(f: ProtoField | undefined): string {
  return new TextDecoder().decode(f?.bytes ?? new Uint8Array());
}

/** The varints of a packed repeated field. */
export function packedVarints(bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  const pos = { at: 0 };
  while (pos.at < bytes.length) out.push(readVarint(bytes, pos));
  return out;
}
