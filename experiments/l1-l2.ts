/**
 * Erhan et al. 2010, Section 7.5 (Experiment 5): can a classical penalty do what pre-training
 * does? L1 and L2 penalties on the weights (`finetune.l1`, `finetune.l2`: `l1 ||W||_1 + l2 ||W||^2`
 * added to the supervised cost) of networks without pre-training, against SDAE pre-training, on
 * MNIST. The grids cross (the cells with both penalties are elastic nets); the L1 curve is the
 * l2 = 0 panel and the L2 curve the l1 = 0 panel of the error-vs-penalty charts. The report names
 * the best-penalized unpretrained network (lowest validation error) and compares it with the
 * unpenalized one and the pre-trained one. The paper: on MNIST a small penalty can help, but
 * nowhere near as much as pre-training; on InfiniteMNIST the best penalty is zero (that part waits
 * for online training on InfiniteMNIST).
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'l1-l2',
  paper: 'Erhan et al. 2010, Section 7.5 (Experiment 5)',
  description: 'L1 and L2 penalty grids without pre-training vs SDAE pre-training on MNIST: how much of the gain a penalty buys',
  // Section 5.3's setting, one hidden layer of 1000 units: the widths the paper selects, where
  // capacity (and so a penalty's room to help) is largest.
  data: { name: 'mnist' },
  model: { depth: 1, hidden: 1000, activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { epochs: 50, batchSize: 1, corruption: 0.25, noise: 'masking', tied: true },
  finetune: { epochs: 50, batchSize: 1, patience: 10 },
  // Footnote 7's L2 grid {0, 1e-6, 1e-5, 1e-4} and one step stronger; the same strengths for L1.
  scientific: { pretrain: ['none', 'sdae'], l1: [0, 1e-6, 1e-5, 1e-4, 1e-3], l2: [0, 1e-6, 1e-5, 1e-4, 1e-3] },
  nuisance: { lr: [0.1, 0.05, 0.02, 0.01, 0.005], pretrainLr: [0.01, 0.005, 0.002, 0.001, 0.0005] },
  seeds: 400,
  // Section 5.3: the setting of each cell is chosen on validation error over 10 selection seeds
  // (100001..100010), then run on the 400 evaluation seeds, whose test errors are reported; the
  // training set is the same for every seed (data seed 0), so the spread is initialisation's.
  protocol: { selection: 'fresh-seeds', selectionSeeds: 10, dataSeed: 0 },
  compare: { factor: 'pretrain', baseline: 'none' },
  presets: {
    quick: {
      description: 'about 3 minutes on 2 idle cores (OpenBLAS): 2000 digits, 1 layer of 400 units, L1 0/1e-5/1e-4 x L2 0/1e-4/1e-3, 5+20 epochs, batch 10, lr 0.2 or 0.1 chosen on 2 selection seeds, 4 evaluation seeds',
      data: { trainSize: 2000, validSize: 1000, testSize: 3000 },
      model: { hidden: 400 },
      pretrain: { epochs: 5, batchSize: 10 },
      finetune: { epochs: 20, batchSize: 10, patience: 5 },
      // At this scale L1 1e-3 drives the error up by 4-10 points (measured): its grid stops at 1e-4.
      scientific: { l1: [0, 1e-5, 1e-4], l2: [0, 1e-4, 1e-3] },
      nuisance: { lr: [0.2, 0.1], pretrainLr: [0.01] },
      seeds: 4,
      protocol: { selectionSeeds: 2 },
    },
    full: {
      description: "the paper's setting: 50k digits, 1 layer of 1000 units, L1 and L2 in {0, 1e-6, ..., 1e-3}, 50+50 epochs, batch 1, 10 selection + 400 evaluation seeds",
    },
  },
  figureOptions: { 'error-vs-factor': { x: ['l2', 'l1'] } },
  figures: ['penalty-vs-pretraining', 'error-vs-factor', 'table'],
});
