import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtobufWriter } from '../../src/export/protobuf-writer.ts';
import { encodeOnnxModel, type OnnxModel } from '../../src/export/onnx-proto.ts';
import { fieldsNumbered, packedVarints, readFields, text } from '../helpers/protobuf-reader.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('int(1, 150) is 08 96 01 and string(2, "testing") is 12 07 "testing" (the protobuf encoding guide\'s examples)', () => {
  assert.equal(hex(new ProtobufWriter().int(1, 150).finish()), '089601');
  assert.equal(hex(new ProtobufWriter().string(2, 'testing').finish()), '120774657374696e67');
});

test('varints: 0, 127, 128, 300, 2^53 - 1, and a negative int64 as ten bytes of two\'s complement', () => {
  const one = (v: number | bigint): string => hex(new ProtobufWriter().int(1, v).finish()).slice(2);
  assert.equal(one(0), '00');
  assert.equal(one(127), '7f');
  assert.equal(one(128), '8001');
  assert.equal(one(300), 'ac02');
  assert.equal(one(Number.MAX_SAFE_INTEGER), 'ffffffffffffff0f');
  assert.equal(one(-1), 'ffffffffffffffffff01');
  assert.equal(one(-1n), 'ffffffffffffffffff01');
  assert.throws(() => new ProtobufWriter().int(1, 0.5), /not a safe integer/);
});

test('float, packed ints and floats, embedded messages: what a reader written separately gets back', () => {
  const inner = new ProtobufWriter().string(1, 'k').string(2, 'v').finish();
  const buf = new ProtobufWriter().float(2, 1.5).packedInts(8, [3, -1, 300]).packedFloats(7, [0.25, -2]).message(14, inner).packedInts(9, []).finish();
  const f = readFields(buf);
  assert.deepEqual(f.map((x) => [x.field, x.wireType]), [[2, 5], [8, 2], [7, 2], [14, 2]], 'an empty packed field is left out');
  assert.equal(new DataView(f[0]!.bytes!.buffer, f[0]!.bytes!.byteOffset).getFloat32(0, true), 1.5);
  assert.deepEqual(packedVarints(f[1]!.bytes!).map((v) => BigInt.asIntN(64, v)), [3n, -1n, 300n]);
  const floats = new Float32Array(f[2]!.bytes!.slice().buffer);
  assert.deepEqual([...floats], [0.25, -2]);
  assert.deepEqual([text(fieldsNumbered(f[3]!.bytes!, 1)[0]), text(fieldsNumbered(f[3]!.bytes!, 2)[0])], ['k', 'v']);
});

test('encodeOnnxModel writes ir_version, the opset, the graph and metadata_props under their onnx.proto field numbers', () => {
  const m: OnnxModel = {
    irVersion: 8, opsetVersion: 17, producerName: 'p', producerVersion: '1', docString: 'd',
    graph: {
      name: 'g', docString: '',
      nodes: [{ opType: 'Relu', name: 'n', inputs: ['x'], outputs: ['y'] }],
      initializers: [{ name: 'w', dims: [2], data: Float32Array.of(1, 2) }, { name: 's', dims: [1], data: BigInt64Array.of(-1n) }],
      inputs: [{ name: 'x', shape: ['N', 2] }],
      outputs: [{ name: 'y', shape: ['N', 2] }],
    },
    metadata: { a: 'b' },
  };
  const buf = encodeOnnxModel(m);
  assert.equal(fieldsNumbered(buf, 1)[0]!.varint, 8n);
  assert.equal(text(fieldsNumbered(buf, 2)[0]), 'p');
  const opset = fieldsNumbered(buf, 8)[0]!.bytes!;
  assert.equal(fieldsNumbered(opset, 2)[0]!.varint, 17n);
  const meta = fieldsNumbered(buf, 14)[0]!.bytes!;
  assert.deepEqual([text(fieldsNumbered(meta, 1)[0]), text(fieldsNumbered(meta, 2)[0])], ['a', 'b']);
  const graph = fieldsNumbered(buf, 7)[0]!.bytes!;
  const node = fieldsNumbered(graph, 1)[0]!.bytes!;
  assert.equal(text(fieldsNumbered(node, 4)[0]), 'Relu');
  const [w, s] = fieldsNumbered(graph, 5).map((f) => f.bytes!);
  assert.equal(fieldsNumbered(w!, 2)[0]!.varint, 1n, 'FLOAT');
  assert.deepEqual([...new Float32Array(fieldsNumbered(w!, 9)[0]!.bytes!.slice().buffer)], [1, 2]);
  assert.equal(fieldsNumbered(s!, 2)[0]!.varint, 7n, 'INT64');
  assert.deepEqual([...new BigInt64Array(fieldsNumbered(s!, 9)[0]!.bytes!.slice().buffer)], [-1n]);
  const input = fieldsNumbered(graph, 11)[0]!.bytes!;
  const shape = fieldsNumbered(fieldsNumbered(fieldsNumbered(input, 2)[0]!.bytes!, 1)[0]!.bytes!, 2)[0]!.bytes!;
  const dims = fieldsNumbered(shape, 1).map((d) => readFields(d.bytes!)[0]!);
  assert.deepEqual([text(dims[0]), dims[1]!.varint], ['N', 2n], 'a symbolic batch dimension, then a size');
  assert.throws(() => encodeOnnxModel({ ...m, graph: { ...m.graph, initializers: [{ name: 'bad', dims: [3], data: Float32Array.of(1) }] } }), /'bad'.*3 values.*1/);
});
