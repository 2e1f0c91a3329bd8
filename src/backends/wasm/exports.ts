/**
 * The functions exported by `dist/wasm/kernels.wasm` (built from `assembly/index.ts`).
 * Pointers are byte offsets into `memory`, counts are elements, booleans and activation
 * codes are i32 (activation: 0 identity, 1 sigmoid, 2 tanh, 3 relu).
 */
export interface WasmKernelExports {
  readonly memory: WebAssembly.Memory;
  relaxedSimd(): number;
  alloc(bytes: number, zero: number): number;
  release(ptr: number): void;
  copyBytes(src: number, dst: number, bytes: number): void;
  gemm(
    transA: number, transB: number, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
  ): void;
  setSmallM(rows: number): void;
  setSmallKBlock(rows: number): void;
  setSmallK(k: number): void;
  fill(x: number, n: number, value: number): void;
  axpy(alpha: number, x: number, y: number, n: number): void;
  scale(alpha: number, x: number, n: number): void;
  /** op: 0 add, 1 sub, 2 mul. */
  binary(op: number, a: number, b: number, out: number, n: number): void;
  where(mask: number, a: number, b: number, out: number, n: number): void;
  bernoulli(p: number, u: number, out: number, n: number): void;
  signAxpy(alpha: number, x: number, y: number, n: number): void;
  /** velocity 0 means none. */
  sgdUpdate(w: number, g: number, v: number, n: number, lr: number, momentum: number, l2: number): void;
  activation(f: number, x: number, out: number, n: number): void;
  biasActivation(f: number, x: number, bias: number, out: number, rows: number, cols: number): void;
  activationBackward(f: number, y: number, dy: number, out: number, n: number): void;
  softplus(x: number, out: number, n: number): void;
  /** mode: 0 sum, 1 sum of squares, 2 sum of absolute values. */
  sumOf(mode: number, x: number, n: number): number;
  colSums(x: number, out: number, rows: number, cols: number, alpha: number, beta: number): void;
  rowSums(x: number, out: number, rows: number, cols: number): void;
  allFinite(x: number, n: number): number;
  argmaxRows(x: number, out: number, rows: number, cols: number): void;
  /** grad 0 means none. */
  softmaxCrossEntropy(logits: number, labels: number, probs: number, grad: number, rows: number, cols: number, scale: number): number;
  binaryCrossEntropy(t: number, p: number, n: number): number;
  /** Scalars pre-combined in float64: omb = 1 - beta, stepSize = lr / c1, invSqrtC2 = 1 / sqrt(c2), lrDecay = lr * decay (assembly/adam.ts). */
  adamUpdate(
    w: number, g: number, m: number, v: number, n: number,
    beta1: number, omb1: number, beta2: number, omb2: number, eps: number, stepSize: number, invSqrtC2: number, l2: number, lrDecay: number,
  ): void;
  // conv group (assembly/conv.ts): the geometry as (batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW)
  im2col(x: number, cols: number, ...geometry: ConvGeometryArgs): void;
  col2im(cols: number, dx: number, ...geometry: ConvGeometryArgs): void;
  /** argmax: i32 per y element (flat indices into x). */
  maxPool(x: number, y: number, argmax: number, ...geometry: ConvGeometryArgs): void;
  maxPoolBackward(dy: number, argmax: number, dx: number, n: number, dxLen: number): void;
  avgPool(x: number, y: number, ...geometry: ConvGeometryArgs): void;
  avgPoolBackward(dy: number, dx: number, ...geometry: ConvGeometryArgs): void;
  // norm group (assembly/norm.ts): x viewed as [rows, C] for batch norm, [batch, cols = S * C] for group norm
  batchNormForward(x: number, rows: number, C: number, gamma: number, beta: number, eps: number, mean: number, invStd: number, y: number): void;
  channelAffine(x: number, rows: number, C: number, mean: number, invStd: number, gamma: number, beta: number, y: number): void;
  batchNormBackward(x: number, dy: number, rows: number, C: number, mean: number, invStd: number, gamma: number, dx: number, dgamma: number, dbeta: number): void;
  groupNormForward(x: number, batch: number, cols: number, C: number, groups: number, gamma: number, beta: number, eps: number, mean: number, invStd: number, y: number): void;
  groupNormBackward(x: number, dy: number, batch: number, cols: number, C: number, groups: number, mean: number, invStd: number, gamma: number, dx: number, dgamma: number, dbeta: number): void;
  dropoutMask(u: number, n: number, keep: number, mask: number): void;
}

/** batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW. */
export type ConvGeometryArgs = [
  batch: number, height: number, width: number, channels: number, kernelH: number,
  kernelW: number, stride: number, pad: number, outH: number, outW: number,
];
