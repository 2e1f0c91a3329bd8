/**
 * A tiny end-to-end study for tests and for checking an installation: seconds, not minutes.
 * Same shape as `depth` (depth x pre-training, a nuisance grid, seeds) on a slice of MNIST.
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'smoke',
  paper: 'Erhan et al. 2010, Section 6.1 (miniature)',
  description: 'Seconds-long miniature of the depth study (500 MNIST digits, 16 units) for tests',
  data: { name: 'mnist', trainSize: 500, validSize: 200, testSize: 200 },
  model: { hidden: 16, activation: 'sigmoid' },
  pretrain: { epochs: 1, lr: 0.01, batchSize: 10, corruption: 0.25 },
  finetune: { epochs: 2, batchSize: 10, patience: null },
  scientific: { depth: [1, 2], pretrain: ['none', 'sdae'] },
  nuisance: { lr: [0.1, 0.3] },
  seeds: 2,
  // The protocol end to end in seconds: lr chosen on one selection seed (100001), reported on seeds 1-2.
  protocol: { selectionSeeds: 1 },
  presets: {
    quick: { description: 'the default size (seconds)' },
    full: { description: 'a little larger (still under a minute)', data: { trainSize: 2000 }, seeds: 4 },
  },
  figures: ['test-error-boxplot', 'test-error-histogram', 'curves', 'table', 'filters'],
});
