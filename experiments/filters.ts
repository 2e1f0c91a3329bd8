/**
 * Erhan et al. 2010, Section 6.2, Figures 3-4: what the units of a 3-layer network respond to,
 * after DBN or SDAE pre-training, after supervised fine-tuning, and in a network trained from
 * scratch; layer 1 by its weights, layers 2-3 by activation maximization (Erhan et al. 2009). The
 * paper's readings, made measurable per layer (`analysis.weightChange`): fine-tuning barely moves
 * pre-trained weights (few signs change, small relative change), and the first layer least.
 *
 * InfiniteMNIST is a fixed materialised sample of the stream (`data.trainSize` deformed digits,
 * the first ones in stream order whose sources are MNIST training digits); the paper streams 10M.
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'filters',
  paper: 'Erhan et al. 2010, Fig. 3-4, Section 6.2',
  description: 'Unit patterns of 3-layer DBN / SDAE / no-pre-training nets before and after fine-tuning, and how far fine-tuning moves each layer',
  // Section 5.3: equal-width sigmoid layers, uniform[-1/sqrt(fan-in), 1/sqrt(fan-in)] init,
  // batch 1, 50 + 50 epochs per layer on MNIST (the same on the 50,000-digit InfiniteMNIST sample).
  data: { trainSize: 50000 },
  model: { depth: 3, hidden: 1000, activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { epochs: 50, batchSize: 1, lr: 0.001, corruption: 0.25, noise: 'masking', tied: true },
  finetune: { epochs: 50, batchSize: 1, lr: 0.02, patience: 10 },
  // Figs. 3-4 show 36-100 units per layer; 10 random starts each (Erhan et al. 2009); rho = the
  // mean norm of the training inputs.
  analysis: { actmax: { enabled: true, units: 36, starts: 10, steps: 300 }, weightChange: true },
  scientific: { dataset: ['infinite-mnist', 'mnist'], pretrain: ['dbn', 'sdae', 'none'] },
  seeds: 5,
  // One setting per cell (the learning rates are fixed, as Section 6.2 shows single networks), so
  // no selection trials run; the training set is the same for every seed (data seed 0), so the
  // spread over seeds in the weight-change table is the initialisation's.
  protocol: { selection: 'fresh-seeds', dataSeed: 0 },
  presets: {
    quick: {
      description: 'about 5 minutes on 2 cores: 3000 digits, 3 layers of 200 units, 5 epochs per layer + 20 (lr 0.3, at which the scratch network trains), batch 10, 12 units per layer (150 ascent steps), 3 seeds',
      data: { trainSize: 3000, validSize: 1000, testSize: 1000 },
      model: { hidden: 200 },
      pretrain: { epochs: 5, batchSize: 10, lr: 0.05 },
      finetune: { epochs: 20, batchSize: 10, lr: 0.3 },
      analysis: { actmax: { units: 12, steps: 150 } },
      seeds: 3,
    },
    full: {
      description: "the paper's setting: 50,000 digits (InfiniteMNIST: a fixed 50,000-digit sample), 3 layers of 1000 units, 50+50 epochs, batch 1, 36 units per layer, 5 seeds",
    },
  },
  figures: ['unit-patterns', 'weight-change', 'table'],
});
