/**
 * Erhan et al. 2010, Section 8.3, Figure 14 right (Experiment 8, the InfiniteMNIST part): pre-training
 * only the bottom k of n = 3 hidden layers with denoising auto-encoders, the top n - k layers randomly
 * initialised as usual (uniform fan-in), trained online as in `online` (every example seen once,
 * batch 1, constant rates). k = 0 is the trial without pre-training (10 million supervised updates);
 * with k > 0 the first quarter of the stream is unsupervised, split equally over the k pre-trained
 * layers (the paper does not say how its k-layer runs split the 2.5 million unsupervised updates;
 * this keeps Section 5.3's total), and the rest is supervised. The figure is the online error; the
 * paper: "as we pre-train more layers, the models become better at generalization", the largest
 * step coming from the first two layers together rather than from the first alone.
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'k-of-n-online',
  paper: 'Erhan et al. 2010, Fig. 14 (right), Section 8.3 (Experiment 8)',
  description: 'Pre-train only the bottom k of 3 layers with SDAEs, k = 0..3, online on InfiniteMNIST: the online error (Fig. 14 right)',
  data: { name: 'infinite-mnist', testSize: 10000 },
  // Footnote 14: 1000 units per layer for the 3-layer online networks.
  model: { depth: 3, hidden: 1000, activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { kind: 'sdae', batchSize: 1, corruption: 0.25, noise: 'masking', tied: true },
  finetune: { batchSize: 1 },
  online: { examples: 10_000_000, pretrainFraction: 0.25, blockSize: 100_000, window: 100_000, selectWindow: 1_000_000, testEvery: 10 },
  scientific: { 'pretrain.layers': [0, 1, 2, 3] },
  // Footnote 7's learning-rate grids (k = 0 ignores pretrainLr: 5 distinct runs).
  nuisance: { lr: [0.1, 0.05, 0.02, 0.01, 0.005], pretrainLr: [0.01, 0.005, 0.002, 0.001, 0.0005] },
  // Section 5.3: one seed for InfiniteMNIST, chosen on selection seed 100001, reported on seed 1.
  seeds: 1,
  protocol: { selection: 'fresh-seeds', selectionSeeds: 1, dataSeed: 0 },
  compare: { factor: 'pretrain.layers', baseline: 0 },
  presets: {
    quick: {
      description: '1M examples (250k unsupervised when k > 0), 3 x 100 units, k = 0..3, fixed rates (lr 0.05, pre-training 0.01), seeds 1-2: 8 runs, 521 CPU-seconds (8 min 49 s on 2 cores shared with another run)',
      data: { testSize: 2000 },
      model: { hidden: 100 },
      online: { examples: 1_000_000, blockSize: 10_000, window: 10_000, selectWindow: 100_000, testEvery: 10, checkpointEvery: 50_000 },
      nuisance: { lr: [0.05], pretrainLr: [0.01] },
      seeds: 2,
    },
    full: {
      description: "the paper's setting: 10M examples (2.5M unsupervised when k > 0), 3 x 1000 units, batch 1, learning rates chosen on the last 1M examples' online error (1 selection seed), 1 evaluation seed",
    },
  },
  figures: ['online-error', 'table'],
});
