/**
 * The compiled addon (`native/build/Release/pretrain_lab_native.node`, sources in `native/src/`)
 * and how it is found. `PRETRAIN_LAB_NATIVE_PATH` overrides the path (tests point it at a
 * missing file to simulate a machine without OpenBLAS).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT_URL } from '../../package-root.ts';

/**
 * The C entry points. Matrices are passed as their Float32Array (no copy); lengths are
 * element counts and shapes are checked in TypeScript before any call.
 */
export interface NativeAddon {
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array): void;
  axpy(alpha: number, x: Float32Array, y: Float32Array): void;
  scale(alpha: number, x: Float32Array): void;
  add(a: Float32Array, b: Float32Array, out: Float32Array): void;
  sub(a: Float32Array, b: Float32Array, out: Float32Array): void;
  mul(a: Float32Array, b: Float32Array, out: Float32Array): void;
  where(mask: Float32Array, a: Float32Array, b: Float32Array, out: Float32Array): void;
  addRowVector(x: Float32Array, bias: Float32Array, out: Float32Array): void;
  /** `f`: activation code, the index in `ACTIVATIONS`. */
  biasActivation(f: number, x: Float32Array, bias: Float32Array, out: Float32Array): void;
  activation(f: number, x: Float32Array, out: Float32Array): void;
  activationBackward(f: number, y: Float32Array, dy: Float32Array, out: Float32Array): void;
  softplus(x: Float32Array, out: Float32Array): void;
  colSums(x: Float32Array, out: Float32Array, alpha: number, beta: number): void;
  rowSums(x: Float32Array, out: Float32Array, cols: number): void;
  sum(x: Float32Array): number;
  sumSquares(x: Float32Array): number;
  sumAbs(x: Float32Array): number;
  signAxpy(alpha: number, x: Float32Array, y: Float32Array): void;
  allFinite(x: Float32Array): boolean;
  argmaxRows(x: Float32Array, out: Int32Array, cols: number): void;
  softmaxCrossEntropy(logits: Float32Array, labels: Int32Array, probs: Float32Array, grad: Float32Array | null, scale: number): number;
  binaryCrossEntropy(target: Float32Array, p: Float32Array): number;
  bernoulli(p: Float32Array, u: Float32Array, out: Float32Array): void;
  sgdUpdate(param: Float32Array, grad: Float32Array, velocity: Float32Array | null, lr: number, momentum: number, l2: number): void;
  /** One Adam / AdamW step (`adamUpdate` of src/tensor/kernels.ts), arguments in that order. */
  adamUpdate(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number, l2: number, decay: number): void;
  /**
   * The conv group (`native/src/conv.c`). `geometry`: Int32Array `[batch, height, width, channels,
   * kernelH, kernelW, stride, pad, outH, outW]`, validated again in C with the array lengths.
   */
  im2col(x: Float32Array, geometry: Int32Array, cols: Float32Array): void;
  col2im(cols: Float32Array, geometry: Int32Array, dx: Float32Array): void;
  maxPool(x: Float32Array, geometry: Int32Array, y: Float32Array, argmax: Int32Array): void;
  /** Throws a RangeError when an argmax entry is outside dx (checked in TypeScript first). */
  maxPoolBackward(dy: Float32Array, argmax: Int32Array, dx: Float32Array): void;
  avgPool(x: Float32Array, geometry: Int32Array, y: Float32Array): void;
  avgPoolBackward(dy: Float32Array, geometry: Int32Array, dx: Float32Array): void;
  /** Batch norm over x viewed as `[x.length / channels, channels]` (norm.c). */
  batchNormForward(x: Float32Array, channels: number, gamma: Float32Array, beta: Float32Array, eps: number, mean: Float32Array, invStd: Float32Array, y: Float32Array): void;
  channelAffine(x: Float32Array, channels: number, mean: Float32Array, invStd: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array): void;
  batchNormBackward(x: Float32Array, dy: Float32Array, channels: number, mean: Float32Array, invStd: Float32Array, gamma: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void;
  /** Group norm; the batch is `mean.length / groups`. */
  groupNormForward(x: Float32Array, channels: number, groups: number, gamma: Float32Array, beta: Float32Array, eps: number, mean: Float32Array, invStd: Float32Array, y: Float32Array): void;
  groupNormBackward(x: Float32Array, dy: Float32Array, channels: number, groups: number, mean: Float32Array, invStd: Float32Array, gamma: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void;
  dropoutMask(u: Float32Array, keep: number, mask: Float32Array): void;
  setThreads(n: number): void;
  getThreads(): number;
  /** OpenBLAS build string, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64`. */
  blasConfig(): string;
  /** The kernel set OpenBLAS chose when it loaded (e.g. `Haswell`); `OPENBLAS_CORETYPE` pins it. */
  blasCoreName(): string;
  /** How the addon's own C kernels were compiled: compiler version and instruction-set extensions (e.g. `x86-64+sse4.2`). */
  buildInfo(): { compiler: string; isa: string };
}

/** The one command that enables the backend, for error messages and `availableBackends()`. */
export const NATIVE_ENABLE_HINT =
  'enable it with: sudo apt-get install libopenblas-dev && node scripts/build-native.mjs (or npm rebuild)';

/** Where the addon is looked for: `$PRETRAIN_LAB_NATIVE_PATH`, else the node-gyp output. */
export function nativeAddonPath(): string {
  const override = process.env['PRETRAIN_LAB_NATIVE_PATH'];
  if (override) return override;
  return fileURLToPath(new URL('native/build/Release/pretrain_lab_native.node', PACKAGE_ROOT_URL));
}

export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string; path: string };

const loaded = new Map<string, AddonLoad>();
const requireAddon = createRequire(import.meta.url);

/**
 * Loads the addon once per path. Never throws: a missing or broken file gives
 * `{ ok: false, reason }` with the command that fixes it.
 */
export function loadNativeAddon(): AddonLoad {
  const path = nativeAddonPath();
  const cached = loaded.get(path);
  if (cached) return cached;
  let result: AddonLoad;
  if (!existsSync(path)) {
    // Not cached: the addon may be built later in this process.
    return { ok: false, path, reason: `the native addon is not built (no ${path}); ${NATIVE_ENABLE_HINT}` };
  }
  // OpenBLAS starts its thread pool when the library loads; with OPENBLAS_NUM_THREADS=1 it
  // starts none (setThreads(n) still adds threads later). Restored at once, so child
  // processes do not inherit it.
  const threadsEnv = process.env['OPENBLAS_NUM_THREADS'];
  if (threadsEnv === undefined) process.env['OPENBLAS_NUM_THREADS'] = '1';
  try {
    result = { ok: true, path, addon: requireAddon(path) as NativeAddon };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    result = { ok: false, path, reason: `the native addon ${path} failed to load (${msg}); ${NATIVE_ENABLE_HINT}` };
  } finally {
    if (threadsEnv === undefined) delete process.env['OPENBLAS_NUM_THREADS'];
  }
  loaded.set(path, result);
  return result;
}
