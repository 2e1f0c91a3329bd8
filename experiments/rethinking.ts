/**
 * *Rethinking ImageNet Pre-training* (He, Girshick & Dollar 2019), as retold in the seeds
 * (`../shared/seeds/004_*`), at laptop scale: does a network trained from scratch, with group
 * normalisation and a longer schedule, catch up with one pre-trained on a source task and
 * fine-tuned? The retelling's claims: training from scratch needs more iterations but catches up
 * "down to as few as 10k COCO images" (10% of the data), not with 1k (1%); pre-training "speeds up
 * convergence" but "does not necessarily help reduce overfitting"; batch norm suffers at the small
 * batches that force group norm.
 *
 * Source: InfiniteMNIST digits 0-4 (deformed MNIST training digits, `pretrain.kind 'supervised'`),
 * the network trained on them and all its layers below the new softmax kept. Target: MNIST digits
 * 5-9 at 100%, 10% and 1% of their labels (`data.labeled`, a stratified subset drawn with the data
 * seed; `labeled` rather than `trainSize` so the fractions mean the same on any target data set,
 * and every arm trains on the same subset). The network: two 5x5 conv layers (16, 32 filters) with
 * 2x2 max pooling, a 128-unit dense layer, ReLU, He init, each affine map followed by group norm
 * (4 groups) or batch norm (`model.norm`, one factor), batch 4 in fine-tuning (where batch norm is
 * known to suffer). Arms (`arm`, a labelled factor: each arm sets keys of two sections):
 * pre-trained then fine-tuned with the 1x schedule; from scratch with the 1x, 2x and 4x schedules.
 * A schedule is a number of updates (`finetune.updates` x `multiplier`) whatever the data fraction
 * (the paper's iterations), SGD with momentum 0.9 and the rate divided by 10 at 2/3 and 8/9 of the
 * 1x schedule counted back from the end
 * (`finetune.stepsFromEnd`: "in the last 60k and 20k iterations"); no early stopping, evaluated at
 * every quarter of the 1x schedule (`finetune.evalEvery`). The report's `error-vs-updates`,
 * `error-vs-factor` (by fraction) and `train-test-gap` figures test the claims with 95% intervals.
 *
 * **Your own target data.** Any IDX or CSV data set of 28x28 images can be the target (the source
 * is InfiniteMNIST, so the inputs must have its 784 features; give another source with
 * `--pretrain.source.name=...` otherwise). Keep every class with `data.labels` listing them all,
 * and let the training split's size stand (`data.trainSize=null`; the validation and test sizes too
 * when the files are small), e.g. for Fashion-MNIST's IDX files (10 classes):
 *
 *     pretrain-lab run rethinking --preset quick \
 *       --data.name=idx:train-images-idx3-ubyte.gz,train-labels-idx1-ubyte.gz,t10k-images-idx3-ubyte.gz,t10k-labels-idx1-ubyte.gz \
 *       --data.labels=[0,1,2,3,4,5,6,7,8,9] --data.trainSize=null --data.validSize=null --data.testSize=null
 *
 * (`csv:<train.csv>[,<test.csv>]` in the same place for CSV; `--data.trainSize=3000` keeps the
 * quick preset's cost on a large file.)
 */
import { defineExperiment } from '../src/experiments/define.ts';

/** The arms (a labelled factor): pre-trained at the 1x schedule (the comparisons' baseline), from scratch at 1x, 2x, 4x. */
const scratch = (multiplier: number) => ({ pretrain: { kind: 'none' }, finetune: { multiplier } });
const ARMS = {
  'pre-trained 1x': { pretrain: { kind: 'supervised' }, finetune: { multiplier: 1 } },
  'scratch 1x': scratch(1),
  'scratch 2x': scratch(2),
  'scratch 4x': scratch(4),
};

export default defineExperiment({
  id: 'rethinking',
  paper: 'He, Girshick & Dollar 2019, Rethinking ImageNet Pre-training (seed 004); Erhan et al. 2010 protocol',
  description: 'From scratch with group norm and 1x/2x/4x schedules vs pre-trained on InfiniteMNIST 0-4 and fine-tuned (1x), on MNIST 5-9 at 100/10/1% of the labels; GN vs BN at batch 4',
  data: { name: 'mnist', labels: [5, 6, 7, 8, 9] },
  model: { layers: 'conv 16 5x5, pool 2, conv 32 5x5, pool 2, dense 128', activation: 'relu', init: 'he', groups: 4 },
  pretrain: {
    source: { name: 'infinite-mnist', labels: [0, 1, 2, 3, 4], trainSize: 50_000, validSize: 1000, testSize: 1000 },
    epochs: 5,
    batchSize: 32,
    lr: 0.05,
    momentum: 0.9,
  },
  finetune: {
    batchSize: 4,
    momentum: 0.9,
    schedule: 'step',
    stepsFromEnd: true,
    // 1x: about 3 epochs of the 24,462 training digits 5-9 at batch 4 (6,116 updates each); 4x: about 12.
    updates: 18_000,
    evalEvery: 4_500,
    patience: null,
  },
  scientific: {
    'model.norm': ['group', 'batch'],
    arm: ARMS,
    'data.labeled': [1, 0.1, 0.01],
  },
  nuisance: { lr: [0.05, 0.02, 0.01] },
  seeds: 10,
  // The rate of each cell is chosen on validation error over 3 selection seeds (100001..100003),
  // then run on the evaluation seeds; the labelled subset is the same for every seed (data seed 0).
  protocol: { selection: 'fresh-seeds', selectionSeeds: 3, dataSeed: 0 },
  compare: { factor: 'arm', baseline: 'pre-trained 1x' },
  presets: {
    quick: {
      description: '3000 training digits 5-9 (so 300 and 30 at 10% and 1%), a 6000-digit source, 1x = 1500 updates at batch 4 (2 epochs of the 3000), lr 0.02 fixed, 4 seeds: 96 trials, 416 CPU-seconds with OpenBLAS (12 min 20 s wall measured at load 7-9 on 2 cores; about 3.5 minutes on 2 idle cores)',
      data: { trainSize: 3000, validSize: 500, testSize: 1000 },
      pretrain: { source: { trainSize: 6000, validSize: 500, testSize: 500 }, epochs: 2, batchSize: 16 },
      finetune: { updates: 1500, evalEvery: 375 },
      nuisance: { lr: [0.02] },
      seeds: 4,
    },
    full: {
      description: 'every training digit 5-9 (24,462; 10% and 1% of them), a 50,000-digit source trained 5 epochs, 1x = 18,000 updates at batch 4, lr from {0.05, 0.02, 0.01} on 3 selection seeds, 10 evaluation seeds: 456 trials, 16.4M updates, an estimated 5-8 CPU-hours from the quick preset costs (not run here)',
    },
  },
  figureOptions: { 'error-vs-factor': { x: 'data.labeled' } },
  figures: ['error-vs-updates', 'error-vs-factor', 'train-test-gap', 'table', 'test-error-boxplot'],
});
