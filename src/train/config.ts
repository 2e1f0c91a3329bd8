/**
 * The resolved configuration of one trial: everything that determines its numbers.
 * Experiments (`src/experiments/`) expand into these; `runTrial` (`src/train/trial.ts`) runs one.
 *
 * Defaults follow Erhan et al. 2010 Section 5.3 and the Deep Learning Tutorials where the paper
 * is silent. Unknown keys are errors (strict schemas), so a typo never silently falls back
 * to a default.
 */
import { z } from 'zod';
import { dataConfigSchema } from '../data/config.ts';
import { BACKEND_NAMES } from '../backends/names.ts';
import { ConfigError } from '../data/config-error.ts';
import { describeConfigIssue } from './config-issues.ts';
import { OPTIMIZERS } from '../nn/create-optimizer.ts';
import { SCHEDULES } from '../nn/schedule.ts';

const positiveInt = z.number().int().min(1);
const nonNegative = z.number().min(0);
const learningRate = z.number().gt(0);

export const modelConfigSchema = z.strictObject({
  /** Number of hidden layers (1-5 in the paper). */
  depth: positiveInt.max(20).default(1),
  /** Units per hidden layer: one number for all layers (paper) or one per layer. */
  hidden: z.union([positiveInt, z.array(positiveInt).min(1)]).default(1000),
  /**
   * Hidden units. Pre-training uses them too: `sdae` trains sigmoid, tanh or relu encoders
   * (`src/models/dae.ts`); `dbn` only sigmoid (rectified RBMs are not offered).
   */
  activation: z.enum(['sigmoid', 'tanh', 'relu']).default('sigmoid'),
  /** Random init: `uniform-fanin` is uniform[-1/sqrt(fan-in), 1/sqrt(fan-in)] (Section 5.3). */
  init: z.enum(['uniform-fanin', 'glorot', 'he']).default('uniform-fanin'),
  /**
   * Any network in a few lines (`src/models/layer-spec.ts`), e.g.
   * `conv 32 5x5, pool 2, conv 64 5x5, pool 2, dense 256`; the softmax output is added on top.
   * When set it replaces `depth` and `hidden`; null (default): the paper's depth/hidden MLP.
   */
  layers: z.string().min(1).nullable().default(null),
  /**
   * Shorthand: a normalisation after each hidden layer's affine map, before its non-linearity
   * (`dense n linear, bn, act`); with `layers`, after every dense and conv layer of the written
   * network (which then must not normalise itself), so a study can make 'batch' vs 'group' a
   * factor. 'none' (default): the layers as written (the paper's).
   */
  norm: z.enum(['none', 'batch', 'group', 'layer']).default('none'),
  /** Groups of `norm: 'group'` (must divide every hidden size, or every dense and conv layer's channels). */
  groups: positiveInt.default(8),
  /** Shorthand for the depth/hidden MLP: inverted dropout after each hidden layer, one rate or one per layer, each in [0, 1). */
  dropout: z.union([z.number().min(0).lt(1), z.array(z.number().min(0).lt(1)).min(1)]).default(0),
});

export const pretrainConfigSchema = z.strictObject({
  /**
   * `none` trains from scratch; `sdae` stacks denoising auto-encoders; `dbn` stacks RBMs;
   * `supervised` trains the same network on another task (`source`) and keeps its bottom layers
   * (transfer: `src/train/source-pretrain.ts`).
   */
  kind: z.enum(['none', 'sdae', 'dbn', 'supervised']).default('none'),
  /**
   * `supervised` only: the source task's data (a data section, e.g. `{ name: 'infinite-mnist',
   * labels: [0, 1, 2, 3, 4] }`); trained for `epochs` at `lr` in batches of `batchSize` with
   * `momentum`, `l1`, `l2`, and the optimizer, schedule and augmentation of `finetune`, without
   * early stopping. Its inputs must have the target's size.
   */
  source: dataConfigSchema.optional(),
  /** Pre-train only the bottom k hidden layers (Experiment 8); null for all. */
  layers: z.number().int().min(0).nullable().default(null),
  /** How pre-trained parameters initialise the MLP: as they are, or resampled from their marginals (Table 1). */
  use: z.enum(['weights', 'histogram']).default('weights'),
  epochs: positiveInt.default(15),
  lr: learningRate.default(0.001),
  batchSize: positiveInt.default(1),
  momentum: z.number().min(0).lt(1).default(0),
  /** Learning rate at epoch t of each layer is lr / (1 + lrDecay * t) (0: constant, the paper's setting). */
  lrDecay: nonNegative.default(0),
  /**
   * Penalty `l1 ||W||_1 + l2 ||W||_2^2` on the weights (W, and V of an untied DAE; never the
   * biases) added to the layer's criterion, the same convention as `finetune`: the gradient gains
   * `l1 sign(W) + 2 l2 W`. (Older configs' `weightDecay: wd` is `l2: wd / 2`.)
   */
  l1: nonNegative.default(0),
  l2: nonNegative.default(0),
  /** SDAE: fraction of inputs corrupted, one value or one per layer, each in [0, 1). */
  corruption: z.union([z.number().min(0).lt(1), z.array(z.number().min(0).lt(1)).min(1)]).default(0.25),
  noise: z.enum(['masking', 'salt-pepper', 'gaussian']).default('masking'),
  tied: z.boolean().default(true),
  /**
   * SDAE reconstruction loss (with `decoder`) of the data and of sigmoid codes; a layer above a
   * tanh / relu layer always takes `squared` with an identity decoder (its inputs leave [0, 1]).
   */
  loss: z.enum(['cross-entropy', 'squared']).default('cross-entropy'),
  /** SDAE: decoder non-linearity; `identity` (a linear decoder) goes with the squared loss. */
  decoder: z.enum(['sigmoid', 'identity']).default('sigmoid'),
  /** DBN: the first RBM's visible units; `gaussian` (unit variance) for real-valued inputs. */
  visible: z.enum(['bernoulli', 'gaussian']).default('bernoulli'),
  /** DBN: Gibbs steps of CD-k, and persistent chains (PCD). */
  cdK: positiveInt.default(1),
  persistent: z.boolean().default(false),
  /** Feed the next layer mean-field activations (default) or samples. */
  propagate: z.enum(['mean', 'sample']).default('mean'),
});

/** `finetune.augment`: random shifts of up to `shift` pixels per axis (zero fill) and left-right flips (`ImageAugmentation`). */
export const augmentConfigSchema = z.strictObject({
  /** Largest shift in pixels along each axis (0: none). */
  shift: z.number().int().min(0).max(100).default(0),
  /** Mirror each example left-right with probability 1/2; only for data whose labels survive a mirror (not digits). */
  flip: z.boolean().default(false),
});

export const finetuneConfigSchema = z.strictObject({
  epochs: positiveInt.default(50),
  lr: learningRate.default(0.1),
  batchSize: positiveInt.default(1),
  momentum: z.number().min(0).lt(1).default(0),
  /** Learning rate at epoch t is lr / (1 + lrDecay * t). */
  lrDecay: nonNegative.default(0),
  l1: nonNegative.default(0),
  l2: nonNegative.default(0),
  /** Stop when validation error has not improved for this many epochs; null trains every epoch (Experiment 4). */
  patience: z.number().int().min(1).nullable().default(10),
  /**
   * Convergence criterion (Experiment 4, Fig. 10: training "to convergence" without early
   * stopping): stop after epoch e once the last `convergeWindow` epochs brought less than the
   * fraction `convergeTol` of the training NLL's decrease since epoch 1, i.e.
   * nll[e - W] - nll[e] < tol (nll[1] - nll[e]) (`src/train/convergence.ts`; the whole-training-set
   * NLL when evaluated, else the epoch's mean training objective). null (default) never stops for convergence.
   */
  convergeWindow: z.number().int().min(1).nullable().default(null),
  /** Fraction of the training NLL's decrease since epoch 1 below which the last `convergeWindow` epochs count as converged. */
  convergeTol: z.number().gt(0).lt(1).default(0.01),
  /**
   * The optimiser (`src/nn/create-optimizer.ts`): SGD with `momentum` (the paper's), Adam (Kingma &
   * Ba 2015) or AdamW (decoupled `weightDecay`, Loshchilov & Hutter 2019). `l1`/`l2` apply to all three.
   */
  optimizer: z.enum(OPTIMIZERS).default('sgd'),
  /** Adam: decay of the first moment. */
  beta1: z.number().min(0).lt(1).default(0.9),
  /** Adam: decay of the second moment. */
  beta2: z.number().min(0).lt(1).default(0.999),
  /** Adam: added to sqrt(v^). */
  eps: z.number().gt(0).default(1e-8),
  /** AdamW only: decoupled weight decay `w <- w - lr weightDecay w` on the weights (not the biases). */
  weightDecay: nonNegative.default(0),
  /**
   * Learning-rate schedule (`src/nn/schedule.ts`): `inverse` is `lr / (1 + lrDecay t)` per epoch
   * (the paper's); `constant`; `step` multiplies by `stepFactor` at the fractions `steps` of the
   * training; `cosine` decays from lr to 0 over the training (after the warm-up).
   */
  schedule: z.enum(SCHEDULES).default('inverse'),
  /**
   * `step`: increasing fractions in (0, 1) of the total updates where the rate is multiplied by
   * `stepFactor`. Default [2/3, 8/9]: Detectron's 1x schedule (90k iterations, divided by 10 at 60k
   * and 80k) that *Rethinking ImageNet Pre-training* trains with.
   */
  steps: z.array(z.number().gt(0).lt(1)).default([2 / 3, 8 / 9]),
  /** `step`: the factor applied at each of `steps`. */
  stepFactor: z.number().gt(0).max(1).default(0.1),
  /**
   * `step`: false (default): `steps` are fractions of the whole run, so a 2x schedule drops at 2/3
   * and 8/9 of its own length. true: they are fractions of the 1x length (the run over
   * `multiplier`) kept at the same distance from the end, the drop at s falling on update
   * `T - (1 - s) T / multiplier`: *Rethinking ImageNet Pre-training*'s longer schedules, which
   * divide the rate "in the last 60k and 20k iterations" whatever the length.
   */
  stepsFromEnd: z.boolean().default(false),
  /** Updates of linear warm-up from lr / warmup to the scheduled rate (0: none); does not scale with `multiplier`. */
  warmup: z.number().int().min(0).default(0),
  /** Train exactly this many updates (the last epoch cut short); null trains `epochs` epochs. */
  updates: positiveInt.nullable().default(null),
  /** Multiplies the training length (`epochs` or `updates`): the "2x / 4x schedule"; `steps` are fractions, so they scale with it. */
  multiplier: z.number().gt(0).default(1),
  /**
   * Evaluate train / valid / test only after the epochs in which the run passes a multiple of this
   * many updates, and after the last epoch; null (default): after every epoch. For long runs on
   * small training sets (a fixed number of updates on 1% of the labels is hundreds of epochs),
   * where evaluating every epoch would cost more than training. The history then holds the
   * evaluated epochs only (with `updates`, the updates so far); early stopping and the convergence
   * criterion, which count epochs, are refused with it.
   */
  evalEvery: positiveInt.nullable().default(null),
  /** Clip the gradient to this global L2 norm before each update (`src/nn/clip.ts`); null: no clipping. */
  clipNorm: z.number().gt(0).nullable().default(null),
  /** Seeded augmentation of image training batches (`src/data/augment.ts`); off by default. */
  augment: augmentConfigSchema.prefault({}),
  /**
   * Which layers fine-tuning trains (the transfer modes; `src/models/frozen-base.ts`): null
   * (default) every layer; k >= 0 the softmax output and the top k dense/conv layers, the layers
   * below them a frozen base (its params fixed, its dropout off, its batch norm on the running
   * statistics, no gradient computed through it). 0 is a new classifier on frozen features
   * ("bottleneck features"); with `pretrain.kind 'none'` the base is random (the random-features
   * control). At most the number of dense and conv layers. Batch norm in a frozen base keeps the
   * statistics it has: those of a supervised source network, the initial ones (mean 0, variance
   * 1) after DAE pre-training, which estimates none; group or layer norm have no such state.
   */
  trainTop: z.number().int().min(0).nullable().default(null),
});

/** Function-space probe outputs (Erhan et al. 2010, Section 6.3, Figs. 5-6; `src/analysis/probe-recorder.ts`). */
export const probeConfigSchema = z.strictObject({
  /** Record the softmax outputs on the first `examples` test examples before fine-tuning and after every epoch. */
  examples: positiveInt.max(100_000),
});

/**
 * The loss landscape around the trained network (Erhan et al. 2010, Section 6.3, Fig. 7): after
 * fine-tuning, the training criterion at `theta + alpha v` for `directions` unit directions v, each
 * a stochastic (minibatch) gradient at the solution, alpha in `[-alphaMax, alphaMax]` step `step`,
 * and a quadratic fitted on `|alpha| <= fitHalfWidth` (see `src/analysis/trial-landscape.ts`).
 */
export const landscapeConfigSchema = z.strictObject({
  /** Number of directions; 0 (the default) switches the analysis off, the paper draws 7. */
  directions: z.number().int().min(0).max(100).default(0),
  /** The grid runs from -alphaMax to alphaMax (paper: 2.5). */
  alphaMax: z.number().gt(0).max(100).default(2.5),
  /** Step of the grid (paper: 0.1). */
  step: z.number().gt(0).max(100).default(0.1),
  /** Examples per stochastic gradient; null: the fine-tuning batch size (the gradients training took). */
  gradientBatch: positiveInt.nullable().default(null),
  /** The quadratic whose coefficient measures curvature is fitted on |alpha| <= fitHalfWidth. */
  fitHalfWidth: z.number().gt(0).max(100).default(0.5),
});

/**
 * Activation maximization of hidden units (Erhan et al. 2010, Section 6.2, Figs. 3-4; the method
 * of Erhan, Bengio, Courville & Vincent 2009): after training, for the first `units` units of
 * every hidden layer (up to 3), the input of norm `norm` that maximizes the unit's
 * pre-sigmoid activation, from `starts` random starts (`src/analysis/activation-maximization.ts`).
 */
export const actmaxConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Units shown per layer: the first `units` of each hidden layer (the same units before and after fine-tuning). */
  units: positiveInt.max(1000).default(16),
  /** Random starts per unit; the best is kept and their agreement reported. */
  starts: positiveInt.max(100).default(10),
  /** Projected gradient-ascent steps per start (at most; a start stops when its step has shrunk below 1e-4). */
  steps: positiveInt.max(100_000).default(300),
  /** The input norm rho; null: the mean Euclidean norm of the training inputs. */
  norm: z.number().gt(0).nullable().default(null),
});

/**
 * In-trial analyses (each off by default, so a config without them is hashed as before:
 * `analysis` is in `KEYS_HASHED_ONLY_WHEN_SET`). Results: small numbers in
 * `TrialResult.analysis`, arrays in side files of the trial's checkpoint directory.
 */
export const analysisConfigSchema = z.strictObject({
  landscape: landscapeConfigSchema.prefault({}),
  actmax: actmaxConfigSchema.prefault({}),
  /**
   * Per hidden layer, how much fine-tuning moved the weights from where it started (the
   * pre-trained or random initial weights): the fraction of weights whose sign changed and
   * `||W_after - W_before|| / ||W_before||` (Section 6.2's reading of Fig. 3).
   */
  weightChange: z.boolean().default(false),
  probe: probeConfigSchema.optional(),
});

/**
 * Fig. 13 (Experiment 7, Section 8.2): the training sequence with one block resampled
 * (`blockResampledOrder`): the whole sequence (pre-training positions included) is cut into `blocks`
 * equal blocks, and draw `draw` of block `block` replaces the baseline's (-1 or draw 0: the baseline).
 */
export const resampleConfigSchema = z.strictObject({
  /** Equal blocks the sequence is cut into (10 in the paper); `online.examples` must be a multiple. */
  blocks: positiveInt,
  /** The resampled block, 0-based, or -1 for none (the baseline sequence). */
  block: z.number().int().min(-1),
  /** Which draw of it: 0 is the baseline's examples, 1, 2, ... fresh ones. */
  draw: z.number().int().min(0),
});

/**
 * The online setting (Erhan et al. 2010, Section 8; `runOnlineTrial`, `src/train/online-trial.ts`):
 * every example of a stream (`data.name` 'infinite-mnist') is seen once, at constant learning rates,
 * in minibatches of `pretrain.batchSize` (pre-training) and `finetune.batchSize` (supervised).
 * With this section set, `data.trainSize` must be null, the test set is the stream's held-out digits
 * (the first `data.testSize` of them), and `pretrain.epochs`, `finetune.epochs`, `finetune.patience`
 * and `data.validSize` are not used; `finetune.lrDecay` and `pretrain.lrDecay` must be 0.
 * Absent (the default) for every other trial, so their hashes do not move.
 */
export const onlineConfigSchema = z.strictObject({
  /** Total stream examples, pre-training and supervised (default: the paper's 10,000,000). */
  examples: positiveInt.default(10_000_000),
  /**
   * With pre-training (sdae/dbn): this fraction of `examples` goes to unsupervised updates, split
   * equally over the pre-trained layers (the paper: 2.5M then 7.5M supervised); ignored for 'none'.
   */
  pretrainFraction: z.number().min(0).lt(1).default(0.25),
  /** Examples per reporting block: one history entry per block (pre-training and supervised). */
  blockSize: positiveInt.default(100_000),
  /** Examples in the online error's moving average (Fig. 11: 100,000). */
  window: positiveInt.default(100_000),
  /**
   * `final.valid` is the online error and NLL over the last `selectWindow` supervised examples
   * (the selection criterion of Section 5.3 in this setting: the last million).
   */
  selectWindow: positiveInt.default(1_000_000),
  /** Evaluate the test set every this many supervised blocks (0: only at the end). */
  testEvery: z.number().int().min(0).default(1),
  /** Updates between mid-run checkpoints (pre-training and supervised). */
  checkpointEvery: positiveInt.default(100_000),
  /**
   * Fig. 12: after training, the error on the supervised training examples in the order they were
   * presented, in this many equal blocks (0: off).
   */
  trainErrorBlocks: z.number().int().min(0).default(0),
  /** Fig. 13: train on a block-resampled sequence (absent: the stream in order). */
  resample: resampleConfigSchema.optional(),
  /** Fig. 13: write the final softmax outputs on the test set to a side file (`test-outputs.safetensors`). */
  saveTestOutputs: z.boolean().default(false),
});

export const trialConfigSchema = z.strictObject({
  seed: z.number().int().min(0).default(1),
  backend: z.enum(BACKEND_NAMES).default('auto'),
  data: dataConfigSchema.prefault({}),
  model: modelConfigSchema.prefault({}),
  pretrain: pretrainConfigSchema.prefault({}),
  finetune: finetuneConfigSchema.prefault({}),
  analysis: analysisConfigSchema.prefault({}),
  online: onlineConfigSchema.optional(),
});

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type PretrainConfig = z.infer<typeof pretrainConfigSchema>;
export type FinetuneConfig = z.infer<typeof finetuneConfigSchema>;
export type LandscapeConfig = z.infer<typeof landscapeConfigSchema>;
export type ActmaxConfig = z.infer<typeof actmaxConfigSchema>;
export type AnalysisConfig = z.infer<typeof analysisConfigSchema>;
export type OnlineConfig = z.infer<typeof onlineConfigSchema>;
export type TrialConfig = z.infer<typeof trialConfigSchema>;
/** What a caller may write: any subset, the rest from defaults. */
export type TrialConfigInput = z.input<typeof trialConfigSchema>;

/**
 * Validates and fills defaults. Throws a ConfigError whose message names every offending key
 * path, the value found and what is allowed (`describeConfigIssue`).
 */
export function resolveTrialConfig(input: unknown): TrialConfig {
  const r = trialConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${describeConfigIssue(trialConfigSchema, input, i)}${renamedKeyHint(i)}`);
  throw new ConfigError(`invalid trial config:\n${lines.join('\n')}`);
}

/** Keys renamed since older configs, with what to write now. */
const RENAMED_KEYS: Record<string, string> = {
  'pretrain.weightDecay': 'pretrain.weightDecay is now pretrain.l2 with half the value (the penalty l2 ||W||^2, as in finetune)',
};

function renamedKeyHint(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return '';
  const hints = issue.keys.map((k) => RENAMED_KEYS[[...issue.path, k].join('.')]).filter((h) => h !== undefined);
  return hints.length ? ` (${hints.join('; ')})` : '';
}

/** Error for invalid configuration; its message names the key and the allowed values (defined in `src/data/config-error.ts`). */
export { ConfigError } from '../data/config-error.ts';

/** Hidden layer sizes as a list of length `depth`. */
export function hiddenSizes(m: ModelConfig): number[] {
  if (Array.isArray(m.hidden)) {
    if (m.hidden.length !== m.depth) {
      throw new ConfigError(`model.hidden lists ${m.hidden.length} sizes but model.depth is ${m.depth}; give one size or exactly depth sizes`);
    }
    return [...m.hidden];
  }
  return Array.from({ length: m.depth }, () => m.hidden as number);
}
