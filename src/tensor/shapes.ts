import { shapeOf, type Matrix } from './matrix.ts';

/** Error thrown by kernels for shape mismatches; the message names the op, the shapes and the fix. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** Throws a ShapeError unless every matrix has the shape of the first. */
export function assertSameShape(op: string, ...ms: Matrix[]): void {
  const [r, c] = [ms[0]!.rows, ms[0]!.cols];
  for (const m of ms) {
    if (m.rows !== r || m.cols !== c) {
      throw new ShapeError(
        `${op}: shapes differ (${ms.map(shapeOf).join(' vs ')}); every operand must have the same [rows, cols]`,
      );
    }
  }
}

/** Throws unless `m` is `[rows, cols]`. */
export function assertShape(op: string, what: string, m: Matrix, rows: number, cols: number): void {
  if (m.rows !== rows || m.cols !== cols) {
    throw new ShapeError(`${op}: ${what} must be [${rows}, ${cols}] but is ${shapeOf(m)}`);
  }
}

/** Checks the shapes of `C = op(A) op(B)` and returns `[M, K, N]`. */
export function gemmShapes(transA: boolean, transB: boolean, a: Matrix, b: Matrix, c: Matrix): [number, number, number] {
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb || c.rows !== m || c.cols !== n) {
    throw new ShapeError(
      `gemm: op(A)${transA ? '=A^T' : '=A'} is [${m}, ${k}], op(B)${transB ? '=B^T' : '=B'} is [${kb}, ${n}], ` +
        `C is ${shapeOf(c)}; need op(A): [M, K], op(B): [K, N], C: [M, N] (check the transpose flags)`,
    );
  }
  if (c === a || c === b) throw new ShapeError('gemm: C must not alias A or B; use a separate output matrix');
  return [m, k, n];
}

/** Throws unless `bias` is `[1, x.cols]`. */
export function assertRowVector(op: string, x: Matrix, bias: Matrix): void {
  if (bias.rows !== 1 || bias.cols !== x.cols) {
    throw new ShapeError(`${op}: bias must be [1, ${x.cols}] to broadcast over ${shapeOf(x)}, but is ${shapeOf(bias)}`);
  }
}

/** Throws unless every label is an integer in [0, nClasses). */
export function assertLabels(op: string, labels: Int32Array, batch: number, nClasses: number): void {
  if (labels.length !== batch) {
    throw new ShapeError(`${op}: ${labels.length} labels for a batch of ${batch} rows; pass one label per row`);
  }
  for (let i = 0; i < batch; i++) {
    const y = labels[i]!;
    if (y < 0 || y >= nClasses) throw new RangeError(`${op}: label ${y} at row ${i} is outside [0, ${nClasses})`);
  }
}
