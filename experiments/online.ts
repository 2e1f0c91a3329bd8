/**
 * Erhan et al. 2010, Section 8.1 (Experiment 6), Figures 11-12: pre-training with very large data.
 * InfiniteMNIST (elastic deformations of the MNIST training digits), every example seen once,
 * batch 1, constant learning rates. With pre-training, 2.5 million unsupervised updates (split
 * equally over the layers, layer l on layer l-1's codes of its own stream examples) then 7.5 million
 * supervised ones; without, 10 million supervised updates (Section 5.3). The online error, measured
 * on each example before training on it, is averaged over the last 100,000 examples (Fig. 11); after
 * training, the error on the supervised training examples in presentation order, in blocks (Fig. 12).
 * Hyperparameters are chosen per cell on the online error over the last million examples (Section
 * 5.3), under the fresh-seeds protocol; the test set is the 10,000 MNIST test digits (stream
 * indices 0..9,999, never trained on).
 *
 * Units per layer as footnote 14 reports the paper's selection: 2000 for 1 layer, 1000 per layer for
 * 3, one coupled factor `model` (two cells, not four). The paper's findings: 3 layers without
 * pre-training do worse than 1; pre-training's advantage does not vanish as examples accumulate
 * (Fig. 11); the pre-trained network is better even on the examples it was trained on (Fig. 12,
 * 1 layer, RBM pre-training).
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'online',
  paper: 'Erhan et al. 2010, Figs. 11-12, Sections 5.3 and 8.1 (Experiment 6)',
  description: 'Online on InfiniteMNIST, 10M examples seen once: 1 and 3 layers, DBN / SDAE / none; online error (Fig. 11) and error on the training stream by block (Fig. 12)',
  data: { name: 'infinite-mnist', testSize: 10000 },
  model: { activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { batchSize: 1, corruption: 0.25, noise: 'masking', tied: true, cdK: 1 },
  finetune: { batchSize: 1 },
  online: {
    examples: 10_000_000,
    pretrainFraction: 0.25,
    blockSize: 100_000,
    window: 100_000,
    selectWindow: 1_000_000,
    testEvery: 10,
    trainErrorBlocks: 10,
  },
  scientific: { model: [{ depth: 1, hidden: 2000 }, { depth: 3, hidden: 1000 }], pretrain: ['none', 'dbn', 'sdae'] },
  // Footnote 7's learning-rate grids (the trials without pre-training ignore pretrainLr: 5 distinct runs).
  nuisance: { lr: [0.1, 0.05, 0.02, 0.01, 0.005], pretrainLr: [0.01, 0.005, 0.002, 0.001, 0.0005] },
  // Section 5.3: "for InfiniteMNIST, only one seed is considered"; here it is chosen on selection seed
  // 100001 and reported on seed 1, so the reported run is not the one that won the selection.
  seeds: 1,
  protocol: { selection: 'fresh-seeds', selectionSeeds: 1, dataSeed: 0 },
  compare: { factor: 'pretrain', baseline: 'none' },
  presets: {
    quick: {
      description: '1M examples (250k unsupervised with pre-training), 1 x 200 and 3 x 100 units, DBN / SDAE / none, fixed rates (lr 0.05, pre-training 0.01), 1 seed: 6 runs, 630 CPU-seconds (about 5.5 minutes on 2 idle cores with OpenBLAS)',
      data: { testSize: 2000 },
      scientific: { model: [{ depth: 1, hidden: 200 }, { depth: 3, hidden: 100 }] },
      online: { examples: 1_000_000, blockSize: 10_000, window: 10_000, selectWindow: 100_000, testEvery: 10, checkpointEvery: 50_000 },
      nuisance: { lr: [0.05], pretrainLr: [0.01] },
    },
    arm: {
      // The long run: one Fig. 11 arm at the paper's scale (10M examples, 2000 units, batch 1),
      // with and without RBM pre-training (the pair Fig. 12 compares), rates fixed at the quick preset's
      // (not selected: a selection at this scale is 30 ten-million-example runs), seed 1.
      description: 'one Fig. 11 arm at full scale: 1 x 2000 units, DBN vs none, 10M examples (2.5M unsupervised), fixed rates (lr 0.05, pre-training 0.01), 1 seed; about 75 minutes on 2 idle cores (OpenBLAS)',
      scientific: { model: [{ depth: 1, hidden: 2000 }], pretrain: ['none', 'dbn'] },
      nuisance: { lr: [0.05], pretrainLr: [0.01] },
    },
    full: {
      description: "the paper's setting: 10M examples (2.5M unsupervised + 7.5M supervised with pre-training), 1 x 2000 and 3 x 1000 units, batch 1, learning rates chosen on the last 1M examples' online error (1 selection seed), 1 evaluation seed",
    },
  },
  figures: ['online-error', 'train-error-blocks', 'table'],
});
