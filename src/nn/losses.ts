import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';

/**
 * Mean negative log-likelihood of a softmax output layer (Erhan et al. 2010, Section 2: the
 * supervised criterion `-log P(Y = y | x)`), through the fused `softmaxCrossEntropy` kernel.
 *
 * @param logits `[batch, nClasses]` pre-softmax outputs (not modified unless `probs` aliases it)
 * @param labels `[batch]` integer classes
 * @param probs `[batch, nClasses]` receives `softmax(logits)`
 * @param grad `[batch, nClasses]` receives `d mean NLL / d logits = (probs - onehot) / batch`, or null
 * @returns `(1/batch) sum_i -log probs[i, labels[i]]`
 */
export function softmaxNll(backend: Backend, logits: Matrix, labels: Int32Array, probs: Matrix, grad: Matrix | null): number {
  const batch = logits.rows;
  return backend.softmaxCrossEntropy(logits, labels, probs, grad, 1 / batch) / batch;
}
