/**
 * Scoring a network on a data set: classification error and mean negative log-likelihood
 * (`evaluate`), or the softmax outputs themselves (`predict`). Both sweep the data in batches
 * with the network in test mode (no dropout, no training buffers touched); the model only
 * supplies `forward`. Used after every fine-tuning epoch, by the online trainer, the loss
 * landscape, the probe recorder and `pretrain-lab eval`.
 *
 * The data must fit the model (`ds.dim === model.spec.nIn`, labels below `spec.nClasses`);
 * that is checked where the data enters (`validateTrialData`, `gatherBatch`, the kernels'
 * label check), not again here.
 */
import type { Matrix } from '../tensor/matrix.ts';
import { gatherBatch, type Dataset } from '../data/dataset.ts';
import type { Mlp } from '../models/mlp.ts';

/** Classification error (fraction) and mean negative log-likelihood on a data set. */
export interface Score {
  error: number;
  nll: number;
}

/** The buffers of one evaluation batch size. */
interface EvalBatch {
  x: Matrix; // [batch, nIn]
  probs: Matrix; // [batch, nClasses]
  labels: Int32Array; // [batch]
  pred: Int32Array; // [batch]
}

/**
 * Runs `model` over `ds` in batches of `batchSize` (test mode) and calls
 * `visit(start, nll, probs, batch)` per batch: `nll` is the batch's summed NLL, `probs`
 * `[b, nClasses]` its softmax outputs, `batch.pred` the argmax of each row.
 */
function sweep(model: Mlp, ds: Dataset, batchSize: number, visit: (start: number, nll: number, probs: Matrix, batch: EvalBatch) => void): void {
  const be = model.backend;
  const buffers = new Map<number, EvalBatch>(); // at most two sizes: full batches and the tail
  const idx = new Int32Array(batchSize);
  try {
    for (let s = 0; s < ds.n; s += batchSize) {
      const n = Math.min(batchSize, ds.n - s);
      let buf = buffers.get(n);
      if (!buf) {
        buf = { x: be.zeros(n, model.spec.nIn), probs: be.zeros(n, model.spec.nClasses), labels: new Int32Array(n), pred: new Int32Array(n) };
        buffers.set(n, buf);
      }
      for (let i = 0; i < n; i++) idx[i] = s + i;
      gatherBatch(ds, idx.subarray(0, n), buf.x, buf.labels);
      const logits = model.forward(buf.x, false); // [n, nClasses]
      const nll = be.softmaxCrossEntropy(logits, buf.labels, buf.probs, null, 1);
      be.argmaxRows(buf.probs, buf.pred);
      visit(s, nll, buf.probs, buf);
    }
  } finally {
    for (const b of buffers.values()) {
      b.x.dispose();
      b.probs.dispose();
    }
  }
}

/**
 * Classification error and mean NLL of `model` on every example of `ds`, in batches of
 * `batchSize` (test mode). An empty data set scores `{ error: NaN, nll: NaN }`.
 */
export function evaluate(model: Mlp, ds: Dataset, batchSize = 500): Score {
  if (ds.n === 0) return { error: NaN, nll: NaN };
  let nll = 0, wrong = 0;
  sweep(model, ds, batchSize, (_s, batchNll, _p, b) => {
    nll += batchNll;
    for (let i = 0; i < b.labels.length; i++) if (b.pred[i] !== b.labels[i]) wrong++;
  });
  return { error: wrong / ds.n, nll: nll / ds.n };
}

/**
 * Softmax outputs of `model` on `ds`: `[ds.n, nClasses]` row-major as float32 (probe outputs
 * for function-space trajectories).
 */
export function predict(model: Mlp, ds: Dataset, batchSize = 500): Float32Array {
  const k = model.spec.nClasses, out = new Float32Array(ds.n * k);
  sweep(model, ds, batchSize, (s, _nll, probs) => out.set(probs.data.subarray(0, probs.size), s * k));
  return out;
}
