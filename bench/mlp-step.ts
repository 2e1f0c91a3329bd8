/**
 * One SGD step of an MLP written with the kernels directly (the benchmark's end-to-end
 * figure): sigmoid hidden layers y = sigmoid(x W + b) with W: [nIn, nOut], b: [1, nOut],
 * softmax cross-entropy on the last layer, backward with activationBackward,
 * dW = x^T dy and dx = dy W^T by gemm, db by colSums, and sgdUpdate.
 *
 * The update of layer l is applied as soon as its gradient is known, during the backward
 * sweep (after dx = dy W^T has used the old W): the same arithmetic as updating after the
 * whole backward pass, but W and dW are still in cache, and one dW buffer per distinct
 * layer shape suffices. At batch 1 the step is bound by memory traffic, not FLOPs.
 */
import type { Backend } from '../src/tensor/kernels.ts';
import type { Matrix } from '../src/tensor/matrix.ts';
import { Rng } from '../src/rng/index.ts';

export interface MlpStep {
  /** Runs forward, backward and update once; returns the mean loss of the batch. */
  step(): number;
  dispose(): void;
}

/**
 * @param sizes layer widths, e.g. [784, 1000, 1000, 1000, 10]
 * @param batch examples per step
 */
export function createMlpStep(be: Backend, sizes: number[], batch: number, lr = 0.1, seed = 1): MlpStep {
  const rng = new Rng(seed).fork('init');
  const L = sizes.length - 1;
  const owned: Matrix[] = [];
  const mk = (r: number, c: number, scale = 0): Matrix => {
    const m = scale ? be.fromArray(r, c, rng.fillUniform(new Float32Array(r * c), -scale, scale)) : be.zeros(r, c);
    owned.push(m);
    return m;
  };
  const W: Matrix[] = [], b: Matrix[] = [], dW: Matrix[] = [], db: Matrix[] = [];
  const gradOfShape = new Map<string, Matrix>(); // one dW scratch per distinct [nIn, nOut]
  const act: Matrix[] = [mk(batch, sizes[0]!, 1)]; // act[0] = input x: [batch, 784]
  const delta: Matrix[] = [];
  for (let l = 0; l < L; l++) {
    const [nIn, nOut] = [sizes[l]!, sizes[l + 1]!];
    const r = Math.sqrt(6 / (nIn + nOut));
    W.push(mk(nIn, nOut, r)); // [nIn, nOut]
    b.push(mk(1, nOut)); // [1, nOut]
    const key = `${nIn}x${nOut}`;
    if (!gradOfShape.has(key)) gradOfShape.set(key, mk(nIn, nOut));
    dW.push(gradOfShape.get(key)!);
    db.push(mk(1, nOut));
    act.push(mk(batch, nOut)); // [batch, nOut]
    delta.push(mk(batch, nOut)); // dLoss/d(pre-activation): [batch, nOut]
  }
  const labels = new Int32Array(batch).map(() => rng.int(sizes[L]!));
  const dAct: Matrix[] = sizes.slice(1, L).map((n) => mk(batch, n)); // dLoss/d(hidden output)

  return {
    step() {
      // forward: act[l+1] = f(act[l] W[l] + b[l])
      for (let l = 0; l < L; l++) {
        be.gemm(false, false, 1, act[l]!, W[l]!, 0, act[l + 1]!);
        be.biasActivation(l < L - 1 ? 'sigmoid' : 'identity', act[l + 1]!, b[l]!, act[l + 1]!);
      }
      // loss and its gradient with respect to the logits (mean over the batch)
      const nll = be.softmaxCrossEntropy(act[L]!, labels, act[L]!, delta[L - 1]!, 1 / batch);
      // backward, updating each layer once its gradients are known
      for (let l = L - 1; l >= 0; l--) {
        if (l > 0) be.gemm(false, true, 1, delta[l]!, W[l]!, 0, dAct[l - 1]!); // dx = dy W^T: [batch, nIn]
        be.gemm(true, false, 1, act[l]!, delta[l]!, 0, dW[l]!); // dW = x^T dy: [nIn, nOut]
        be.colSums(delta[l]!, db[l]!); // db: [1, nOut]
        be.sgdUpdate(W[l]!, dW[l]!, null, lr, 0, 0);
        be.sgdUpdate(b[l]!, db[l]!, null, lr, 0, 0);
        if (l > 0) be.activationBackward('sigmoid', act[l]!, dAct[l - 1]!, delta[l - 1]!);
      }
      return nll / batch;
    },
    dispose() {
      for (const m of owned) m.dispose();
    },
  };
}
