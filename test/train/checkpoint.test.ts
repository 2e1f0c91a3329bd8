import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { CHECKPOINT_FORMAT, CheckpointError, readCheckpoint, writeCheckpoint } from '../../src/train/checkpoint.ts';

const be = createReferenceBackend('float32');

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoint-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('checkpoint (safetensors)', () => {
  test('round trip keeps every F32 and F64 value bit for bit, shapes and string metadata', () =>
    withDir((dir) => {
      const rng = new Rng(1);
      const W = be.fromArray(3, 5, rng.fillUniform(new Float32Array(15), -1, 1));
      const v64 = { shape: [2, 2], data: Float64Array.from([Math.PI, -1e-300, 1 / 3, 0]) };
      const empty = { shape: [0, 4], data: new Float32Array(0) };
      const path = join(dir, 'a.safetensors');
      writeCheckpoint(path, { 'hidden.0.W': W, x64: v64, empty }, { config: '{"seed":1}', metrics: '{}' });
      const ck = readCheckpoint(path);
      assert.deepEqual([...ck.tensors.keys()], ['hidden.0.W', 'x64', 'empty']);
      assert.deepEqual(ck.tensors.get('hidden.0.W')!.shape, [3, 5]);
      assert.deepEqual(ck.tensors.get('hidden.0.W')!.data, W.data);
      assert.ok(ck.tensors.get('x64')!.data instanceof Float64Array);
      assert.deepEqual(ck.tensors.get('x64')!.data, v64.data);
      assert.deepEqual(ck.metadata, { format: CHECKPOINT_FORMAT, config: '{"seed":1}', metrics: '{}' });
    }));

  test('the file is 8-byte LE header length, JSON header with dtype/shape/data_offsets, then LE data', () =>
    withDir((dir) => {
      const path = join(dir, 'b.safetensors');
      writeCheckpoint(path, { a: { shape: [1, 2], data: Float32Array.from([1.5, -2]) }, b: { shape: [1], data: Float32Array.from([7]) } }, { m: 'x' });
      const buf = readFileSync(path);
      const n = Number(buf.readBigUInt64LE(0));
      assert.equal((8 + n) % 8, 0, 'data section aligned to 8 bytes');
      const header = JSON.parse(buf.subarray(8, 8 + n).toString());
      assert.deepEqual(header.a, { dtype: 'F32', shape: [1, 2], data_offsets: [0, 8] });
      assert.deepEqual(header.b, { dtype: 'F32', shape: [1], data_offsets: [8, 12] });
      assert.equal(header.__metadata__.m, 'x');
      assert.equal(buf.length, 8 + n + 12);
      assert.deepEqual([buf.readFloatLE(8 + n), buf.readFloatLE(12 + n), buf.readFloatLE(16 + n)], [1.5, -2, 7]);
    }));

  test('a write that fails midway leaves the previous file intact and no temporary file', () =>
    withDir((dir) => {
      const path = join(dir, 'c.safetensors');
      writeCheckpoint(path, { a: { shape: [2], data: Float32Array.from([1, 2]) } }, { v: 'old' });
      const before = readFileSync(path);
      const failing = { shape: [3], get data(): Float32Array { throw new Error('disk full (simulated)'); } };
      let reads = 0;
      const lateFailing = {
        shape: [3],
        get data(): Float32Array {
          if (++reads > 1) throw new Error('disk full (simulated, after the header was written)');
          return new Float32Array(3);
        },
      };
      assert.throws(() => writeCheckpoint(path, { a: { shape: [2], data: new Float32Array(2) }, b: failing }, { v: 'new' }), /disk full/);
      assert.throws(() => writeCheckpoint(path, { a: { shape: [2], data: new Float32Array(2) }, b: lateFailing }, { v: 'new' }), /after the header/);
      assert.deepEqual(readFileSync(path), before);
      assert.deepEqual(readdirSync(dir), ['c.safetensors']);
      assert.equal(readCheckpoint(path).metadata['v'], 'old');
    }));

  test('corrupt files raise CheckpointError naming the file and the problem', () =>
    withDir((dir) => {
      const good = join(dir, 'good.safetensors');
      writeCheckpoint(good, { w: { shape: [4, 4], data: new Float32Array(16) } });
      const bytes = readFileSync(good);
      const cases: [string, Buffer, RegExp][] = [
        ['truncated.safetensors', bytes.subarray(0, bytes.length - 5), /spans bytes .*truncated file/],
        ['tiny.safetensors', Buffer.from([1, 2, 3]), /shorter than the 8-byte header length/],
        ['huge-header.safetensors', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), bytes.subarray(8)]), /header length \d+ exceeds the file/],
        ['not-json.safetensors', Buffer.concat([bytes.subarray(0, 8), Buffer.alloc(Number(bytes.readBigUInt64LE(0)), 0x7b), bytes.subarray(8 + Number(bytes.readBigUInt64LE(0)))]), /not valid JSON/],
        ['trailing.safetensors', Buffer.concat([bytes, Buffer.alloc(4)]), /data section has \d+ bytes but the tensors use/],
      ];
      for (const [name, content, re] of cases) {
        const p = join(dir, name);
        writeFileSync(p, content);
        assert.throws(() => readCheckpoint(p), (e: unknown) => e instanceof CheckpointError && e.message.includes(p) && re.test(e.message), name);
      }
      const hdr = (h: object): Buffer => {
        const j = Buffer.from(JSON.stringify(h));
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(BigInt(j.length));
        return Buffer.concat([len, j, Buffer.alloc(8)]);
      };
      const badShape = join(dir, 'bad-shape.safetensors');
      writeFileSync(badShape, hdr({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }));
      assert.throws(() => readCheckpoint(badShape), /needs 12 bytes, has 8/);
      const badType = join(dir, 'bad-type.safetensors');
      writeFileSync(badType, hdr({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }));
      assert.throws(() => readCheckpoint(badType), /dtype I64; only F32 and F64/);
      assert.throws(() => readCheckpoint(join(dir, 'missing.safetensors')), /missing\.safetensors cannot be read/);
    }));
});
