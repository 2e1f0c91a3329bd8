// Re-exports only.
export * from './protobuf-writer.ts';
export * from './onnx-proto.ts';
export * from './onnx-graph-builder.ts';
export * from './onnx-export-error.ts';
export * from './input-normalization.ts';
export * from './mlp-to-onnx.ts';
export * from './export-onnx.ts';
