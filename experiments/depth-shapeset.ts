/**
 * Erhan et al. 2010, Section 6.1, Figures 1-2 on Shapeset (Section 5.2: 10x10 grey-level images of
 * triangles and squares, random size, orientation, position and grey levels; 50k / 10k / 10k): test
 * error of classifiers of 1 to 5 hidden layers with SDAE pre-training or none, over seeds, the
 * other hyperparameters chosen on validation error. The same protocol as `depth` (MNIST), so the
 * two reports compare the data sets. The JMLR text gives no Shapeset error rates for this figure;
 * it uses Shapeset for Fig. 7 and says Shapeset results are "qualitatively similar" (Section 7.3).
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'depth-shapeset',
  paper: 'Erhan et al. 2010, Fig. 1-2, Section 6.1 (on Shapeset, Section 5.2)',
  description: 'Depth x SDAE pre-training vs none on Shapeset (10x10 triangles vs squares): test error over seeds',
  // Section 5.3: equal-width sigmoid layers, uniform[-1/sqrt(fan-in), 1/sqrt(fan-in)] init,
  // 50 + 50 epochs per layer, batch 1 (the paper states the epochs for MNIST; used here alike).
  data: { name: 'shapeset' },
  model: { hidden: 1000, activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { epochs: 50, batchSize: 1, corruption: 0.25, noise: 'masking', tied: true },
  finetune: { epochs: 50, batchSize: 1, patience: 10 },
  scientific: { depth: [1, 2, 3, 4, 5], pretrain: ['none', 'sdae'] },
  // Footnote 7 (subset): supervised and pre-training learning rates.
  nuisance: { lr: [0.1, 0.05, 0.02, 0.01, 0.005], pretrainLr: [0.01, 0.005, 0.002, 0.001, 0.0005] },
  seeds: 50,
  // As `depth`: each cell's setting chosen on validation error over 5 selection seeds, then run on the
  // 50 evaluation seeds; one training subset for every seed (data seed 0; Shapeset itself is generated
  // from its own fixed seed).
  protocol: { selection: 'fresh-seeds', selectionSeeds: 5, dataSeed: 0 },
  presets: {
    quick: {
      description: 'about 5 minutes on 2 cores with OpenBLAS: 5000 shapes, 1-3 layers of 200 units, 10+60 epochs at batch 10, 2 learning rates, 2 selection + 3 evaluation seeds',
      data: { trainSize: 5000, validSize: 2000, testSize: 5000 },
      model: { hidden: 200 },
      pretrain: { epochs: 10, batchSize: 10, lr: 0.01 },
      finetune: { epochs: 60, batchSize: 10 },
      scientific: { depth: [1, 2, 3] },
      nuisance: { lr: [0.3, 0.1], pretrainLr: [0.01] },
      seeds: 3,
      // 2 selection seeds x 2 learning rates per cell (24 trials), then 3 evaluation seeds (18).
      protocol: { selectionSeeds: 2 },
    },
    full: {
      description: "the paper's setting: 50k shapes, 1000 units, 1-5 layers, 50+50 epochs, batch 1, 5 selection + 50 evaluation seeds",
    },
  },
  figures: ['test-error-boxplot', 'test-error-histogram', 'curves', 'table', 'depth-trend'],
});
