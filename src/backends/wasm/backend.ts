/**
 * The `wasm` backend's kernels: each checks ownership and shapes (with the `shapes.ts`
 * helpers, exactly as the reference does) and then makes one call into the compiled
 * AssemblyScript (`assembly/`), passing pointers into linear memory (no copies per call).
 */
import { ACTIVATIONS, type Activation, type Backend } from '../../tensor/kernels.ts';
import type { NumericVariant } from '../../tensor/numeric-variant.ts';
import type { Matrix } from '../../tensor/matrix.ts';
import {
  assertLabels,
  assertRowVector,
  assertSameShape,
  assertShape,
  gemmShapes,
  ShapeError,
} from '../../tensor/shapes.ts';
import type { WasmHeap } from './heap.ts';

/** Activation name -> code used by the kernels (the index in `ACTIVATIONS`). */
function code(op: string, f: Activation): number {
  const i = ACTIVATIONS.indexOf(f);
  if (i < 0) throw new RangeError(`${op}: unknown activation '${f}'; use one of ${ACTIVATIONS.join(', ')}`);
  return i;
}

export function wasmKernels(heap: WasmHeap, description: string, variant: NumericVariant): Backend {
  const w = heap.wasm;
  const p = (op: string, m: Matrix): number => heap.ptr(op, m);
  const same = (op: string, ...ms: Matrix[]): number[] => {
    const ptrs = ms.map((m) => p(op, m));
    assertSameShape(op, ...ms);
    return ptrs;
  };

  return {
    name: heap.name,
    dtype: 'float32',
    description,
    variant,

    zeros: (rows, cols) => heap.allocate(rows, cols, true),
    fromArray(rows, cols, values) {
      if (values.length !== rows * cols) {
        throw new ShapeError(`fromArray: ${values.length} values cannot fill [${rows}, ${cols}] (need ${rows * cols})`);
      }
      const m = heap.allocate(rows, cols, false);
      m.data.set(values);
      return m;
    },
    copy(src, dst) {
      const [s, d] = same('copy', src, dst);
      w.copyBytes(s!, d!, src.size * 4);
    },
    fill(x, value) {
      w.fill(p('fill', x), x.size, value);
    },

    gemm(transA, transB, alpha, a, b, beta, c) {
      const pa = p('gemm', a), pb = p('gemm', b), pc = p('gemm', c);
      const [m, k, n] = gemmShapes(transA, transB, a, b, c);
      w.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa, a.cols, pb, b.cols, beta, pc, c.cols);
    },
    axpy(alpha, x, y) {
      const [px, py] = same('axpy', x, y);
      w.axpy(alpha, px!, py!, x.size);
    },
    scale(alpha, x) {
      w.scale(alpha, p('scale', x), x.size);
    },
    add(a, b, out) {
      const [pa, pb, po] = same('add', a, b, out);
      w.binary(0, pa!, pb!, po!, out.size);
    },
    sub(a, b, out) {
      const [pa, pb, po] = same('sub', a, b, out);
      w.binary(1, pa!, pb!, po!, out.size);
    },
    mul(a, b, out) {
      const [pa, pb, po] = same('mul', a, b, out);
      w.binary(2, pa!, pb!, po!, out.size);
    },
    where(mask, a, b, out) {
      const [pm, pa, pb, po] = same('where', mask, a, b, out);
      w.where(pm!, pa!, pb!, po!, out.size);
    },

    addRowVector(x, bias, out) {
      const [px, po] = same('addRowVector', x, out);
      const pb = p('addRowVector', bias);
      assertRowVector('addRowVector', x, bias);
      w.biasActivation(0, px!, pb, po!, x.rows, x.cols);
    },
    biasActivation(f, x, bias, out) {
      const [px, po] = same('biasActivation', x, out);
      const pb = p('biasActivation', bias);
      assertRowVector('biasActivation', x, bias);
      w.biasActivation(code('biasActivation', f), px!, pb, po!, x.rows, x.cols);
    },
    activation(f, x, out) {
      const [px, po] = same('activation', x, out);
      w.activation(code('activation', f), px!, po!, x.size);
    },
    activationBackward(f, y, dy, out) {
      const [py, pd, po] = same('activationBackward', y, dy, out);
      w.activationBackward(code('activationBackward', f), py!, pd!, po!, y.size);
    },
    softplus(x, out) {
      const [px, po] = same('softplus', x, out);
      w.softplus(px!, po!, x.size);
    },

    colSums(x, out, alpha = 1, beta = 0) {
      const px = p('colSums', x), po = p('colSums', out);
      assertShape('colSums', 'out', out, 1, x.cols);
      w.colSums(px, po, x.rows, x.cols, alpha, beta);
    },
    rowSums(x, out) {
      const px = p('rowSums', x), po = p('rowSums', out);
      assertShape('rowSums', 'out', out, x.rows, 1);
      w.rowSums(px, po, x.rows, x.cols);
    },
    sum: (x) => w.sumOf(0, p('sum', x), x.size),
    sumSquares: (x) => w.sumOf(1, p('sumSquares', x), x.size),
    sumAbs: (x) => w.sumOf(2, p('sumAbs', x), x.size),
    signAxpy(alpha, x, y) {
      const [px, py] = same('signAxpy', x, y);
      w.signAxpy(alpha, px!, py!, x.size);
    },
    allFinite: (x) => w.allFinite(p('allFinite', x), x.size) === 1,
    argmaxRows(x, out) {
      const px = p('argmaxRows', x);
      if (out.length !== x.rows) throw new ShapeError(`argmaxRows: out has length ${out.length}, need ${x.rows}`);
      if (x.rows === 0) return;
      if (x.cols === 0) throw new ShapeError(`argmaxRows: x is [${x.rows}, 0]; a row needs at least one column`);
      const tmp = heap.scratch(x.rows * 4);
      w.argmaxRows(px, tmp, x.rows, x.cols);
      out.set(new Int32Array(w.memory.buffer, tmp, x.rows));
    },

    softmaxCrossEntropy(logits, labels, probs, grad, scale) {
      const [pl, pp] = same('softmaxCrossEntropy', logits, probs);
      let pg = 0;
      if (grad) {
        pg = p('softmaxCrossEntropy', grad);
        assertSameShape('softmaxCrossEntropy', logits, grad);
      }
      assertLabels('softmaxCrossEntropy', labels, logits.rows, logits.cols);
      if (logits.rows === 0) return 0;
      const lab = heap.scratch(labels.length * 4);
      new Int32Array(w.memory.buffer, lab, labels.length).set(labels);
      return w.softmaxCrossEntropy(pl!, lab, pp!, pg, logits.rows, logits.cols, scale);
    },
    binaryCrossEntropy(target, prob) {
      const [pt, pp] = same('binaryCrossEntropy', target, prob);
      return w.binaryCrossEntropy(pt!, pp!, target.size);
    },

    bernoulli(prob, u, out) {
      const [pp, pu, po] = same('bernoulli', prob, u, out);
      w.bernoulli(pp!, pu!, po!, out.size);
    },

    sgdUpdate(param, grad, velocity, lr, momentum, l2) {
      const [pw, pg] = same('sgdUpdate', param, grad);
      let pv = 0;
      if (velocity) {
        pv = p('sgdUpdate', velocity);
        assertSameShape('sgdUpdate', param, velocity);
      }
      w.sgdUpdate(pw!, pg!, pv, param.size, lr, momentum, l2);
    },
  };
}
