/**
 * The ONNX messages an exported classifier needs, as plain data, and their protobuf encoding
 * (`onnx/onnx.proto` of the ONNX specification, IR version 8; field numbers in the comments).
 * Only what we write is modelled: a graph of nodes with attributes, float32 / int64 initializers,
 * typed inputs and outputs with a symbolic batch dimension, the opset and string metadata.
 *
 *   ModelProto      1 ir_version, 2 producer_name, 3 producer_version, 6 doc_string, 7 graph,
 *                   8 opset_import, 14 metadata_props
 *   GraphProto      1 node, 2 name, 5 initializer, 10 doc_string, 11 input, 12 output
 *   NodeProto       1 input, 2 output, 3 name, 4 op_type, 5 attribute
 *   AttributeProto  1 name, 2 f, 3 i, 7 floats, 8 ints, 20 type (FLOAT 1, INT 2, FLOATS 6, INTS 7)
 *   TensorProto     1 dims, 2 data_type (FLOAT 1, INT64 7), 8 name, 9 raw_data (little-endian)
 *   ValueInfoProto  1 name, 2 type; TypeProto 1 tensor_type; TypeProto.Tensor 1 elem_type, 2 shape;
 *   TensorShapeProto 1 dim; Dimension 1 dim_value | 2 dim_param
 *   OperatorSetIdProto 1 domain, 2 version; StringStringEntryProto 1 key, 2 value
 *
 * Pure: no Node API (the browser page exports with it too).
 */
import { ProtobufWriter } from './protobuf-writer.ts';

/** ONNX `TensorProto.DataType` values we write. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** A node attribute: an int, a float, or a list of ints or floats. */
export type OnnxAttribute = { name: string; i: number } | { name: string; f: number } | { name: string; ints: readonly number[] } | { name: string; floats: readonly number[] };

/** One operator application: `outputs = opType(inputs; attributes)` (default domain, ai.onnx). */
export interface OnnxNode {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly OnnxAttribute[];
}

/** A constant of the graph: float32 weights or int64 shapes/axes, row-major with `dims`. */
export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: float32 with a shape whose entries are sizes or symbolic names (`'N'`). */
export interface OnnxValueInfo {
  name: string;
  shape: readonly (number | string)[];
}

/** A whole model: one graph, one opset of the default domain, and string metadata. */
export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: {
    name: string;
    docString: string;
    nodes: readonly OnnxNode[];
    initializers: readonly OnnxInitializer[];
    inputs: readonly OnnxValueInfo[];
    outputs: readonly OnnxValueInfo[];
  };
  metadata: Readonly<Record<string, string>>;
}

function encodeAttribute(a: OnnxAttribute): Uint8Array {
  const w = new ProtobufWriter().string(1, a.name);
  if ('i' in a) w.int(3, a.i).int(20, 2);
  else if ('f' in a) w.float(2, a.f).int(20, 1);
  else if ('ints' in a) w.packedInts(8, a.ints).int(20, 7);
  else w.packedFloats(7, a.floats).int(20, 6);
  return w.finish();
}

function encodeNode(n: OnnxNode): Uint8Array {
  const w = new ProtobufWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, encodeAttribute(a));
  return w.finish();
}

/** The little-endian bytes of a typed array (a copy on a big-endian host). */
function littleEndian(data: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return bytes;
  const out = new Uint8Array(bytes.length), size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += size) for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!;
  return out;
}

function encodeTensor(t: OnnxInitializer): Uint8Array {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) throw new RangeError(`ONNX initializer '${t.name}': dims [${t.dims.join(', ')}] hold ${count} values, data has ${t.data.length}`);
  return new ProtobufWriter()
    .packedInts(1, t.dims)
    .int(2, t.data instanceof Float32Array ? ONNX_FLOAT : ONNX_INT64)
    .string(8, t.name)
    .bytes(9, littleEndian(t.data))
    .finish();
}

function encodeValueInfo(v: OnnxValueInfo): Uint8Array {
  const shape = new ProtobufWriter();
  for (const d of v.shape) shape.message(1, typeof d === 'number' ? new ProtobufWriter().int(1, d).finish() : new ProtobufWriter().string(2, d).finish());
  const tensorType = new ProtobufWriter().int(1, ONNX_FLOAT).message(2, shape.finish()).finish();
  const type = new ProtobufWriter().message(1, tensorType).finish();
  return new ProtobufWriter().string(1, v.name).message(2, type).finish();
}

/** The model's bytes: what an `.onnx` file holds. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const g = new ProtobufWriter();
  for (const n of m.graph.nodes) g.message(1, encodeNode(n));
  g.string(2, m.graph.name);
  for (const t of m.graph.initializers) g.message(5, encodeTensor(t));
  if (m.graph.docString) g.string(10, m.graph.docString);
  for (const v of m.graph.inputs) g.message(11, encodeValueInfo(v));
  for (const v of m.graph.outputs) g.message(12, encodeValueInfo(v));

  const w = new ProtobufWriter().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, g.finish());
  w.message(8, new ProtobufWriter().string(1, '').int(2, m.opsetVersion).finish());
  for (const [key, value] of Object.entries(m.metadata)) w.message(14, new ProtobufWriter().string(1, key).string(2, value).finish());
  return w.finish();
}
