/**
 * The `wasm` backend's kernels: each finds its matrices' pointers (which checks ownership)
 * and makes one call into the compiled AssemblyScript (`assembly/`), passing pointers into
 * linear memory (no copies per call). Shapes are trusted here: `checkedKernels`
 * (`src/tensor/checked-kernels.ts`) has checked them once.
 */
import { ACTIVATIONS, type Activation, type Backend } from '../../tensor/kernels.ts';
import type { NumericVariant } from '../../tensor/numeric-variant.ts';
import type { Matrix } from '../../tensor/matrix.ts';
import { checkedKernels } from '../../tensor/checked-kernels.ts';
import { ShapeError } from '../../tensor/shapes.ts';
import type { WasmHeap, WasmMatrix } from './heap.ts';

/** Activation name -> code used by the kernels (the index in `ACTIVATIONS`). */
function code(op: string, f: Activation): number {
  const i = ACTIVATIONS.indexOf(f);
  if (i < 0) throw new RangeError(`${op}: unknown activation '${f}'; use one of ${ACTIVATIONS.join(', ')}`);
  return i;
}

export function wasmKernels(heap: WasmHeap, description: string, variant: NumericVariant): Backend {
  const w = heap.wasm;
  const p = (op: string, m: Matrix): number => heap.ptr(op, m);

  return checkedKernels({
    name: heap.name,
    dtype: 'float32',
    description,
    variant,

    zeros: (rows, cols) => heap.allocate(rows, cols, true),
    fromArray(rows, cols, values) {
      const m = heap.allocate(rows, cols, false);
      m.data.set(values);
      return m;
    },
    copy(src, dst) {
      w.copyBytes(p('copy', src), p('copy', dst), src.size * 4);
    },
    fill(x, value) {
      w.fill(p('fill', x), x.size, value);
    },

    gemm(transA, transB, alpha, a, b, beta, c) {
      const pa = p('gemm', a), pb = p('gemm', b), pc = p('gemm', c);
      const m = c.rows, n = c.cols, k = transA ? a.rows : a.cols;
      w.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa, a.cols, pb, b.cols, beta, pc, c.cols);
    },
    axpy(alpha, x, y) {
      w.axpy(alpha, p('axpy', x), p('axpy', y), x.size);
    },
    scale(alpha, x) {
      w.scale(alpha, p('scale', x), x.size);
    },
    add(a, b, out) {
      w.binary(0, p('add', a), p('add', b), p('add', out), out.size);
    },
    sub(a, b, out) {
      w.binary(1, p('sub', a), p('sub', b), p('sub', out), out.size);
    },
    mul(a, b, out) {
      w.binary(2, p('mul', a), p('mul', b), p('mul', out), out.size);
    },
    where(mask, a, b, out) {
      w.where(p('where', mask), p('where', a), p('where', b), p('where', out), out.size);
    },

    addRowVector(x, bias, out) {
      w.biasActivation(0, p('addRowVector', x), p('addRowVector', bias), p('addRowVector', out), x.rows, x.cols);
    },
    biasActivation(f, x, bias, out) {
      const px = p('biasActivation', x), pb = p('biasActivation', bias), po = p('biasActivation', out);
      w.biasActivation(code('biasActivation', f), px, pb, po, x.rows, x.cols);
    },
    activation(f, x, out) {
      const px = p('activation', x), po = p('activation', out);
      w.activation(code('activation', f), px, po, x.size);
    },
    activationBackward(f, y, dy, out) {
      const py = p('activationBackward', y), pd = p('activationBackward', dy), po = p('activationBackward', out);
      w.activationBackward(code('activationBackward', f), py, pd, po, y.size);
    },
    softplus(x, out) {
      w.softplus(p('softplus', x), p('softplus', out), x.size);
    },

    colSums(x, out, alpha = 1, beta = 0) {
      w.colSums(p('colSums', x), p('colSums', out), x.rows, x.cols, alpha, beta);
    },
    rowSums(x, out) {
      w.rowSums(p('rowSums', x), p('rowSums', out), x.rows, x.cols);
    },
    sum: (x) => w.sumOf(0, p('sum', x), x.size),
    sumSquares: (x) => w.sumOf(1, p('sumSquares', x), x.size),
    sumAbs: (x) => w.sumOf(2, p('sumAbs', x), x.size),
    signAxpy(alpha, x, y) {
      w.signAxpy(alpha, p('signAxpy', x), p('signAxpy', y), x.size);
    },
    allFinite: (x) => w.allFinite(p('allFinite', x), x.size) === 1,
    argmaxRows(x, out) {
      const px = p('argmaxRows', x);
      if (x.rows === 0) return;
      if (x.cols === 0) throw new ShapeError(`argmaxRows: x is [${x.rows}, 0]; a row needs at least one column`);
      const tmp = heap.scratch(x.rows * 4);
      w.argmaxRows(px, tmp, x.rows, x.cols);
      out.set(new Int32Array(w.memory.buffer, tmp, x.rows));
    },

    softmaxCrossEntropy(logits, labels, probs, grad, scale) {
      const pl = p('softmaxCrossEntropy', logits), pp = p('softmaxCrossEntropy', probs);
      const pg = grad ? p('softmaxCrossEntropy', grad) : 0;
      if (logits.rows === 0) return 0;
      const lab = heap.scratch(labels.length * 4);
      new Int32Array(w.memory.buffer, lab, labels.length).set(labels);
      return w.softmaxCrossEntropy(pl, lab, pp, pg, logits.rows, logits.cols, scale);
    },
    binaryCrossEntropy(target, prob) {
      return w.binaryCrossEntropy(p('binaryCrossEntropy', target), p('binaryCrossEntropy', prob), target.size);
    },

    bernoulli(prob, u, out) {
      w.bernoulli(p('bernoulli', prob), p('bernoulli', u), p('bernoulli', out), out.size);
    },

    sgdUpdate(param, grad, velocity, lr, momentum, l2) {
      const pw = p('sgdUpdate', param), pg = p('sgdUpdate', grad);
      const pv = velocity ? p('sgdUpdate', velocity) : 0;
      w.sgdUpdate(pw, pg, pv, param.size, lr, momentum, l2);
    },

    reshape(x, rows, cols) {
      p('reshape', x);
      return heap.view(x as WasmMatrix, rows, cols);
    },
    im2col(x, g, cols) {
      const px = p('im2col', x), pc = p('im2col', cols);
      const { batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW } = g;
      w.im2col(px, pc, batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW);
    },
    col2im(cols, g, dx) {
      const pc = p('col2im', cols), pd = p('col2im', dx);
      const { batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW } = g;
      w.col2im(pc, pd, batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW);
    },
    maxPool(x, g, y, argmax) {
      const px = p('maxPool', x), py = p('maxPool', y);
      if (y.size === 0) return;
      // The indices are written to the scratch block, then copied out (the scratch never moves
      // once it is large enough, so a steady-state call allocates nothing).
      const tmp = heap.scratch(y.size * 4);
      const { batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW } = g;
      w.maxPool(px, py, tmp, batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW);
      argmax.set(heap.int32(y.size));
    },
    maxPoolBackward(dy, argmax, dx) {
      const pd = p('maxPoolBackward', dy), px = p('maxPoolBackward', dx);
      if (dy.size === 0) {
        w.fill(px, dx.size, 0);
        return;
      }
      const tmp = heap.scratch(dy.size * 4);
      heap.int32(dy.size).set(argmax);
      w.maxPoolBackward(pd, tmp, px, dy.size, dx.size);
    },
    avgPool(x, g, y) {
      const px = p('avgPool', x), py = p('avgPool', y);
      const { batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW } = g;
      w.avgPool(px, py, batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW);
    },
    avgPoolBackward(dy, g, dx) {
      const pd = p('avgPoolBackward', dy), px = p('avgPoolBackward', dx);
      const { batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW } = g;
      w.avgPoolBackward(pd, px, batch, height, width, channels, kernelH, kernelW, stride, pad, outH, outW);
    },

    batchNormForward(x, channels, gamma, beta, eps, mean, invStd, y) {
      const op = 'batchNormForward';
      const px = p(op, x), pg = p(op, gamma), pb = p(op, beta), pm = p(op, mean), ps = p(op, invStd), py = p(op, y);
      w.batchNormForward(px, x.size / channels, channels, pg, pb, eps, pm, ps, py);
    },
    channelAffine(x, channels, mean, invStd, gamma, beta, y) {
      const op = 'channelAffine';
      const px = p(op, x), pm = p(op, mean), ps = p(op, invStd), pg = p(op, gamma), pb = p(op, beta), py = p(op, y);
      w.channelAffine(px, x.size / channels, channels, pm, ps, pg, pb, py);
    },
    batchNormBackward(x, dy, channels, mean, invStd, gamma, dx, dgamma, dbeta) {
      const op = 'batchNormBackward';
      const px = p(op, x), pd = p(op, dy), pm = p(op, mean), ps = p(op, invStd), pg = p(op, gamma);
      const po = p(op, dx), pdg = p(op, dgamma), pdb = p(op, dbeta);
      w.batchNormBackward(px, pd, x.size / channels, channels, pm, ps, pg, po, pdg, pdb);
    },
    groupNormForward(x, channels, groups, gamma, beta, eps, mean, invStd, y) {
      const op = 'groupNormForward';
      const px = p(op, x), pg = p(op, gamma), pb = p(op, beta), pm = p(op, mean), ps = p(op, invStd), py = p(op, y);
      w.groupNormForward(px, x.rows, x.cols, channels, groups, pg, pb, eps, pm, ps, py);
    },
    groupNormBackward(x, dy, channels, groups, mean, invStd, gamma, dx, dgamma, dbeta) {
      const op = 'groupNormBackward';
      const px = p(op, x), pd = p(op, dy), pm = p(op, mean), ps = p(op, invStd), pg = p(op, gamma);
      const po = p(op, dx), pdg = p(op, dgamma), pdb = p(op, dbeta);
      w.groupNormBackward(px, pd, x.rows, x.cols, channels, groups, pm, ps, pg, po, pdg, pdb);
    },
    dropoutMask(u, keep, mask) {
      w.dropoutMask(p('dropoutMask', u), u.size, keep, p('dropoutMask', mask));
    },

    adamUpdate(param, grad, m, v, lr, beta1, beta2, eps, c1, c2, l2, decay) {
      const pw = p('adamUpdate', param), pg = p('adamUpdate', grad), pm = p('adamUpdate', m), pv = p('adamUpdate', v);
      w.adamUpdate(pw, pg, pm, pv, param.size, beta1, 1 - beta1, beta2, 1 - beta2, eps, lr / c1, 1 / Math.sqrt(c2), l2, lr * decay);
    },
  });
}
