/**
 * One pre-training epoch of a single RBM layer through the lab's own path (`pretrainStack`, DBN,
 * CD-1, the pseudo-likelihood monitor included), timed as the epoch's metrics time it. The same
 * function runs in the page's worker and under Node, so `bench/browser-rbm-epoch.ts` compares the
 * two engines on identical work.
 */
import type { Backend } from '../../src/tensor/kernels.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { Rng } from '../../src/rng/rng.ts';
import { disposeStack } from '../../src/nn/dense-params.ts';
import { pretrainConfigSchema } from '../../src/train/config.ts';
import { pretrainStack } from '../../src/train/pretrain.ts';

/** The epoch's settings. */
export interface RbmEpochOptions {
  nHidden: number;
  batchSize: number;
  lr: number;
  seed: number;
}

/** Seconds of one CD-1 epoch of a `[train.dim, nHidden]` RBM on `train` (from the epoch's own timing). */
export async function rbmEpochSeconds(backend: Backend, train: Dataset, o: RbmEpochOptions): Promise<number> {
  const cfg = pretrainConfigSchema.parse({ kind: 'dbn', epochs: 1, batchSize: o.batchSize, lr: o.lr, cdK: 1 });
  let seconds = NaN;
  const stack = await pretrainStack(backend, train, [o.nHidden], cfg, new Rng(o.seed).fork('pretrain'), { onEpoch: (m) => void (seconds = m.seconds) });
  disposeStack(stack);
  return seconds;
}
