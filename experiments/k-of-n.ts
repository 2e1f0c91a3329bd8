/**
 * Erhan et al. 2010, Section 8.3, Figure 14 left (Experiment 8, the MNIST part): pre-training only
 * the bottom k of n = 3 hidden layers with RBMs (a DBN), the top n - k layers randomly initialised
 * as usual (uniform fan-in); k = 0 is no pre-training (the same trial as `pretrain.kind = none`),
 * k = 3 the usual DBN. log(test NLL) against log(train NLL) after every fine-tuning epoch, all
 * networks trained for the same number of epochs (no early stopping). The paper: the more layers
 * are pre-trained, the better the generalisation and the worse the final training NLL.
 * (The InfiniteMNIST part, online error with SDAEs, waits for the online study.)
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'k-of-n',
  paper: 'Erhan et al. 2010, Fig. 14 (left), Section 8.3 (Experiment 8)',
  description: 'Pre-train only the bottom k of 3 layers with RBMs, k = 0..3, MNIST: train vs test NLL trajectories and test error (Fig. 14)',
  data: { name: 'mnist' },
  model: { depth: 3, hidden: 1000, activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { kind: 'dbn', epochs: 50, batchSize: 1, cdK: 1 },
  finetune: { epochs: 50, batchSize: 1, patience: null },
  scientific: { 'pretrain.layers': [0, 1, 2, 3] },
  nuisance: { lr: [0.1, 0.05, 0.02, 0.01, 0.005], pretrainLr: [0.01, 0.005, 0.002, 0.001, 0.0005] },
  // The paper does not give Fig. 14's seed count; 50 is the low end of its MNIST figures' 50-400.
  seeds: 50,
  // Section 5.3: each cell's learning rates are chosen on validation error over 10 selection seeds
  // (100001..100010), then the chosen setting runs on the evaluation seeds above, which alone are
  // reported; one training set for every seed (data seed 0): the spread is initialisation's.
  protocol: { selection: 'fresh-seeds', selectionSeeds: 10, dataSeed: 0 },
  compare: { factor: 'pretrain.layers', baseline: 0 },
  presets: {
    quick: {
      description: 'about 5 minutes on 2 cores: 3000 digits, 3 layers of 100 units, 5+20 epochs, batch 10, learning rate 0.1 or 0.3 chosen on 2 selection seeds, 6 evaluation seeds per k',
      data: { trainSize: 3000, validSize: 1000, testSize: 3000 },
      model: { hidden: 100 },
      pretrain: { epochs: 5, batchSize: 10 },
      finetune: { epochs: 20, batchSize: 10 },
      // 0.3 lets the nets without pre-training (k = 0) leave the chance plateau within 20 epochs.
      nuisance: { lr: [0.1, 0.3], pretrainLr: [0.05] },
      seeds: 6,
      protocol: { selectionSeeds: 2 },
    },
    full: { description: "the paper's data and width: 50k digits, 3 layers of 1000 units, 50+50 epochs, batch 1, 10 selection + 50 evaluation seeds per k" },
  },
  figures: ['nll-trajectories', 'table', 'test-error-boxplot'],
});
