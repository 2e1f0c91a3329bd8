/**
 * Erhan et al. 2010, Section 7.3, Figure 9 (Experiment 3): test error against the number of units
 * per layer, 25 to 800, for 1 to 3 hidden layers, without pre-training and with SDAE or DBN
 * pre-training, on MNIST. The paper: pre-training hurts small layers (and shallow networks) and
 * helps large ones at every depth, the signature of a regularizer. The report turns this into
 * numbers: per depth and pre-trained arm, the width from which its mean error stays below the
 * unpretrained one's, and per width the difference with a 95% interval.
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'layer-size',
  paper: 'Erhan et al. 2010, Fig. 9, Section 7.3',
  description: 'Units per layer 25-800 x depth 1-3 x {none, SDAE, DBN} on MNIST: where pre-training starts to help (Fig. 9)',
  // Section 5.3: equal-width sigmoid layers, uniform[-1/sqrt(fan-in), 1/sqrt(fan-in)] init,
  // 50 pre-training epochs per layer and 50 supervised epochs, batch 1 (purely stochastic updates).
  data: { name: 'mnist' },
  model: { activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { epochs: 50, batchSize: 1, corruption: 0.25, noise: 'masking', tied: true },
  finetune: { epochs: 50, batchSize: 1, patience: 10 },
  scientific: { hidden: [25, 50, 100, 200, 400, 800], depth: [1, 2, 3], pretrain: ['none', 'sdae', 'dbn'] },
  // Footnote 7 (subset, as experiments/depth.ts): supervised and pre-training learning rates.
  nuisance: { lr: [0.1, 0.05, 0.02, 0.01, 0.005], pretrainLr: [0.01, 0.005, 0.002, 0.001, 0.0005] },
  seeds: 400,
  // Figure 9 states no seed count of its own, so Section 5.3's protocol: the setting of each cell
  // is chosen on validation error over 10 selection seeds (100001..100010), then run on the 400
  // evaluation seeds, whose test errors are reported; the training set is the same for every
  // seed (data seed 0), so the spread is initialisation's.
  protocol: { selection: 'fresh-seeds', selectionSeeds: 10, dataSeed: 0 },
  compare: { factor: 'pretrain', baseline: 'none' },
  presets: {
    quick: {
      description: 'about 3 minutes on 2 idle cores (OpenBLAS): 3000 digits, widths 25/100/400, 1-2 layers, 5+20 epochs, batch 10, lr 0.2 or 0.1 chosen on 2 selection seeds, 4 evaluation seeds',
      data: { trainSize: 3000, validSize: 1000, testSize: 3000 },
      pretrain: { epochs: 5, batchSize: 10 },
      finetune: { epochs: 20, batchSize: 10, patience: 5 },
      scientific: { hidden: [25, 100, 400], depth: [1, 2] },
      nuisance: { lr: [0.2, 0.1], pretrainLr: [0.01] },
      seeds: 4,
      protocol: { selectionSeeds: 2 },
    },
    full: {
      description: "the paper's setting: 50k digits, widths 25-800, 1-3 layers, none/SDAE/DBN, 50+50 epochs, batch 1, 10 selection + 400 evaluation seeds",
    },
  },
  figureOptions: { 'error-vs-factor': { x: 'hidden' } },
  figures: ['error-vs-factor', 'table', 'test-error-boxplot'],
});
