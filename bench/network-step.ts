/**
 * One SGD step of the modern benchmark networks, exactly what `finetune` runs per minibatch
 * (`Mlp.trainStep` with the product's `Sgd`, training mode), the same networks as `build_network`
 * in `bench/torch_bench.py`:
 * - `conv`: the small conv net on 28x28x1 inputs (NHWC),
 *   `conv 32 5x5 relu, pool 2, conv 64 5x5 relu, pool 2, dense 256 relu`, softmax over 10;
 * - `bn-mlp` / `gn-mlp`: 784-1000-1000-1000-10, each hidden layer `dense linear, bn|gn 8, relu`.
 */
import type { Backend } from '../src/tensor/kernels.ts';
import { Rng } from '../src/rng/index.ts';
import { Mlp } from '../src/models/mlp.ts';
import { parseLayerSpec } from '../src/models/layer-spec.ts';
import { Sgd } from '../src/nn/sgd.ts';
import type { NetworkName } from './torch.ts';

export const NETWORK_LAYERS: Record<NetworkName, string> = {
  conv: 'conv 32 5x5 relu, pool 2, conv 64 5x5 relu, pool 2, dense 256 relu',
  'bn-mlp': 'dense 1000 linear, bn, relu, dense 1000 linear, bn, relu, dense 1000 linear, bn, relu',
  'gn-mlp': 'dense 1000 linear, gn 8, relu, dense 1000 linear, gn 8, relu, dense 1000 linear, gn 8, relu',
};

export interface NetworkStep {
  /** Forward, backward and update once; returns the batch's mean loss. */
  step(): number;
  /** The model, for a caller that wants to run it differently (e.g. over a data set). */
  readonly model: Mlp;
  readonly optimizer: Sgd;
  dispose(): void;
}

export function createNetworkStep(be: Backend, name: NetworkName, batch: number, lr = 0.01, seed = 1): NetworkStep {
  const rng = new Rng(seed);
  const model = Mlp.create(
    be,
    { nIn: 784, hidden: [], nClasses: 10, activation: 'relu', init: 'he', layers: parseLayerSpec(NETWORK_LAYERS[name], 'relu'), image: { height: 28, width: 28, channels: 1 } },
    rng.fork('init'),
  );
  const optimizer = new Sgd(be, model.parameters(), { lr, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
  const data = rng.fork('data');
  const x = be.fromArray(batch, 784, data.fillUniform(new Float32Array(batch * 784)));
  const labels = new Int32Array(batch).map(() => data.int(10));
  return {
    model,
    optimizer,
    step: () => model.trainStep(x, labels, optimizer),
    dispose() {
      optimizer.dispose();
      model.dispose();
      x.dispose();
    },
  };
}
