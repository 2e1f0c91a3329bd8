/**
 * Erhan et al. 2010, Section 7.2, Figure 8 (Experiment 2): the effect of pre-training on training
 * error. log(test NLL) against log(train NLL) after every fine-tuning epoch, one trajectory per
 * initialisation seed, 1 to 3 hidden layers, with SDAE pre-training (the paper: "in this case,
 * with denoising auto-encoders") and without. The paper's claim: at the same training NLL the
 * pre-trained networks reach a lower test NLL (a regularizer, not merely a better optimizer); with
 * one layer they also reach a lower training NLL, with two and three not necessarily.
 *
 * The trajectories run every epoch of the budget (no early stopping: the paper plots the whole
 * course of training, overfitting included); the kept network is the last one.
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'train-vs-test',
  paper: 'Erhan et al. 2010, Fig. 8, Section 7.2',
  description: 'log train NLL vs log test NLL per epoch, 1-3 layers, SDAE vs none, one curve per seed (Fig. 8)',
  // Section 5.3: as the depth study (equal-width sigmoid layers, fan-in uniform init, 50 + 50 epochs, batch 1).
  data: { name: 'mnist' },
  model: { hidden: 1000, activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { epochs: 50, batchSize: 1, corruption: 0.25, noise: 'masking', tied: true },
  finetune: { epochs: 50, batchSize: 1, patience: null },
  scientific: { depth: [1, 2, 3], pretrain: ['none', 'sdae'] },
  // Footnote 7 (subset): supervised and pre-training learning rates.
  nuisance: { lr: [0.1, 0.05, 0.02, 0.01, 0.005], pretrainLr: [0.01, 0.005, 0.002, 0.001, 0.0005] },
  // Section 5.3: 400 seeds per arm (Fig. 8 draws 2 x 400 curves per depth).
  seeds: 400,
  // Section 5.3: each cell's learning rates are chosen on validation error over 10 selection seeds
  // (100001..100010), then the chosen setting runs on the evaluation seeds above, which alone are
  // reported; one training set for every seed (data seed 0): the spread is initialisation's.
  protocol: { selection: 'fresh-seeds', selectionSeeds: 10, dataSeed: 0 },
  compare: { factor: 'pretrain.kind', baseline: 'none' },
  presets: {
    quick: {
      description: 'about 5 minutes on 2 cores: 3000 digits, 1-3 layers of 100 units, 5+20 epochs, batch 10, learning rate 0.1 or 0.3 chosen on 2 selection seeds, 6 evaluation seeds per arm',
      data: { trainSize: 3000, validSize: 1000, testSize: 3000 },
      model: { hidden: 100 },
      pretrain: { epochs: 5, batchSize: 10 },
      finetune: { epochs: 20, batchSize: 10 },
      // 0.3 lets the 3-layer nets without pre-training leave the chance plateau within 20 epochs.
      nuisance: { lr: [0.1, 0.3], pretrainLr: [0.01] },
      seeds: 6,
      protocol: { selectionSeeds: 2 },
    },
    full: { description: "the paper's setting: 50k digits, 1000 units, 1-3 layers, 50+50 epochs, batch 1, 10 selection + 400 evaluation seeds per arm" },
  },
  figures: ['nll-trajectories', 'table', 'test-error-boxplot'],
});
