/**
 * Erhan et al. 2010, Section 6.3, Fig. 7: the training criterion around a trained network, on
 * Shapeset (10x10 triangles vs squares), for 1, 2 and 3 hidden layers with SDAE pre-training or
 * none. Each trial trains for a fixed budget (no early stopping, `finetune.patience: null`, so the
 * network analysed is the end point of training, the paper's "converged model"), then steps along
 * 7 unit directions, each a minibatch gradient at the solution, and measures the training error
 * and NLL at theta + alpha v for alpha in [-2.5, 2.5] step 0.1 (`analysis.landscape`).
 * The paper's reading: the curves look quadratic, a local minimum in every direction (not a saddle
 * or a plateau), "a bit flatter" with pre-training and flatter for deeper networks. The report makes
 * that a number: the quadratic coefficient fitted on |alpha| <= 0.5, mean and 95% CI over seeds.
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'landscape',
  paper: 'Erhan et al. 2010, Fig. 7, Section 6.3',
  description: 'Loss landscape around the trained network on Shapeset, 1-3 layers, SDAE vs none (Fig. 7): curves and curvature',
  // Section 5.2: Shapeset 50k / 10k / 10k. Section 5.3: equal-width sigmoid layers,
  // uniform[-1/sqrt(fan-in), 1/sqrt(fan-in)] init, 50 + 50 epochs, batch 1; no early stopping here.
  data: { name: 'shapeset' },
  model: { hidden: 1000, activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { epochs: 50, batchSize: 1, corruption: 0.25, noise: 'masking', tied: true },
  finetune: { epochs: 50, batchSize: 1, patience: null },
  // gradientBatch null: each direction is the gradient of one fine-tuning minibatch (batch 1 in the paper).
  analysis: { landscape: { directions: 7, alphaMax: 2.5, step: 0.1, gradientBatch: null, fitHalfWidth: 0.5 } },
  scientific: { depth: [1, 2, 3], pretrain: ['none', 'sdae'] },
  // Footnote 7 (subset), chosen per cell on validation error.
  nuisance: { lr: [0.1, 0.05, 0.02, 0.01, 0.005], pretrainLr: [0.01, 0.001] },
  seeds: 10,
  // Each cell's setting chosen on validation error over 3 selection seeds, then run on the 10
  // evaluation seeds whose landscapes are reported; one training subset for every seed (data seed 0).
  protocol: { selection: 'fresh-seeds', selectionSeeds: 3, dataSeed: 0 },
  presets: {
    quick: {
      description: 'about 5 minutes on 2 cores with OpenBLAS: 5000 shapes, 200 units, 10+100 epochs at batch 10, learning rate 0.3, 3 seeds',
      data: { trainSize: 5000, validSize: 2000, testSize: 5000 },
      model: { hidden: 200 },
      pretrain: { epochs: 10, batchSize: 10 },
      finetune: { epochs: 100, batchSize: 10 },
      // One setting, so no selection trials run: 0.3 comes closest to convergence in 100 epochs (tried 0.1 and 0.3).
      nuisance: { lr: [0.3], pretrainLr: [0.01] },
      seeds: 3,
    },
    full: {
      description: "the paper's setting: 50k shapes, 1000 units, 1-3 layers, 50+50 epochs at batch 1, 3 selection + 10 evaluation seeds",
    },
  },
  figures: ['landscape', 'table', 'test-error-boxplot', 'curves'],
});
