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
import type { Backend, ConvGeometry, Kernels } from './kernels.ts';
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

/** `{batch, height, ...}` of a geometry, for error messages. */
function geometryOf(g: ConvGeometry): string {
  return (
    `{batch ${g.batch}, height ${g.height}, width ${g.width}, channels ${g.channels}, kernel ${g.kernelH}x${g.kernelW}, ` +
    `stride ${g.stride}, pad ${g.pad}, out ${g.outH}x${g.outW}}`
  );
}

function isInt(v: number, min: number): boolean {
  return Number.isInteger(v) && v >= min;
}

/**
 * Throws a RangeError unless `g` is a consistent geometry: integer sizes (batch >= 0, pad >= 0,
 * the rest >= 1) and `outH = floor((height + 2 pad - kernelH) / stride) + 1 >= 1`, likewise outW.
 */
function geometry(op: string, g: ConvGeometry): void {
  if (
    !(isInt(g.batch, 0) && isInt(g.height, 1) && isInt(g.width, 1) && isInt(g.channels, 1) && isInt(g.kernelH, 1) &&
      isInt(g.kernelW, 1) && isInt(g.stride, 1) && isInt(g.pad, 0))
  ) {
    throw new RangeError(
      `${op}: geometry ${geometryOf(g)} needs integers: batch >= 0, height, width, channels, kernel sizes and stride >= 1, pad >= 0 ` +
        `(build it with convGeometry from src/nn/conv-geometry.ts)`,
    );
  }
  const outH = Math.floor((g.height + 2 * g.pad - g.kernelH) / g.stride) + 1;
  const outW = Math.floor((g.width + 2 * g.pad - g.kernelW) / g.stride) + 1;
  if (outH < 1 || outW < 1) {
    throw new RangeError(
      `${op}: a ${g.kernelH}x${g.kernelW} window on a ${g.height}x${g.width} input with pad ${g.pad} leaves no output ` +
        `(spatial size reaches zero); use a smaller kernel or more padding`,
    );
  }
  if (g.outH !== outH || g.outW !== outW) {
    throw new RangeError(
      `${op}: geometry ${geometryOf(g)} says out ${g.outH}x${g.outW} but floor((size + 2 pad - kernel) / stride) + 1 ` +
        `gives ${outH}x${outW}; build it with convGeometry from src/nn/conv-geometry.ts`,
    );
  }
}

/** Throws unless `m` holds the `batch * height * width * channels` numbers of the geometry's input. */
function image(op: string, what: string, m: Matrix, g: ConvGeometry): void {
  const n = g.batch * g.height * g.width * g.channels;
  if (m.size !== n) {
    throw new ShapeError(
      `${op}: ${what} is ${shapeOf(m)} (${m.size} numbers) but geometry ${geometryOf(g)} needs batch * height * width * ` +
        `channels = ${n}; pass [${g.batch}, ${g.height * g.width * g.channels}]`,
    );
  }
}

/** Throws unless `m` holds the `batch * outH * outW * channels` numbers of the geometry's pooled output. */
function pooled(op: string, what: string, m: Matrix, g: ConvGeometry): void {
  const n = g.batch * g.outH * g.outW * g.channels;
  if (m.size !== n) {
    throw new ShapeError(
      `${op}: ${what} is ${shapeOf(m)} (${m.size} numbers) but geometry ${geometryOf(g)} needs batch * outH * outW * ` +
        `channels = ${n}; pass [${g.batch}, ${g.outH * g.outW * g.channels}]`,
    );
  }
}

/** Throws unless `cols` is `[batch * outH * outW, kernelH * kernelW * channels]`. */
function colsShape(op: string, cols: Matrix, g: ConvGeometry): void {
  const rows = g.batch * g.outH * g.outW, k = g.kernelH * g.kernelW * g.channels;
  if (cols.rows !== rows || cols.cols !== k) {
    throw new ShapeError(
      `${op}: cols is ${shapeOf(cols)} but geometry ${geometryOf(g)} needs [batch * outH * outW, kernelH * kernelW * ` +
        `channels] = [${rows}, ${k}]`,
    );
  }
}

/** Max pooling needs a pixel of the image in every window: pad < kernel size on both axes. */
function poolPad(op: string, g: ConvGeometry): void {
  if (g.pad >= g.kernelH || g.pad >= g.kernelW) {
    throw new RangeError(
      `${op}: pad ${g.pad} with a ${g.kernelH}x${g.kernelW} window leaves windows with no image pixel; ` +
        `use pad < kernel size (pad <= size / 2, as PyTorch requires)`,
    );
  }
}

/** Throws a RangeError naming the first argmax index outside `[0, dx.size)`. */
function argmaxRange(argmax: Int32Array, dx: Matrix): void {
  const n = dx.size;
  for (let i = 0; i < argmax.length; i++) {
    const j = argmax[i]!;
    if (j < 0 || j >= n) {
      throw new RangeError(
        `maxPoolBackward: argmax[${i}] = ${j} is outside dx ${shapeOf(dx)} (indices 0..${n - 1}); ` +
          `pass the dx of the input maxPool read, and the argmax it wrote`,
      );
    }
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

    reshape(x, rows, cols) {
      validShape('reshape', rows, cols);
      if (rows * cols !== x.size) {
        throw new ShapeError(`reshape: ${shapeOf(x)} holds ${x.size} numbers, [${rows}, ${cols}] needs ${rows * cols}; a view keeps the count (rows * cols = ${x.size})`);
      }
      return raw.reshape(x, rows, cols);
    },
    im2col(x, g, cols) {
      geometry('im2col', g);
      image('im2col', 'x', x, g);
      colsShape('im2col', cols, g);
      raw.im2col(x, g, cols);
    },
    col2im(cols, g, dx) {
      geometry('col2im', g);
      colsShape('col2im', cols, g);
      image('col2im', 'dx', dx, g);
      raw.col2im(cols, g, dx);
    },
    maxPool(x, g, y, argmax) {
      geometry('maxPool', g);
      poolPad('maxPool', g);
      image('maxPool', 'x', x, g);
      pooled('maxPool', 'y', y, g);
      if (argmax.length !== y.size) {
        throw new ShapeError(`maxPool: argmax has length ${argmax.length}, need ${y.size} (one index per element of y ${shapeOf(y)})`);
      }
      raw.maxPool(x, g, y, argmax);
    },
    maxPoolBackward(dy, argmax, dx) {
      if (argmax.length !== dy.size) {
        throw new ShapeError(`maxPoolBackward: argmax has length ${argmax.length} but dy ${shapeOf(dy)} has ${dy.size} elements; pass the argmax maxPool wrote for this dy's forward`);
      }
      argmaxRange(argmax, dx);
      raw.maxPoolBackward(dy, argmax, dx);
    },
    avgPool(x, g, y) {
      geometry('avgPool', g);
      image('avgPool', 'x', x, g);
      pooled('avgPool', 'y', y, g);
      raw.avgPool(x, g, y);
    },
    avgPoolBackward(dy, g, dx) {
      geometry('avgPoolBackward', g);
      pooled('avgPoolBackward', 'dy', dy, g);
      image('avgPoolBackward', 'dx', dx, g);
      raw.avgPoolBackward(dy, g, dx);
    },

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

    adamUpdate(param, grad, m, v, lr, beta1, beta2, eps, c1, c2, l2, decay) {
      same('adamUpdate', 'param, grad, m and v', 'param', param, 'grad', grad);
      same('adamUpdate', 'param, grad, m and v', 'param', param, 'm', m);
      same('adamUpdate', 'param, grad, m and v', 'param', param, 'v', v);
      if (m === v || m === param || v === param || m === grad || v === grad) {
        throw new ShapeError('adamUpdate: m and v must be their own buffers (not each other, param or grad); allocate one pair of zeros per parameter');
      }
      if (!(c1 > 0 && c1 <= 1 && c2 > 0 && c2 <= 1)) {
        throw new RangeError(`adamUpdate: bias corrections c1 = ${c1}, c2 = ${c2} must be in (0, 1]; pass c = 1 - beta^t for the step t >= 1 being taken`);
      }
      if (!(eps > 0)) throw new RangeError(`adamUpdate: eps = ${eps} must be > 0 (it keeps m / (sqrt(v) + eps) finite where v = 0); the usual value is 1e-8`);
      raw.adamUpdate(param, grad, m, v, lr, beta1, beta2, eps, c1, c2, l2, decay);
    },
  };
  // Copy property descriptors, not values, so accessors (e.g. a native backend's live `variant`) stay live.
  const checked = Object.assign(Object.defineProperties({}, Object.getOwnPropertyDescriptors(raw)), kernels) as Backend;
  CHECKED.add(checked);
  return checked;
}
