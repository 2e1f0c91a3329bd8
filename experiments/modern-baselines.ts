/**
 * Issue 15, study 1: do ReLU, dropout, batch norm and Adam make pre-training unnecessary? The Q&A
 * seed's answer says they do ("Pre-training is no longer necessary [...] we have ReLU, dropout and
 * batch normalization"), except "in some cases where there are too many unsupervised (unlabeled)
 * samples". Erhan et al. 2010's depth study (Fig. 1-2), repeated with the later training recipes
 * as arms, each from scratch and with SDAE pre-training of the same network fine-tuned with the same
 * recipe, in two data regimes: every label, and few labels (10% and 1%) with every training image
 * still used, unlabelled, by pre-training (`data.labeled`).
 *
 * - Arms (`arm`, a labelled factor: one arm is a partial config over the model and finetune
 *   sections, with learning-rate grids of its own): the paper's sigmoid units with
 *   uniform[-1/sqrt(fan-in), 1/sqrt(fan-in)] init; ReLU with He init; ReLU + He with dropout, with
 *   batch norm (before the non-linearity), with Adam; and all of them together. An SDAE over ReLU
 *   layers has ReLU encoders (the squared loss and a linear decoder above the first layer); its
 *   pre-training rate is lower than the sigmoid one's (at 0.01 the second ReLU layer's codes died in a
 *   trial of 3 layers of 200 units on 3000 digits at batch 10; at 0.003 and 0.001 every layer trained).
 * - Every cell chooses its rates on validation error over selection seeds and reports test error
 *   over fresh evaluation seeds (the protocol of issue 10); `compare` pairs each SDAE cell with the
 *   same cell without pre-training by seed, and the `gap-vs-labels` section turns the seed's two
 *   predictions into numbers with 95% intervals: the gap closes with every label, and stays where
 *   unlabelled images are plentiful.
 * - The full preset is 360 cells, 10,440 selection trials (7,830 distinct: a trial without
 *   pre-training ignores the pre-training rate) and 3,600 evaluation trials. Its cost, from per-epoch
 *   CPU times measured here on a loaded machine (1000 units, batch 10, all of MNIST, native backend):
 *   a fine-tuning epoch of a 3-layer ReLU + batch-norm network about 21 s, a pre-training epoch of
 *   one layer about 10 s; so about 600 s of pre-training per SDAE trial and 200-400 s of fine-tuning
 *   per trial (early stopping shortens the few-label runs), Shapeset cheaper (100 inputs): roughly
 *   1,700 CPU-hours, four fifths of it pre-training that is repeated for every fine-tuning rate and
 *   labelled fraction of the same seed (a cache of pre-trained stacks would save most of it).
 * - Limits, said once: batch 10 for every arm (batch norm cannot train on single examples, so the
 *   paper's batch 1 is not used); the validation split that chooses the rates and stops training
 *   early is the full labelled one even when the training labels are few (more labelled validation
 *   data than a real few-label problem has; both arms of a comparison get the same).
 */
import { defineExperiment } from '../src/experiments/define.ts';

/** Grids of one arm: its fine-tuning rates and its pre-training rates (and, for dropout arms, the rate). */
interface Grids {
  lr: number[];
  pretrainLr: number[];
  dropout?: number[];
}

/** The six arms of the issue, with the nuisance grids of each (SGD and Adam take different rates; sigmoid and ReLU SDAEs too). */
function arms(sgd: number[], adam: number[], sigmoidPre: number[], reluPre: number[], dropout: number[]) {
  const relu = { activation: 'relu', init: 'he' } as const;
  const grids = (lr: number[], pretrainLr: number[], withDropout = false): { nuisance: Grids } => ({ nuisance: { lr, pretrainLr, ...(withDropout && dropout.length > 1 ? { dropout } : {}) } });
  const drop = dropout.length === 1 ? { dropout: dropout[0]! } : {}; // one rate: part of the arm; several: its nuisance grid
  return {
    'sigmoid+uniform': { model: { activation: 'sigmoid', init: 'uniform-fanin' }, ...grids(sgd, sigmoidPre) },
    'relu+he': { model: { ...relu }, ...grids(sgd, reluPre) },
    'relu+he+dropout': { model: { ...relu, ...drop }, ...grids(sgd, reluPre, true) },
    'relu+he+bn': { model: { ...relu, norm: 'batch' }, ...grids(sgd, reluPre) },
    'relu+he+adam': { model: { ...relu }, finetune: { optimizer: 'adam' }, ...grids(adam, reluPre) },
    all: { model: { ...relu, ...drop, norm: 'batch' }, finetune: { optimizer: 'adam' }, ...grids(adam, reluPre, true) },
  };
}

/** The arms named, in that order. */
function only<T extends Record<string, unknown>>(all: T, labels: (keyof T & string)[]): Record<string, T[keyof T]> {
  return Object.fromEntries(labels.map((l) => [l, all[l]]));
}

export default defineExperiment({
  id: 'modern-baselines',
  paper: 'Issue 15 (the Q&A seed\'s claim) on Erhan et al. 2010, Fig. 1-2: depth x pre-training with later recipes',
  description: 'Do ReLU, dropout, batch norm and Adam make pre-training unnecessary? Depth 1-5 x six recipes x SDAE vs none, on MNIST and Shapeset, with 100% / 10% / 1% of the labels',
  data: { name: 'mnist' },
  model: { hidden: 1000 },
  // 20 pre-training epochs per layer at batch 10: 100,000 updates per layer, the fine-tuning budget.
  pretrain: { epochs: 20, batchSize: 10, corruption: 0.25, noise: 'masking', tied: true },
  // The same fine-tuning budget in updates for every labelled fraction (epochs would give the 1%
  // regime a hundredth of the updates), with early stopping on validation error.
  finetune: { updates: 100_000, batchSize: 10, patience: 20 },
  scientific: {
    dataset: ['mnist', 'shapeset'],
    arm: arms([0.2, 0.1, 0.05, 0.02], [0.003, 0.001, 0.0003], [0.01, 0.003], [0.003, 0.001], [0.2, 0.5]),
    labeled: [1, 0.1, 0.01],
    depth: [1, 2, 3, 4, 5],
    pretrain: ['none', 'sdae'],
  },
  seeds: 10,
  protocol: { selection: 'fresh-seeds', selectionSeeds: 3, dataSeed: 0 },
  compare: { factor: 'pretrain', baseline: 'none' },
  presets: {
    quick: {
      description: 'about 5 minutes on 2 idle cores (OpenBLAS): 10,000 MNIST digits (100% or 10% of them labelled), 1 and 3 layers of 200 units, three arms (sigmoid+uniform, relu+he+bn, all), 3 pre-training epochs per layer and 5000 fine-tuning updates at batch 10, 2 rates per arm chosen on 2 selection seeds, 5 evaluation seeds: 216 trials',
      data: { trainSize: 10000, validSize: 1000, testSize: 2000 },
      model: { hidden: 200 },
      pretrain: { epochs: 3 },
      finetune: { updates: 5000 },
      scientific: {
        dataset: ['mnist'],
        arm: only(arms([0.2, 0.1], [0.003, 0.001], [0.01], [0.003], [0.2]), ['sigmoid+uniform', 'relu+he+bn', 'all']),
        labeled: [1, 0.1],
        depth: [1, 3],
      },
      seeds: 5,
      protocol: { selectionSeeds: 2 },
    },
    full: {
      description: '50k MNIST digits and 50k Shapeset images, 1-5 layers of 1000 units, six arms, 100% / 10% / 1% of the labels, 20 pre-training epochs per layer and 100,000 fine-tuning updates at batch 10, 4 SGD or 3 Adam rates x 2 pre-training rates (x 2 dropout rates) per arm on 3 selection seeds, 10 evaluation seeds: 11,430 distinct trials, roughly 1,700 CPU-hours (see the file)',
    },
  },
  figureOptions: { 'error-vs-factor': { x: 'depth' } },
  figures: ['gap-vs-labels', 'error-vs-factor', 'table', 'test-error-boxplot'],
});
