/**
 * The protocol-buffers wire format, write side only: the few field kinds an ONNX model needs
 * (https://protobuf.dev/programming-guides/encoding/). A message is a sequence of fields, each a
 * key `(fieldNumber << 3) | wireType` (a varint) and a value:
 *
 *   wire type 0 VARINT   int32/int64/enum, little-endian base-128 (7 bits per byte, high bit =
 *                        more bytes follow); a negative int64 is its 64-bit two's complement
 *                        (always 10 bytes)
 *   wire type 2 LEN      a varint byte length, then the bytes: strings (UTF-8), bytes, embedded
 *                        messages, packed repeated scalars
 *   wire type 5 I32      4 bytes little-endian: float
 *
 * Fields equal to their default (0, '', empty) may be left out; repeated fields repeat the key,
 * or (packed, the proto3 default for scalars) put every value in one LEN field.
 *
 * Pure: no Node API, so the browser build uses it as it is.
 */

const VARINT = 0;
const LEN = 2;
const I32 = 5;

const utf8 = new TextEncoder();

/** Appends fields of one message; `finish()` returns its bytes (to write, or to embed with `message`). */
export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];
  private length = 0;

  /** A varint value (no key): non-negative numbers up to 2^53, negative ones as 64-bit two's complement. */
  private varint(v: number | bigint): void {
    let u = typeof v === 'bigint' ? BigInt.asUintN(64, v) : v;
    if (typeof u === 'number') {
      if (!Number.isSafeInteger(u)) throw new RangeError(`ProtobufWriter: ${u} is not a safe integer`);
      if (u < 0) {
        u = BigInt.asUintN(64, BigInt(u));
      } else {
        while (u >= 0x80) {
          this.pending.push((u % 0x80) | 0x80);
          u = Math.floor(u / 0x80);
        }
        this.pending.push(u);
        return;
      }
    }
    let b = u as bigint;
    while (b >= 0x80n) {
      this.pending.push(Number(b & 0x7fn) | 0x80);
      b >>= 7n;
    }
    this.pending.push(Number(b));
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** Moves the pending small bytes into the chunk list before a large payload. */
  private flush(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Uint8Array.from(this.pending));
    this.length += this.pending.length;
    this.pending = [];
  }

  /** An int32/int64/enum field (varint); 0 is written too (call only for fields to be present). */
  int(field: number, v: number | bigint): this {
    this.key(field, VARINT);
    this.varint(v);
    return this;
  }

  /** A float field (4 bytes, little-endian IEEE 754 single). */
  float(field: number, v: number): this {
    this.key(field, I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.pending.push(...b);
    return this;
  }

  /** A bytes field, or an embedded message's bytes (`finish()` of another writer). */
  bytes(field: number, data: Uint8Array): this {
    this.key(field, LEN);
    this.varint(data.length);
    this.flush();
    this.chunks.push(data);
    this.length += data.length;
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** An embedded message field: `message(7, graphWriter.finish())`. */
  message(field: number, encoded: Uint8Array): this {
    return this.bytes(field, encoded);
  }

  /** A packed repeated int64 field (one LEN field holding the varints); nothing for an empty list. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const inner = new ProtobufWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field (4 bytes per value); nothing for an empty list. */
  packedFloats(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const b = new Uint8Array(4 * values.length), view = new DataView(b.buffer);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    return this.bytes(field, b);
  }

  /** The message's bytes so far. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}
