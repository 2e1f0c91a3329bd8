/**
 * Erhan et al. 2010, Section 8.2 (Experiment 7), Figure 13: do early examples shape the final
 * function more than late ones, and less so after pre-training? 1-layer networks trained online on
 * InfiniteMNIST (10 million examples, batch 1, constant rates; with pre-training the first 2.5
 * million are unsupervised). The sequence is cut into 10 blocks; for each block in turn, that block
 * is resampled (10 draws, each a fresh set of stream examples: `online.resample`, see
 * `blockResampledOrder`) while every other block stays fixed, and after training the variance across
 * the draws of the network's softmax outputs on the fixed test set is measured (function space),
 * averaged over test examples and classes. The initialisation seed is the same for every draw, so
 * the variance is the data's; the report gives an interval over initialisation seeds when there are
 * several. The paper: early blocks have more influence than late ones (the very last block excepted:
 * constant-rate SGD weights recent examples most), and the variance is lower after pre-training,
 * even at 0.25 (the first supervised examples) compared with 0.0 without pre-training.
 *
 * Pre-training arm: DBN (RBMs). The paper does not name the pre-training of Fig. 13; its companion
 * analysis of the same 1-layer online networks, Fig. 12, uses RBM pre-training, and footnote 15
 * speaks of a single pre-trained curve: we take the same arm, so Figs. 12 and 13 describe one network.
 */
import { defineExperiment } from '../src/experiments/define.ts';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export default defineExperiment({
  id: 'ordering',
  paper: 'Erhan et al. 2010, Fig. 13, Section 8.2 (Experiment 7)',
  description: 'Variance of the final function across resampled tenths of a 10M-example stream, 1 layer, DBN pre-training vs none (Fig. 13)',
  data: { name: 'infinite-mnist', testSize: 10000 },
  model: { depth: 1, hidden: 2000, activation: 'sigmoid', init: 'uniform-fanin' },
  // Fixed rates (no selection: 200 runs of 10M examples are the budget already); the middle of
  // footnote 7's grids. After running `online`, set them to what it chose for the 1-layer arms.
  pretrain: { batchSize: 1, lr: 0.002, cdK: 1 },
  finetune: { batchSize: 1, lr: 0.02 },
  online: {
    examples: 10_000_000,
    pretrainFraction: 0.25,
    blockSize: 100_000,
    window: 100_000,
    selectWindow: 1_000_000,
    testEvery: 0,
    saveTestOutputs: true,
    resample: { blocks: 10, block: -1, draw: 0 },
  },
  scientific: { pretrain: ['none', 'dbn'], 'online.resample.block': range(0, 9), 'online.resample.draw': range(1, 10) },
  seeds: 1,
  compare: { factor: 'pretrain', baseline: 'none' },
  presets: {
    quick: {
      description: '40k examples in 4 blocks (the first one unsupervised with DBN), 1 x 100 units, draws 1-5 of each block, 3 initialisation seeds: 120 short runs, 290 CPU-seconds (about 3 minutes on 2 idle cores)',
      data: { testSize: 1000 },
      model: { hidden: 100 },
      pretrain: { lr: 0.01 },
      finetune: { lr: 0.05 },
      online: { examples: 40_000, blockSize: 5_000, window: 5_000, selectWindow: 5_000, checkpointEvery: 40_000, resample: { blocks: 4, block: -1, draw: 0 } },
      scientific: { 'online.resample.block': range(0, 3), 'online.resample.draw': range(1, 5) },
      // Three initialisation seeds: the t-interval of a mean over two has t = 12.7 and says nothing.
      seeds: 3,
    },
    full: {
      description: "the paper's setting: 1 x 2000 units, 10M examples (2.5M unsupervised with DBN pre-training), 10 blocks x 10 draws x 2 arms = 200 runs, 1 initialisation seed",
    },
  },
  figures: ['ordering-variance'],
});
