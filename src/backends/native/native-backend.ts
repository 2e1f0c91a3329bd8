/**
 * The `native` backend: matrices are plain Float32Arrays (garbage-collected, no external
 * memory) whose data pointers go to C without copying (`native/src/`): OpenBLAS
 * `cblas_sgemm` for GEMM, fused single-pass C loops (vectorised by GCC) for the rest.
 * Ownership is checked here, before any C call; shapes were checked once by `checkedKernels`
 * (`src/tensor/checked-kernels.ts`), which wraps these kernels. The semantics are those of the
 * reference backend (`src/backends/reference/`), proven by `test/backends/conformance.test.ts`.
 */
import type { Activation, Backend, ConvGeometry } from '../../tensor/kernels.ts';
import { Matrix } from '../../tensor/matrix.ts';
import { checkedKernels } from '../../tensor/checked-kernels.ts';
import { ShapeError } from '../../tensor/shapes.ts';
import { BackendUnavailableError } from '../names.ts';
import { loadNativeAddon, type NativeAddon } from './addon.ts';
import type { NumericVariant } from '../../tensor/numeric-variant.ts';
import { reproducibleCoreType } from '../reproducible.ts';
import { hostCpu, hostRuntime } from '../variant.ts';

const NAME = 'native';

/** Activation codes understood by the C kernels (`enum pl_activation` in native/src/kernels.h). */
const ACTIVATION_CODE: Record<Activation, number> = { identity: 0, sigmoid: 1, tanh: 2, relu: 3 };

function activationCode(op: string, f: Activation): number {
  const code = ACTIVATION_CODE[f];
  if (code === undefined) throw new RangeError(`${op}: unknown activation '${f}'; use one of ${Object.keys(ACTIVATION_CODE).join(', ')}`);
  return code;
}

/** The Float32Array of a native matrix; any other backend's matrix is rejected by name. */
function arr(op: string, m: Matrix): Float32Array {
  if (m.backend !== NAME) {
    throw new ShapeError(
      `${op}: a matrix of backend '${m.backend}' was passed to backend '${NAME}'; create it with the native backend ` +
        `(zeros/fromArray), or copy it over with native.fromArray(m.rows, m.cols, m.data)`,
    );
  }
  return m.data as Float32Array;
}

function make(rows: number, cols: number, data: Float32Array): Matrix {
  return new Matrix(rows, cols, { view: () => data, free: () => {} }, NAME);
}

/** One reused Int32Array carries a ConvGeometry to C (a call allocates nothing). */
const GEOMETRY = new Int32Array(10);

function geometry(g: ConvGeometry): Int32Array {
  GEOMETRY[0] = g.batch;
  GEOMETRY[1] = g.height;
  GEOMETRY[2] = g.width;
  GEOMETRY[3] = g.channels;
  GEOMETRY[4] = g.kernelH;
  GEOMETRY[5] = g.kernelW;
  GEOMETRY[6] = g.stride;
  GEOMETRY[7] = g.pad;
  GEOMETRY[8] = g.outH;
  GEOMETRY[9] = g.outW;
  return GEOMETRY;
}

/** The addon, or a BackendUnavailableError naming the fix. */
export function requireNativeAddon(): NativeAddon {
  const load = loadNativeAddon();
  if (!load.ok) throw new BackendUnavailableError(`backend 'native' is unavailable: ${load.reason}`);
  return load.addon;
}

/**
 * The addon's numeric variant, read from OpenBLAS itself (`openblas_get_config()`,
 * `openblas_get_corename()`) and from how the addon was compiled. Reproducible when the core
 * type is the baseline pinned for this architecture (`reproducible.ts`).
 */
export function nativeVariant(c: NativeAddon): NumericVariant {
  const config = c.blasConfig().trim();
  // An addon built before these entry points existed still loads: rebuild it to read them.
  const stale = 'unknown (rebuild the addon: node scripts/build-native.mjs)';
  const coreType = typeof c.blasCoreName === 'function' ? c.blasCoreName().trim() : stale;
  const cpu = hostCpu();
  const version = /^OpenBLAS\s+(\S+)/.exec(config)?.[1] ?? 'unknown';
  const pinned = reproducibleCoreType(cpu.arch);
  return {
    backend: NAME,
    precision: 'float32',
    blas: { library: 'OpenBLAS', version, coreType, threads: c.getThreads(), config },
    nativeBuild: typeof c.buildInfo === 'function' ? c.buildInfo() : { compiler: stale, isa: stale },
    cpu,
    runtime: hostRuntime(),
    reproducible: pinned !== undefined && pinned.toLowerCase() === coreType.toLowerCase(),
  };
}

/** Creates the native backend; throws BackendUnavailableError when the addon is missing. */
export async function createNativeBackend(): Promise<Backend> {
  const c = requireNativeAddon();
  return checkedKernels({
    name: NAME,
    dtype: 'float32',
    description: `native C: ${c.blasConfig().trim()} sgemm (${c.getThreads()} thread), fused C element-wise kernels`,
    /** Read on each access: `setThreads` may change the thread count. */
    get variant() {
      return nativeVariant(c);
    },

    zeros(rows, cols) {
      return make(rows, cols, new Float32Array(rows * cols));
    },
    fromArray(rows, cols, values) {
      const data = new Float32Array(rows * cols);
      data.set(values);
      return make(rows, cols, data);
    },
    copy(src, dst) {
      const s = arr('copy', src), d = arr('copy', dst);
      d.set(s);
    },
    fill(x, value) {
      arr('fill', x).fill(value);
    },

    gemm(transA, transB, alpha, a, b, beta, cm) {
      const A = arr('gemm', a), B = arr('gemm', b), C = arr('gemm', cm);
      const m = cm.rows, n = cm.cols, k = transA ? a.rows : a.cols;
      c.gemm(transA, transB, m, n, k, alpha, A, B, beta, C);
    },
    axpy(alpha, x, y) {
      const X = arr('axpy', x), Y = arr('axpy', y);
      c.axpy(alpha, X, Y);
    },
    scale(alpha, x) {
      c.scale(alpha, arr('scale', x));
    },
    add(a, b, out) {
      const A = arr('add', a), B = arr('add', b), O = arr('add', out);
      c.add(A, B, O);
    },
    sub(a, b, out) {
      const A = arr('sub', a), B = arr('sub', b), O = arr('sub', out);
      c.sub(A, B, O);
    },
    mul(a, b, out) {
      const A = arr('mul', a), B = arr('mul', b), O = arr('mul', out);
      c.mul(A, B, O);
    },
    where(mask, a, b, out) {
      const M = arr('where', mask), A = arr('where', a), B = arr('where', b), O = arr('where', out);
      c.where(M, A, B, O);
    },

    addRowVector(x, bias, out) {
      const X = arr('addRowVector', x), Bv = arr('addRowVector', bias), O = arr('addRowVector', out);
      if (x.cols > 0) c.addRowVector(X, Bv, O);
    },
    biasActivation(f, x, bias, out) {
      const X = arr('biasActivation', x), Bv = arr('biasActivation', bias), O = arr('biasActivation', out);
      if (x.cols > 0) c.biasActivation(activationCode('biasActivation', f), X, Bv, O);
    },
    activation(f, x, out) {
      const X = arr('activation', x), O = arr('activation', out);
      c.activation(activationCode('activation', f), X, O);
    },
    activationBackward(f, y, dy, out) {
      const Y = arr('activationBackward', y), D = arr('activationBackward', dy), O = arr('activationBackward', out);
      c.activationBackward(activationCode('activationBackward', f), Y, D, O);
    },
    softplus(x, out) {
      const X = arr('softplus', x), O = arr('softplus', out);
      c.softplus(X, O);
    },

    colSums(x, out, alpha = 1, beta = 0) {
      const X = arr('colSums', x), O = arr('colSums', out);
      if (x.cols > 0) c.colSums(X, O, alpha, beta);
    },
    rowSums(x, out) {
      const X = arr('rowSums', x), O = arr('rowSums', out);
      c.rowSums(X, O, x.cols);
    },
    sum(x) {
      return c.sum(arr('sum', x));
    },
    sumSquares(x) {
      return c.sumSquares(arr('sumSquares', x));
    },
    sumAbs(x) {
      return c.sumAbs(arr('sumAbs', x));
    },
    signAxpy(alpha, x, y) {
      const X = arr('signAxpy', x), Y = arr('signAxpy', y);
      c.signAxpy(alpha, X, Y);
    },
    allFinite(x) {
      return c.allFinite(arr('allFinite', x));
    },
    argmaxRows(x, out) {
      const X = arr('argmaxRows', x);
      c.argmaxRows(X, out, x.cols);
    },

    softmaxCrossEntropy(logits, labels, probs, grad, scale) {
      const L = arr('softmaxCrossEntropy', logits), P = arr('softmaxCrossEntropy', probs);
      const G = grad ? arr('softmaxCrossEntropy', grad) : null;
      if (logits.rows === 0) return 0;
      return c.softmaxCrossEntropy(L, labels, P, G, scale);
    },
    binaryCrossEntropy(target, p) {
      const T = arr('binaryCrossEntropy', target), P = arr('binaryCrossEntropy', p);
      return c.binaryCrossEntropy(T, P);
    },

    bernoulli(p, u, out) {
      const P = arr('bernoulli', p), U = arr('bernoulli', u), O = arr('bernoulli', out);
      c.bernoulli(P, U, O);
    },

    sgdUpdate(param, grad, velocity, lr, momentum, l2) {
      const W = arr('sgdUpdate', param), G = arr('sgdUpdate', grad);
      const V = velocity ? arr('sgdUpdate', velocity) : null;
      c.sgdUpdate(W, G, V, lr, momentum, l2);
    },

    reshape(x, rows, cols) {
      arr('reshape', x);
      // The view reads the numbers through x (so a disposed x is noticed); it frees nothing.
      return new Matrix(rows, cols, { view: () => x.data, free: () => {} }, NAME);
    },
    im2col(x, g, cols) {
      const X = arr('im2col', x), O = arr('im2col', cols);
      c.im2col(X, geometry(g), O);
    },
    col2im(cols, g, dx) {
      const C = arr('col2im', cols), D = arr('col2im', dx);
      c.col2im(C, geometry(g), D);
    },
    maxPool(x, g, y, argmax) {
      const X = arr('maxPool', x), Y = arr('maxPool', y);
      c.maxPool(X, geometry(g), Y, argmax);
    },
    maxPoolBackward(dy, argmax, dx) {
      const D = arr('maxPoolBackward', dy), X = arr('maxPoolBackward', dx);
      c.maxPoolBackward(D, argmax, X);
    },
    avgPool(x, g, y) {
      const X = arr('avgPool', x), Y = arr('avgPool', y);
      c.avgPool(X, geometry(g), Y);
    },
    avgPoolBackward(dy, g, dx) {
      const D = arr('avgPoolBackward', dy), X = arr('avgPoolBackward', dx);
      c.avgPoolBackward(D, geometry(g), X);
    },

    batchNormForward(x, channels, gamma, beta, eps, mean, invStd, y) {
      const op = 'batchNormForward';
      c.batchNormForward(arr(op, x), channels, arr(op, gamma), arr(op, beta), eps, arr(op, mean), arr(op, invStd), arr(op, y));
    },
    channelAffine(x, channels, mean, invStd, gamma, beta, y) {
      const op = 'channelAffine';
      c.channelAffine(arr(op, x), channels, arr(op, mean), arr(op, invStd), arr(op, gamma), arr(op, beta), arr(op, y));
    },
    batchNormBackward(x, dy, channels, mean, invStd, gamma, dx, dgamma, dbeta) {
      const op = 'batchNormBackward';
      c.batchNormBackward(arr(op, x), arr(op, dy), channels, arr(op, mean), arr(op, invStd), arr(op, gamma), arr(op, dx), arr(op, dgamma), arr(op, dbeta));
    },
    groupNormForward(x, channels, groups, gamma, beta, eps, mean, invStd, y) {
      const op = 'groupNormForward';
      c.groupNormForward(arr(op, x), channels, groups, arr(op, gamma), arr(op, beta), eps, arr(op, mean), arr(op, invStd), arr(op, y));
    },
    groupNormBackward(x, dy, channels, groups, mean, invStd, gamma, dx, dgamma, dbeta) {
      const op = 'groupNormBackward';
      c.groupNormBackward(arr(op, x), arr(op, dy), channels, groups, arr(op, mean), arr(op, invStd), arr(op, gamma), arr(op, dx), arr(op, dgamma), arr(op, dbeta));
    },
    dropoutMask(u, keep, mask) {
      c.dropoutMask(arr('dropoutMask', u), keep, arr('dropoutMask', mask));
    },

    adamUpdate(param, grad, m, v, lr, beta1, beta2, eps, c1, c2, l2, decay) {
      const W = arr('adamUpdate', param), G = arr('adamUpdate', grad), M = arr('adamUpdate', m), V = arr('adamUpdate', v);
      c.adamUpdate(W, G, M, V, lr, beta1, beta2, eps, c1, c2, l2, decay);
    },
  });
}
