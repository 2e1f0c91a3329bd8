/**
 * The `wasm` backend's kernels (AssemblyScript, 128-bit SIMD). Pointers are byte offsets
 * into linear memory, counts are elements; the TypeScript side (`src/backends/wasm/`)
 * checks shapes and ownership before calling. Activation codes: 0 identity, 1 sigmoid,
 * 2 tanh, 3 relu.
 */
export { alloc, release, copyBytes } from './memory';
export { gemm, setSmallM, setSmallK, setStreamK } from './gemm';
export { setSmallKBlock } from './gemm-small';
export { fill, axpy, scale, binary, where, bernoulli, signAxpy, sgdUpdate } from './elementwise';
export { activation, biasActivation, activationBackward, softplus } from './activations';
export { sumOf, colSums, rowSums, allFinite, argmaxRows } from './reductions';
export { softmaxCrossEntropy, binaryCrossEntropy } from './losses';
export { adamUpdate } from './adam';
export { im2col, col2im, maxPool, maxPoolBackward, avgPool, avgPoolBackward } from './conv';
export { batchNormForward, channelAffine, batchNormBackward, groupNormForward, groupNormBackward, dropoutMask } from './norm';

/** 1 when this build uses relaxed SIMD (f32x4.relaxed_madd), else 0. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
