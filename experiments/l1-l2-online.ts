/**
 * Erhan et al. 2010, Section 7.5 (Experiment 5) on InfiniteMNIST: the L1 / L2 grid of `l1-l2`, trained
 * online (every example seen once, batch 1, constant rates, Section 5.3's 10 million examples, 2.5
 * million of them unsupervised with pre-training). The paper: "For InfiniteMNIST, the optimal amount of
 * L1 and L2 regularization is zero" (footnote 13: a regularizer's effect should vanish as data grow),
 * while pre-training keeps its advantage (Section 8). Penalties `finetune.l1`, `finetune.l2` are on
 * the supervised phase; each cell's learning rate is chosen on the online error of the last million
 * examples (fresh-seeds protocol), and the report names the best-penalized unpretrained network.
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'l1-l2-online',
  paper: 'Erhan et al. 2010, Section 7.5 (Experiment 5) on InfiniteMNIST, Section 8',
  description: 'L1 and L2 penalty grids without pre-training vs SDAE pre-training, online on InfiniteMNIST: is the best penalty zero?',
  // The 1-layer network of Fig. 11 (footnote 14: 2000 units).
  data: { name: 'infinite-mnist', testSize: 10000 },
  model: { depth: 1, hidden: 2000, activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { batchSize: 1, corruption: 0.25, noise: 'masking', tied: true },
  finetune: { batchSize: 1 },
  online: { examples: 10_000_000, pretrainFraction: 0.25, blockSize: 100_000, window: 100_000, selectWindow: 1_000_000, testEvery: 10 },
  scientific: { pretrain: ['none', 'sdae'], l1: [0, 1e-6, 1e-5, 1e-4], l2: [0, 1e-6, 1e-5, 1e-4] },
  nuisance: { lr: [0.1, 0.05, 0.02, 0.01, 0.005], pretrainLr: [0.01, 0.001] },
  seeds: 1,
  protocol: { selection: 'fresh-seeds', selectionSeeds: 1, dataSeed: 0 },
  compare: { factor: 'pretrain', baseline: 'none' },
  presets: {
    quick: {
      description: '1M examples, 1 x 100 units, L1 and L2 in {0, 1e-4} crossed, SDAE vs none, fixed rates, 1 seed: 8 runs, 565 CPU-seconds (about 5 minutes on 2 idle cores)',
      data: { testSize: 2000 },
      model: { hidden: 100 },
      online: { examples: 1_000_000, blockSize: 10_000, window: 10_000, selectWindow: 100_000, testEvery: 10, checkpointEvery: 50_000 },
      scientific: { l1: [0, 1e-4], l2: [0, 1e-4] },
      nuisance: { lr: [0.05], pretrainLr: [0.01] },
    },
    full: {
      description: "the paper's setting: 10M examples, 1 x 2000 units, L1 and L2 in {0, 1e-6, 1e-5, 1e-4} crossed, SDAE vs none, learning rates chosen on the last 1M examples' online error (1 selection seed), 1 evaluation seed",
    },
  },
  figureOptions: { 'error-vs-factor': { x: ['l2', 'l1'] } },
  figures: ['penalty-vs-pretraining', 'error-vs-factor', 'online-error', 'table'],
});
