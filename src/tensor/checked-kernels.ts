/**
 * The one place kernel arguments are checked. `checkedKernels(raw)` wraps a backend whose
 * kernel bodies trust their inputs: every kernel call is checked here once (shapes, label
 * range, allocation sizes), then forwarded unchanged. Every backend factory returns its
 * kernels through this wrapper, so `createBackend(name)` always hands out a checked backend
 * and no backend repeats the checks.
 *
 * The checks cost a few integer compares per call: no allocation and no closure per call
 * (fixed-arity helpers; messages are built only when a check fails), because the fast backends
 * run these kernels in batch-1 loops. Ownership (a matrix of another backend) stays with each
 * backend: it is how a backend finds its own memory (a wasm pointer, a native array).
 */
import type { Backend, Kernels, ModernKernels } from './kernels.ts';
import { shapeOf, type Matrix } from './matrix.ts';
import { assertLabels, assertRowVector, assertShape, gemmShapes, ShapeError } from './shapes.ts';

const CHECKED = new WeakSet<Backend>();

/** Throws a ShapeError naming the kernel and both arguments unless `b` has the shape of `a`. */
function same(op: string, names: string, na: string, a: Matrix, nb: string, b: Matrix): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new ShapeError(`${op}: ${na} is ${shapeOf(a)} but ${nb} is ${shapeOf(b)}; ${names} must have the same [rows, cols]`);
  }
}

/** Throws a RangeError unless `[rows, cols]` are non-negative integers. */
function validShape(op: string, rows: number, cols: number): void {
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 0 && cols >= 0)) {
    throw new RangeError(`${op}: shape [${rows}, ${cols}] must be non-negative integers`);
  }
}

/** Throws unless `a` and `b` hold the same number of elements (views of `rows * C` numbers). */
function sameSize(op: string, na: string, a: Matrix, nb: string, b: Matrix): void {
  if (a.size !== b.size) {
    throw new ShapeError(`${op}: ${na} is ${shapeOf(a)} (${a.size} numbers) but ${nb} is ${shapeOf(b)} (${b.size}); they must hold the same number of elements`);
  }
}

/** Checks that `channels` is a positive integer dividing x's size; returns the rows of x viewed as `[rows, channels]`. */
function channelRows(op: string, x: Matrix, channels: number): number {
  if (!(Number.isInteger(channels) && channels >= 1)) {
    throw new RangeError(`${op}: channels is ${channels} but must be a positive integer`);
  }
  if (x.size % channels !== 0) {
    throw new ShapeError(`${op}: x is ${shapeOf(x)} (${x.size} numbers), not divisible into ${channels} channels; x must hold rows * channels numbers (NHWC, channel fastest)`);
  }
  return x.size / channels;
}

/** Throws unless `v` is the per-channel row vector `[1, channels]`. */
function channelVector(op: string, what: string, v: Matrix, channels: number): void {
  if (v.rows !== 1 || v.cols !== channels) {
    throw new ShapeError(`${op}: ${what} must be [1, ${channels}] (one number per channel) but is ${shapeOf(v)}`);
  }
}

/** Throws unless `eps` is a finite number >= 0. */
function validEps(op: string, eps: number): void {
  if (!(Number.isFinite(eps) && eps >= 0)) throw new RangeError(`${op}: eps is ${eps} but must be a finite number >= 0 (e.g. 1e-5)`);
}

/** Group normalisation's shape rules: x is `[batch, S * channels]` and `groups` divides `channels`. */
function groupShape(op: string, x: Matrix, channels: number, groups: number): void {
  if (!(Number.isInteger(channels) && channels >= 1)) {
    throw new RangeError(`${op}: channels is ${channels} but must be a positive integer`);
  }
  if (!(Number.isInteger(groups) && groups >= 1 && channels % groups === 0)) {
    throw new RangeError(`${op}: groups is ${groups} but must be a positive integer dividing channels (${channels}); use a divisor of ${channels}`);
  }
  if (x.cols % channels !== 0) {
    throw new ShapeError(`${op}: x is ${shapeOf(x)}, but a row must hold spatial * channels numbers (channels ${channels} does not divide ${x.cols}); x must be [batch, H*W*C] (NHWC)`);
  }
}

/** Throws unless `m` is the per-(example, group) statistic `[batch, groups]`. */
function groupStats(op: string, what: string, m: Matrix, x: Matrix, groups: number): void {
  if (m.rows !== x.rows || m.cols !== groups) {
    throw new ShapeError(`${op}: ${what} must be [${x.rows}, ${groups}] (one number per example and group of x ${shapeOf(x)}) but is ${shapeOf(m)}`);
  }
}

/** True when `backend` came out of `checkedKernels`. */
export function isChecked(backend: Backend): boolean {
  return CHECKED.has(backend);
}

/**
 * `raw` with every kernel's arguments checked once before the call (see the module comment);
 * other fields (name, dtype, description, anything a backend adds) are passed through.
 * Wrapping an already checked backend returns it unchanged.
 */
export function checkedKernels(raw: Backend): Backend {
  if (CHECKED.has(raw)) return raw;
  const kernels: Omit<Kernels, 'name' | 'dtype'> = {
    ...uncheckedModern(raw),
    zeros(rows, cols) {
      validShape('zeros', rows, cols);
      return raw.zeros(rows, cols);
    },
    fromArray(rows, cols, values) {
      validShape('fromArray', rows, cols);
      if (values.length !== rows * cols) {
        throw new ShapeError(`fromArray: ${values.length} values cannot fill [${rows}, ${cols}] (need ${rows * cols})`);
      }
      return raw.fromArray(rows, cols, values);
    },
    copy(src, dst) {
      same('copy', 'src and dst', 'src', src, 'dst', dst);
      raw.copy(src, dst);
    },
    fill: (x, value) => raw.fill(x, value),

    gemm(transA, transB, alpha, a, b, beta, c) {
      gemmShapes(transA, transB, a, b, c);
      raw.gemm(transA, transB, alpha, a, b, beta, c);
    },
    axpy(alpha, x, y) {
      same('axpy', 'x and y', 'x', x, 'y', y);
      raw.axpy(alpha, x, y);
    },
    scale: (alpha, x) => raw.scale(alpha, x),
    add(a, b, out) {
      same('add', 'a, b and out', 'a', a, 'b', b);
      same('add', 'a, b and out', 'a', a, 'out', out);
      raw.add(a, b, out);
    },
    sub(a, b, out) {
      same('sub', 'a, b and out', 'a', a, 'b', b);
      same('sub', 'a, b and out', 'a', a, 'out', out);
      raw.sub(a, b, out);
    },
    mul(a, b, out) {
      same('mul', 'a, b and out', 'a', a, 'b', b);
      same('mul', 'a, b and out', 'a', a, 'out', out);
      raw.mul(a, b, out);
    },
    where(mask, a, b, out) {
      same('where', 'mask, a, b and out', 'mask', mask, 'a', a);
      same('where', 'mask, a, b and out', 'mask', mask, 'b', b);
      same('where', 'mask, a, b and out', 'mask', mask, 'out', out);
      raw.where(mask, a, b, out);
    },

    addRowVector(x, bias, out) {
      same('addRowVector', 'x and out', 'x', x, 'out', out);
      assertRowVector('addRowVector', x, bias);
      raw.addRowVector(x, bias, out);
    },
    biasActivation(f, x, bias, out) {
      same('biasActivation', 'x and out', 'x', x, 'out', out);
      assertRowVector('biasActivation', x, bias);
      raw.biasActivation(f, x, bias, out);
    },
    activation(f, x, out) {
      same('activation', 'x and out', 'x', x, 'out', out);
      raw.activation(f, x, out);
    },
    activationBackward(f, y, dy, out) {
      same('activationBackward', 'y, dy and out', 'y', y, 'dy', dy);
      same('activationBackward', 'y, dy and out', 'y', y, 'out', out);
      raw.activationBackward(f, y, dy, out);
    },
    softplus(x, out) {
      same('softplus', 'x and out', 'x', x, 'out', out);
      raw.softplus(x, out);
    },

    colSums(x, out, alpha, beta) {
      assertShape('colSums', 'out', out, 1, x.cols);
      raw.colSums(x, out, alpha, beta);
    },
    rowSums(x, out) {
      assertShape('rowSums', 'out', out, x.rows, 1);
      raw.rowSums(x, out);
    },
    sum: (x) => raw.sum(x),
    sumSquares: (x) => raw.sumSquares(x),
    sumAbs: (x) => raw.sumAbs(x),
    signAxpy(alpha, x, y) {
      same('signAxpy', 'x and y', 'x', x, 'y', y);
      raw.signAxpy(alpha, x, y);
    },
    allFinite: (x) => raw.allFinite(x),
    argmaxRows(x, out) {
      if (out.length !== x.rows) throw new ShapeError(`argmaxRows: out has length ${out.length}, need ${x.rows} (one per row of x)`);
      raw.argmaxRows(x, out);
    },

    softmaxCrossEntropy(logits, labels, probs, grad, scale) {
      same('softmaxCrossEntropy', 'logits, probs and grad', 'logits', logits, 'probs', probs);
      if (grad) same('softmaxCrossEntropy', 'logits, probs and grad', 'logits', logits, 'grad', grad);
      assertLabels('softmaxCrossEntropy', labels, logits.rows, logits.cols);
      return raw.softmaxCrossEntropy(logits, labels, probs, grad, scale);
    },
    binaryCrossEntropy(target, p) {
      same('binaryCrossEntropy', 'target and p', 'target', target, 'p', p);
      return raw.binaryCrossEntropy(target, p);
    },

    bernoulli(p, u, out) {
      same('bernoulli', 'p, u and out', 'p', p, 'u', u);
      same('bernoulli', 'p, u and out', 'p', p, 'out', out);
      raw.bernoulli(p, u, out);
    },

    sgdUpdate(param, grad, velocity, lr, momentum, l2) {
      same('sgdUpdate', 'param, grad and velocity', 'param', param, 'grad', grad);
      if (velocity) same('sgdUpdate', 'param, grad and velocity', 'param', param, 'velocity', velocity);
      raw.sgdUpdate(param, grad, velocity, lr, momentum, l2);
    },

    // @modern-kernels: conv/pool group (reshape, im2col, col2im, maxPool, maxPoolBackward, avgPool, avgPoolBackward) goes below

    // @modern-kernels: norm/dropout group (batchNormForward, channelAffine, batchNormBackward, groupNormForward, groupNormBackward, dropoutMask) goes below
    batchNormForward(x, channels, gamma, beta, eps, mean, invStd, y) {
      const op = 'batchNormForward';
      const rows = channelRows(op, x, channels);
      if (rows < 1) throw new ShapeError(`${op}: x is ${shapeOf(x)}, no rows to take statistics over; pass at least one row`);
      sameSize(op, 'x', x, 'y', y);
      channelVector(op, 'gamma', gamma, channels);
      channelVector(op, 'beta', beta, channels);
      channelVector(op, 'mean', mean, channels);
      channelVector(op, 'invStd', invStd, channels);
      validEps(op, eps);
      raw.batchNormForward(x, channels, gamma, beta, eps, mean, invStd, y);
    },
    channelAffine(x, channels, mean, invStd, gamma, beta, y) {
      const op = 'channelAffine';
      channelRows(op, x, channels);
      sameSize(op, 'x', x, 'y', y);
      channelVector(op, 'mean', mean, channels);
      channelVector(op, 'invStd', invStd, channels);
      channelVector(op, 'gamma', gamma, channels);
      channelVector(op, 'beta', beta, channels);
      raw.channelAffine(x, channels, mean, invStd, gamma, beta, y);
    },
    batchNormBackward(x, dy, channels, mean, invStd, gamma, dx, dgamma, dbeta) {
      const op = 'batchNormBackward';
      channelRows(op, x, channels);
      sameSize(op, 'x', x, 'dy', dy);
      sameSize(op, 'x', x, 'dx', dx);
      channelVector(op, 'mean', mean, channels);
      channelVector(op, 'invStd', invStd, channels);
      channelVector(op, 'gamma', gamma, channels);
      channelVector(op, 'dgamma', dgamma, channels);
      channelVector(op, 'dbeta', dbeta, channels);
      raw.batchNormBackward(x, dy, channels, mean, invStd, gamma, dx, dgamma, dbeta);
    },
    groupNormForward(x, channels, groups, gamma, beta, eps, mean, invStd, y) {
      const op = 'groupNormForward';
      groupShape(op, x, channels, groups);
      same(op, 'x and y', 'x', x, 'y', y);
      channelVector(op, 'gamma', gamma, channels);
      channelVector(op, 'beta', beta, channels);
      groupStats(op, 'mean', mean, x, groups);
      groupStats(op, 'invStd', invStd, x, groups);
      validEps(op, eps);
      raw.groupNormForward(x, channels, groups, gamma, beta, eps, mean, invStd, y);
    },
    groupNormBackward(x, dy, channels, groups, mean, invStd, gamma, dx, dgamma, dbeta) {
      const op = 'groupNormBackward';
      groupShape(op, x, channels, groups);
      same(op, 'x, dy and dx', 'x', x, 'dy', dy);
      same(op, 'x, dy and dx', 'x', x, 'dx', dx);
      groupStats(op, 'mean', mean, x, groups);
      groupStats(op, 'invStd', invStd, x, groups);
      channelVector(op, 'gamma', gamma, channels);
      channelVector(op, 'dgamma', dgamma, channels);
      channelVector(op, 'dbeta', dbeta, channels);
      raw.groupNormBackward(x, dy, channels, groups, mean, invStd, gamma, dx, dgamma, dbeta);
    },
    dropoutMask(u, keep, mask) {
      same('dropoutMask', 'u and mask', 'u', u, 'mask', mask);
      if (!(keep > 0 && keep <= 1)) {
        throw new RangeError(`dropoutMask: keep is ${keep} but must be in (0, 1] (keep = 1 - dropout rate)`);
      }
      raw.dropoutMask(u, keep, mask);
    },

    // @modern-kernels: adam group (adamUpdate) goes below
  };
  // Copy property descriptors, not values, so accessors (e.g. a native backend's live `variant`) stay live.
  const checked = Object.assign(Object.defineProperties({}, Object.getOwnPropertyDescriptors(raw)), kernels) as Backend;
  CHECKED.add(checked);
  return checked;
}

/** The norm group's kernels, checked above. */
type NormKernel = 'batchNormForward' | 'channelAffine' | 'batchNormBackward' | 'groupNormForward' | 'groupNormBackward' | 'dropoutMask';

/** TEMPORARY (see `pending-kernels.ts`): the modern kernels forwarded unchecked until each group adds its checks above. */
function uncheckedModern(raw: Backend): Omit<ModernKernels, NormKernel> {
  return {
    reshape: (x, r, c) => raw.reshape(x, r, c),
    im2col: (x, g, cols) => raw.im2col(x, g, cols),
    col2im: (cols, g, dx) => raw.col2im(cols, g, dx),
    maxPool: (x, g, y, a) => raw.maxPool(x, g, y, a),
    maxPoolBackward: (dy, a, dx) => raw.maxPoolBackward(dy, a, dx),
    avgPool: (x, g, y) => raw.avgPool(x, g, y),
    avgPoolBackward: (dy, g, dx) => raw.avgPoolBackward(dy, g, dx),
    adamUpdate: (p, g, m, v, lr, b1, b2, eps, c1, c2, l2, d) => raw.adamUpdate(p, g, m, v, lr, b1, b2, eps, c1, c2, l2, d),
  };
}
