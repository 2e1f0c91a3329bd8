/**
 * Erhan et al. 2010, Section 7.4, Figure 10 (Experiment 4): challenging the optimization
 * hypothesis. As Bengio et al. (2007), the top hidden layer is constrained to 20 units so that
 * the network cannot fit the training set with its top layer alone; unlike them, there is no
 * early stopping: every network is trained to convergence. The question: is the training NLL
 * still higher with pre-training once early stopping is out of the way? The paper: yes, the
 * pre-trained networks end with a higher training NLL and a lower test NLL.
 *
 * "To convergence", stated: at most `finetune.epochs` epochs, stopping after the first epoch e at
 * which the last `convergeWindow` epochs brought less than the fraction `convergeTol` of the
 * whole-training-set NLL's decrease since epoch 1, nll[e - W] - nll[e] < tol (nll[1] - nll[e])
 * (`src/train/convergence.ts` says why not a relative test); the last network is kept.
 * The paper gives neither the depth nor the pre-training of Fig. 10: we use three hidden layers
 * (the widths of the depth study, the top one 20 units) and SDAE pre-training, as in Fig. 8.
 */
import { defineExperiment } from '../src/experiments/define.ts';

export default defineExperiment({
  id: 'top-20',
  paper: 'Erhan et al. 2010, Fig. 10, Section 7.4 (Experiment 4)',
  description: 'Top hidden layer of 20 units, no early stopping, trained to convergence: train vs test NLL, SDAE vs none (Fig. 10)',
  data: { name: 'mnist' },
  model: { depth: 3, hidden: [1000, 1000, 20], activation: 'sigmoid', init: 'uniform-fanin' },
  pretrain: { epochs: 50, batchSize: 1, corruption: 0.25, noise: 'masking', tied: true },
  // A long budget (4x the paper's 50 epochs) ended by the convergence criterion.
  finetune: { epochs: 200, batchSize: 1, patience: null, convergeWindow: 10, convergeTol: 0.01 },
  scientific: { pretrain: ['none', 'sdae'] },
  nuisance: { lr: [0.1, 0.05, 0.02, 0.01, 0.005], pretrainLr: [0.01, 0.005, 0.002, 0.001, 0.0005] },
  seeds: 400,
  // Section 5.3: each cell's learning rates are chosen on validation error over 10 selection seeds
  // (100001..100010), then the chosen setting runs on the evaluation seeds above, which alone are
  // reported; one training set for every seed (data seed 0): the spread is initialisation's.
  protocol: { selection: 'fresh-seeds', selectionSeeds: 10, dataSeed: 0 },
  compare: { factor: 'pretrain.kind', baseline: 'none' },
  presets: {
    quick: {
      description: 'about 5 minutes on 2 cores: 2000 digits, layers 100-100-20, 5 pre-training epochs, up to 150 fine-tuning epochs (stop: the last 10 brought < 1% of the decrease), batch 10, learning rate 0.1 or 0.3 chosen on 2 selection seeds, 6 evaluation seeds per arm',
      data: { trainSize: 2000, validSize: 1000, testSize: 3000 },
      model: { hidden: [100, 100, 20] },
      pretrain: { epochs: 5, batchSize: 10 },
      finetune: { epochs: 150, batchSize: 10, convergeWindow: 10, convergeTol: 0.01 },
      nuisance: { lr: [0.1, 0.3], pretrainLr: [0.01] },
      seeds: 6,
      protocol: { selectionSeeds: 2 },
    },
    full: { description: "the paper's data and width: 50k digits, layers 1000-1000-20, 50 pre-training epochs, up to 200 fine-tuning epochs (stop: the last 10 brought < 1% of the decrease), batch 1, 10 selection + 400 evaluation seeds per arm" },
  },
  figures: ['nll-trajectories', 'table', 'test-error-boxplot'],
});
