/**
 * The transfer modes (issue 15, study 3; the glossary seed's and the retelling's three modes, and
 * Erhan et al. 2010, Section 6.2's angle on them): a pre-trained network is used as a frozen base
 * under a new softmax classifier ("bottleneck features", `finetune.trainTop: 0`), fine-tuned in its
 * top layer only (`trainTop: 1`) or fine-tuned everywhere (`trainTop: null`), against the same
 * network trained from scratch; for unsupervised pre-training (an SDAE on an MLP, a convolutional
 * DAE on a small conv net, both on every training image of the target) and supervised pre-training
 * on a source task (digits 0-4), on a target task (MNIST digits 5-9) at 100%, 10% and 1% of its
 * labels (`data.labeled`). `pretrain.kind 'none'` with `trainTop` 0 or 1 is the random-features
 * control: the same frozen base, never pre-trained. Every reported trial also records how far
 * fine-tuning moved each dense and conv layer (`analysis.weightChange`: the fraction of weights
 * whose sign changed and ||W_after - W_before|| / ||W_before||, frozen layers exactly 0).
 *
 * The claims under test (the report states each as a difference with a 95% interval): frozen
 * features beat training from scratch when labels are few; full fine-tuning beats frozen
 * features when labels are plentiful; pre-trained features beat random ones.
 *
 * On your own target data (IDX or CSV; inputs of any scale), preset `user`: the MLP, SDAE
 * (squared loss) vs no pre-training, every mode and fraction:
 *   pretrain-lab run transfer-modes --preset user --data.name=csv:my.csv
 * With a labelled source task of the same input size, add supervised pre-training (the pretrain
 * factor's levels, replaced as a whole):
 *   ... --pretrain='[{"kind":"none"},{"kind":"sdae","loss":"squared","decoder":"identity"},{"kind":"supervised","source":{"name":"csv:source.csv"}}]'
 */
import { defineExperiment } from '../src/experiments/define.ts';

/** The target task of the MNIST presets, and their source task (supervised pre-training). */
const TARGET = [5, 6, 7, 8, 9];
const SOURCE = [0, 1, 2, 3, 4];

export default defineExperiment({
  id: 'transfer-modes',
  paper: 'Issue 15, study 3: frozen features, top-k and full fine-tuning vs from scratch (the weight change per layer: Erhan et al. 2010, Section 6.2)',
  description: 'Transfer modes (frozen features, top-1, full fine-tuning, scratch) x SDAE / conv DAE / source-task pre-training x 100%, 10%, 1% of the labels, MNIST 5-9; weight change per layer',
  data: { name: 'mnist' },
  model: { activation: 'relu', init: 'he' },
  // SDAE and conv DAE: masking noise, tied weights (dense), cross-entropy on the data, squared
  // loss above the first (ReLU) layer; source task: the same network trained with finetune's Adam.
  pretrain: { batchSize: 16, corruption: 0.25, noise: 'masking' },
  finetune: { optimizer: 'adam', batchSize: 16, patience: 10 },
  analysis: { weightChange: true },
  scientific: {
    model: [{ depth: 2, hidden: 500 }, { layers: 'conv 20 5x5, pool 2, conv 50 5x5, pool 2, dense 500' }],
    pretrain: [{ kind: 'none' }, { kind: 'sdae' }, { kind: 'supervised', source: { name: 'mnist', labels: SOURCE } }],
    'finetune.trainTop': [0, 1, null],
    'data.labeled': [1, 0.1, 0.01],
  },
  nuisance: { lr: [0.0003, 0.001, 0.003] },
  seeds: 10,
  protocol: { selection: 'fresh-seeds', selectionSeeds: 3, dataSeed: 0 },
  compare: { factor: 'finetune.trainTop', baseline: null },
  presets: {
    quick: {
      description: 'about 6 minutes on 2 idle cores (OpenBLAS; 735 CPU-seconds measured, 20 min wall at load 7): 3000 target digits (5-9; 1% = 30 labels), MLP 2 x 128 and a conv net of 6 and 12 filters, 3 pre-training epochs (source: 3000 digits 0-4), up to 60 epochs of Adam at lr 0.003 (one setting, nothing chosen), 4 seeds',
      data: { labels: TARGET, trainSize: 3000, validSize: 500, testSize: 1000 },
      model: { hidden: 128 },
      pretrain: { epochs: 3, lr: 0.005 },
      finetune: { epochs: 60 },
      scientific: {
        model: [{ depth: 2, hidden: 128 }, { layers: 'conv 6 5x5, pool 2, conv 12 5x5, pool 2' }],
        pretrain: [{ kind: 'none' }, { kind: 'sdae' }, { kind: 'supervised', source: { name: 'mnist', labels: SOURCE, trainSize: 3000, validSize: 100, testSize: 100 } }],
      },
      nuisance: { lr: [0.003] },
      seeds: 4,
    },
    full: {
      description: 'MNIST 5-9 (every training digit: 24,462; valid 4,942, test 4,861), MLP 2 x 500 and a LeNet-style conv net (20-50 filters, dense 500), 20 pre-training epochs (source: MNIST 0-4, 25,538 training digits), up to 100 epochs of Adam, lr chosen per cell on 3 selection seeds, 10 evaluation seeds (1026 trials); not run here: about 80 CPU-hours by extrapolation from one measured epoch of each phase, most of it the pre-training of the conv net, repeated in every trial',
      data: { labels: TARGET },
      pretrain: { epochs: 20, lr: 0.003 },
      finetune: { epochs: 100 },
    },
    user: {
      description: 'your own target data (--data.name=csv:<file> or idx:<images>,<labels>): the MLP 2 x 256, none vs SDAE (squared loss, any input scale; 10 epochs on every training example), every mode and fraction, up to 60 epochs of Adam at lr 0.001, 5 seeds',
      model: { hidden: 256 },
      pretrain: { epochs: 10, lr: 0.003 },
      finetune: { epochs: 60 },
      scientific: {
        model: [{ depth: 2, hidden: 256 }],
        pretrain: [{ kind: 'none' }, { kind: 'sdae', loss: 'squared', decoder: 'identity' }],
      },
      nuisance: { lr: [0.001] },
      seeds: 5,
    },
  },
  figures: ['transfer-modes'],
});
