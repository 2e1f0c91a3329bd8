/**
 * The `reference` backend: plain TypeScript, one obvious loop per kernel. It is the
 * specification every fast backend is tested against. Never optimise it. Its kernel bodies
 * trust their shapes: `checkedKernels` (`src/tensor/checked-kernels.ts`) checks them once.
 *
 * `createReferenceBackend('float64')` gives the same kernels on Float64Array, used by the
 * float64 central-difference gradient checks.
 */
import type { Activation, Backend } from '../../tensor/kernels.ts';
import { Matrix, type FloatArray } from '../../tensor/matrix.ts';
import { checkedKernels } from '../../tensor/checked-kernels.ts';
import { ShapeError } from '../../tensor/shapes.ts';
import { activate, activateGrad, softplus } from './scalar.ts';
import { adamUpdateLoop } from './adam.ts';
import * as conv from './conv.ts';
import { referenceNormKernels } from './norm.ts';
import { hostCpu, hostRuntime } from '../variant.ts';

export function createReferenceBackend(dtype: 'float32' | 'float64' = 'float32'): Backend {
  const name = dtype === 'float32' ? 'reference' : 'reference64';
  const alloc = (n: number): FloatArray => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
  const make = (rows: number, cols: number, data: FloatArray): Matrix => {
    return new Matrix(rows, cols, { view: () => data, free: () => {} }, name);
  };
  const own = (op: string, ...ms: Matrix[]): void => {
    for (const m of ms) {
      if (m.backend !== name) {
        throw new ShapeError(`${op}: a matrix of backend '${m.backend}' was passed to backend '${name}'; create it with this backend`);
      }
    }
  };

  return checkedKernels({
    name,
    dtype,
    description: `plain TypeScript ${dtype} loops (the specification)`,
    variant: { backend: name, precision: dtype, cpu: hostCpu(), runtime: hostRuntime(), reproducible: true },

    zeros(rows, cols) {
      return make(rows, cols, alloc(rows * cols));
    },
    fromArray(rows, cols, values) {
      const data = alloc(rows * cols);
      for (let i = 0; i < data.length; i++) data[i] = values[i]!;
      return make(rows, cols, data);
    },
    copy(src, dst) {
      own('copy', src, dst);
      dst.data.set(src.data);
    },
    fill(x, value) {
      x.data.fill(value);
    },

    gemm(transA, transB, alpha, a, b, beta, c) {
      own('gemm', a, b, c);
      const m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols, n = c.cols;
      const A = a.data, B = b.data, C = c.data;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) {
            const av = transA ? A[p * a.cols + i]! : A[i * a.cols + p]!;
            const bv = transB ? B[j * b.cols + p]! : B[p * b.cols + j]!;
            s += av * bv;
          }
          C[i * n + j] = beta === 0 ? alpha * s : alpha * s + beta * C[i * n + j]!;
        }
      }
    },
    axpy(alpha, x, y) {
      own('axpy', x, y);
      const X = x.data, Y = y.data;
      for (let i = 0; i < X.length; i++) Y[i] = alpha * X[i]! + Y[i]!;
    },
    scale(alpha, x) {
      const X = x.data;
      for (let i = 0; i < X.length; i++) X[i] = alpha * X[i]!;
    },
    add(a, b, out) {
      own('add', a, b, out);
      const A = a.data, B = b.data, O = out.data;
      for (let i = 0; i < O.length; i++) O[i] = A[i]! + B[i]!;
    },
    sub(a, b, out) {
      own('sub', a, b, out);
      const A = a.data, B = b.data, O = out.data;
      for (let i = 0; i < O.length; i++) O[i] = A[i]! - B[i]!;
    },
    mul(a, b, out) {
      own('mul', a, b, out);
      const A = a.data, B = b.data, O = out.data;
      for (let i = 0; i < O.length; i++) O[i] = A[i]! * B[i]!;
    },
    where(mask, a, b, out) {
      own('where', mask, a, b, out);
      const M = mask.data, A = a.data, B = b.data, O = out.data;
      for (let i = 0; i < O.length; i++) O[i] = M[i] !== 0 ? A[i]! : B[i]!;
    },

    addRowVector(x, bias, out) {
      own('addRowVector', x, bias, out);
      const X = x.data, Bv = bias.data, O = out.data, n = x.cols;
      for (let i = 0; i < x.rows; i++) for (let j = 0; j < n; j++) O[i * n + j] = X[i * n + j]! + Bv[j]!;
    },
    biasActivation(f: Activation, x, bias, out) {
      own('biasActivation', x, bias, out);
      const X = x.data, Bv = bias.data, O = out.data, n = x.cols;
      for (let i = 0; i < x.rows; i++) for (let j = 0; j < n; j++) O[i * n + j] = activate(f, X[i * n + j]! + Bv[j]!);
    },
    activation(f, x, out) {
      own('activation', x, out);
      const X = x.data, O = out.data;
      for (let i = 0; i < O.length; i++) O[i] = activate(f, X[i]!);
    },
    activationBackward(f, y, dy, out) {
      own('activationBackward', y, dy, out);
      const Y = y.data, D = dy.data, O = out.data;
      for (let i = 0; i < O.length; i++) O[i] = D[i]! * activateGrad(f, Y[i]!);
    },
    softplus(x, out) {
      own('softplus', x, out);
      const X = x.data, O = out.data;
      for (let i = 0; i < O.length; i++) O[i] = softplus(X[i]!);
    },

    colSums(x, out, alpha = 1, beta = 0) {
      own('colSums', x, out);
      const X = x.data, O = out.data, n = x.cols;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < x.rows; i++) s += X[i * n + j]!;
        O[j] = beta === 0 ? alpha * s : alpha * s + beta * O[j]!;
      }
    },
    rowSums(x, out) {
      own('rowSums', x, out);
      const X = x.data, O = out.data, n = x.cols;
      for (let i = 0; i < x.rows; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += X[i * n + j]!;
        O[i] = s;
      }
    },
    sum(x) {
      let s = 0;
      for (const v of x.data) s += v;
      return s;
    },
    sumSquares(x) {
      let s = 0;
      for (const v of x.data) s += v * v;
      return s;
    },
    sumAbs(x) {
      let s = 0;
      for (const v of x.data) s += Math.abs(v);
      return s;
    },
    signAxpy(alpha, x, y) {
      own('signAxpy', x, y);
      const X = x.data, Y = y.data;
      for (let i = 0; i < Y.length; i++) Y[i] = alpha * Math.sign(X[i]!) + Y[i]!;
    },
    allFinite(x) {
      for (const v of x.data) if (!Number.isFinite(v)) return false;
      return true;
    },
    argmaxRows(x, out) {
      const X = x.data, n = x.cols;
      for (let i = 0; i < x.rows; i++) {
        let best = 0;
        for (let j = 1; j < n; j++) if (X[i * n + j]! > X[i * n + best]!) best = j;
        out[i] = best;
      }
    },

    softmaxCrossEntropy(logits, labels, probs, grad, scale) {
      own('softmaxCrossEntropy', logits, probs);
      const L = logits.data, P = probs.data, n = logits.cols;
      let nll = 0;
      for (let i = 0; i < logits.rows; i++) {
        let max = -Infinity;
        for (let j = 0; j < n; j++) max = Math.max(max, L[i * n + j]!);
        let z = 0;
        for (let j = 0; j < n; j++) z += Math.exp(L[i * n + j]! - max);
        const y = labels[i]!;
        nll += Math.log(z) - (L[i * n + y]! - max);
        for (let j = 0; j < n; j++) P[i * n + j] = Math.exp(L[i * n + j]! - max) / z;
      }
      if (grad) {
        const G = grad.data;
        for (let i = 0; i < logits.rows; i++) {
          for (let j = 0; j < n; j++) G[i * n + j] = scale * (P[i * n + j]! - (j === labels[i] ? 1 : 0));
        }
      }
      return nll;
    },
    binaryCrossEntropy(target, p) {
      own('binaryCrossEntropy', target, p);
      const T = target.data, P = p.data;
      let s = 0;
      for (let i = 0; i < T.length; i++) {
        const q = Math.min(Math.max(P[i]!, 1e-7), 1 - 1e-7);
        s -= T[i]! * Math.log(q) + (1 - T[i]!) * Math.log(1 - q);
      }
      return s;
    },

    bernoulli(p, u, out) {
      own('bernoulli', p, u, out);
      const P = p.data, U = u.data, O = out.data;
      for (let i = 0; i < O.length; i++) O[i] = U[i]! < P[i]! ? 1 : 0;
    },

    sgdUpdate(param, grad, velocity, lr, momentum, l2) {
      own('sgdUpdate', param, grad);
      const W = param.data, G = grad.data;
      if (velocity) {
        own('sgdUpdate', velocity);
        const V = velocity.data;
        for (let i = 0; i < W.length; i++) {
          V[i] = momentum * V[i]! - lr * (G[i]! + l2 * W[i]!);
          W[i] = W[i]! + V[i]!;
        }
      } else {
        for (let i = 0; i < W.length; i++) W[i] = W[i]! - lr * (G[i]! + l2 * W[i]!);
      }
    },

    reshape(x, rows, cols) {
      own('reshape', x);
      // The view reads the numbers through x (so a disposed x is noticed); it frees nothing.
      return new Matrix(rows, cols, { view: () => x.data, free: () => {} }, name);
    },
    im2col(x, g, cols) {
      own('im2col', x, cols);
      conv.im2col(x.data, g, cols.data);
    },
    col2im(cols, g, dx) {
      own('col2im', cols, dx);
      conv.col2im(cols.data, g, dx.data);
    },
    maxPool(x, g, y, argmax) {
      own('maxPool', x, y);
      conv.maxPool(x.data, g, y.data, argmax);
    },
    maxPoolBackward(dy, argmax, dx) {
      own('maxPoolBackward', dy, dx);
      conv.maxPoolBackward(dy.data, argmax, dx.data);
    },
    avgPool(x, g, y) {
      own('avgPool', x, y);
      conv.avgPool(x.data, g, y.data);
    },
    avgPoolBackward(dy, g, dx) {
      own('avgPoolBackward', dy, dx);
      conv.avgPoolBackward(dy.data, g, dx.data);
    },

    ...referenceNormKernels(own),

    adamUpdate(param, grad, m, v, lr, beta1, beta2, eps, c1, c2, l2, decay) {
      own('adamUpdate', param, grad, m, v);
      adamUpdateLoop(param.data, grad.data, m.data, v.data, lr, beta1, beta2, eps, c1, c2, l2, decay);
    },
  });
}
