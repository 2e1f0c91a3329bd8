/**
 * One SGD step of the product's MLP (the benchmark's end-to-end figure): `Mlp.trainStep` with
 * the product's `Sgd`, exactly what `finetune` runs per minibatch. Sigmoid hidden layers
 * `y = sigmoid(x W + b)` with W: [nIn, nOut], b: [1, nOut], a softmax output trained on the
 * mean NLL, plain SGD (momentum 0, no penalties: the paper's setting).
 *
 * `trainStep` fuses the update into the backward sweep (see `Mlp.trainStep`): each layer
 * computes dx with its old weights, then `W <- W - lr x^T da` in one gemm and
 * `b <- b - lr colSums(da)`, so no gradient buffer is written. At batch 1 the step is bound by
 * memory traffic (each weight matrix is read twice and read-written once), not FLOPs.
 */
import type { Backend } from '../src/tensor/kernels.ts';
import { Rng } from '../src/rng/index.ts';
import { Mlp } from '../src/models/mlp.ts';
import { Sgd } from '../src/nn/sgd.ts';

export interface MlpStep {
  /** Runs forward, backward and update once (`Mlp.trainStep`); returns the mean loss of the batch. */
  step(): number;
  dispose(): void;
}

/**
 * @param sizes layer widths, e.g. [784, 1000, 1000, 1000, 10] (input, hidden..., classes)
 * @param batch examples per step
 */
export function createMlpStep(be: Backend, sizes: number[], batch: number, lr = 0.1, seed = 1): MlpStep {
  const rng = new Rng(seed);
  const nIn = sizes[0]!, nClasses = sizes[sizes.length - 1]!;
  const mlp = Mlp.create(be, { nIn, hidden: sizes.slice(1, -1), nClasses, activation: 'sigmoid', init: 'uniform-fanin' }, rng.fork('init'));
  const opt = new Sgd(be, mlp.parameters(), { lr, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
  const data = rng.fork('data');
  const x = be.fromArray(batch, nIn, data.fillUniform(new Float32Array(batch * nIn))); // [batch, nIn] in [0, 1)
  const labels = new Int32Array(batch).map(() => data.int(nClasses));
  return {
    step: () => mlp.trainStep(x, labels, opt),
    dispose() {
      opt.dispose();
      mlp.dispose();
      x.dispose();
    },
  };
}
