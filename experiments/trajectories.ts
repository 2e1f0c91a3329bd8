/**
 * Erhan et al. 2010, Section 6.3, Figures 5-6: where in function space do networks with and
 * without pre-training go? Each network's softmax outputs on a fixed set of test examples,
 * concatenated into one vector, are recorded before fine-tuning and after every epoch
 * (`analysis.probe`); the report embeds every (network, epoch) point together in 2-D with t-SNE
 * (Fig. 5) and Isomap (Fig. 6), and measures, per epoch, the distances between networks within
 * each group and between the groups in the original output space. The paper's reading: the two
 * groups start and stay in different regions, and the pre-trained group ends in a smaller one.
 *
 * The paper shows 2 hidden layers on MNIST, 50 + 50 networks; it does not name the pre-training
 * used for these figures: we use SDAE as in Section 6.1. Every epoch is trained (no early
 * stopping), so all trajectories have the same length and every epoch compares all networks.
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'trajectories',
  paper: 'Erhan et al. 2010, Fig. 5-6, Section 6.3',
  description: 'Function-space trajectories of networks with and without SDAE pre-training: t-SNE, Isomap, distances per epoch',
  data: { name: 'mnist' },
  model: { depth: 2, hidden: 1000, activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { epochs: 50, batchSize: 1, lr: 0.001, corruption: 0.25, noise: 'masking', tied: true },
  finetune: { epochs: 50, batchSize: 1, lr: 0.05, patience: null },
  analysis: { probe: { examples: 1000 } },
  scientific: { pretrain: ['none', 'sdae'] },
  seeds: 50,
  presets: {
    quick: {
      description: 'about 5 minutes on 2 cores: 10 + 10 networks, 5000 digits, 2 layers of 200 units, 10 + 20 epochs at batch 10, outputs on 300 test digits',
      data: { trainSize: 5000, validSize: 1000, testSize: 1000 },
      model: { hidden: 200 },
      pretrain: { epochs: 10, batchSize: 10, lr: 0.01 },
      finetune: { epochs: 20, batchSize: 10, lr: 0.1 },
      analysis: { probe: { examples: 300 } },
      seeds: 10,
    },
    full: {
      description: "the paper's setting: 50 + 50 networks, 50k digits, 2 layers of 1000 units, 50 + 50 epochs at batch 1, outputs on 1000 test digits",
    },
  },
  figures: ['table', 'trajectories'],
});
