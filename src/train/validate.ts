/**
 * Cross-checks of a resolved trial config (and its data) that the zod schema cannot express,
 * run before any training. Each error names the key, the value and what is allowed.
 */
import type { DataSplits } from '../data/dataset.ts';
import { augments } from '../data/augment.ts';
import { trainingUpdates } from '../nn/schedule.ts';
import { ConfigError, finetuneConfigSchema, hiddenSizes, type OnlineConfig, type TrialConfig } from './config.ts';
import { STREAM_NAMES } from '../data/load-stream.ts';
import { onlineSchedule } from './online-schedule.ts';
import { modelLayerSpecs, trainableLayerCount } from './model-spec.ts';
import type { LayerSpec } from '../models/layer-spec.ts';
import { convDaeProblem } from '../models/conv-dae.ts';

/**
 * Number of layers pre-trained: 0 without pre-training, else `pretrain.layers ?? ` every trainable
 * layer (the depth of the paper's MLP; the dense and conv layers of `model.layers`).
 */
export function pretrainedLayerCount(cfg: TrialConfig): number {
  if (cfg.pretrain.kind === 'none') return 0;
  return cfg.pretrain.layers ?? safeTrainableCount(cfg);
}

function safeTrainableCount(cfg: TrialConfig): number {
  try {
    return trainableLayerCount(cfg.model);
  } catch {
    return cfg.model.depth; // an unreadable model.layers is reported by modelProblems
  }
}

/** What is wrong with the model section (`model.layers`, the norm and dropout shorthands) and its use. */
function modelProblems(cfg: TrialConfig): string[] {
  const out: string[] = [];
  const m = cfg.model, p = cfg.pretrain;
  let layers: LayerSpec[] | undefined;
  try {
    layers = modelLayerSpecs(m);
  } catch (e) {
    out.push((e as Error).message);
    return out;
  }
  const dropoutSet = Array.isArray(m.dropout) ? m.dropout.some((r) => r > 0) : m.dropout > 0;
  if (m.layers !== null && dropoutSet) {
    out.push(`model.dropout is a shorthand of the depth/hidden MLP; with model.layers set, write the dropout layers in model.layers (e.g. 'dense 500 relu, dropout 0.5')`);
  }
  if (m.layers === null && m.norm === 'group') {
    const bad = hiddenSizesOrEmpty(cfg).filter((n) => n % m.groups !== 0);
    if (bad.length) out.push(`model.groups is ${m.groups} but it must divide every hidden size (${bad.join(', ')} do not); choose a divisor, or model.norm 'layer'`);
  }
  const bn = layers?.some((l) => l.kind === 'batchnorm') ?? false;
  if (bn && cfg.finetune.batchSize === 1) {
    out.push(`batch normalisation cannot train on a batch of 1 (the batch variance is zero): finetune.batchSize is 1; use finetune.batchSize >= 2, or group/layer normalisation (model.norm 'group' or 'layer')`);
  }
  const k = pretrainedLayerCount(cfg);
  if (p.kind === 'supervised' && !p.source) out.push("pretrain.kind is 'supervised' but pretrain.source is not set; give the source task's data section, e.g. { name: 'infinite-mnist', labels: [0, 1, 2, 3, 4] }");
  if (p.kind !== 'supervised' && p.source) out.push(`pretrain.source is set but pretrain.kind is '${p.kind}'; the source task is for pretrain.kind 'supervised' (remove pretrain.source otherwise)`);
  if (p.kind === 'supervised' && p.use === 'histogram') out.push("pretrain.use 'histogram' resamples RBM/DAE layers; with pretrain.kind 'supervised' use pretrain.use 'weights'");
  if (p.kind === 'supervised' && cfg.finetune.optimizer !== 'sgd' && p.momentum > 0) {
    out.push(`pretrain.momentum is ${p.momentum} but the source task trains with finetune.optimizer '${cfg.finetune.optimizer}', which has no momentum; set pretrain.momentum to 0`);
  }
  if (p.kind === 'supervised' && cfg.online) out.push("pretrain.kind 'supervised' is not offered in the online setting; use 'dbn', 'sdae' or 'none' there");
  if (m.layers !== null && k > 0) {
    if (p.kind === 'dbn') out.push(`pretrain.kind 'dbn' stacks RBMs on the depth/hidden MLP only; with model.layers use pretrain.kind 'sdae' (denoising auto-encoders, convolutional for conv layers) or 'none'`);
    if (p.use === 'histogram') out.push(`pretrain.use 'histogram' (Table 1) resamples the paper's dense layers only; with model.layers use pretrain.use 'weights'`);
  }
  if (cfg.online && layers !== undefined) {
    out.push(`the online setting trains the paper's dense network; remove model.layers, model.norm and model.dropout (or the online section)`);
  }
  return out;
}

/**
 * What greedy DAE pre-training of a `model.layers` network cannot do (`pretrainNetwork`): sampled
 * propagation, and conv layers among the bottom k that its convolutional DAE cannot invert.
 */
function networkPretrainProblems(cfg: TrialConfig, k: number): string[] {
  const out: string[] = [];
  if (cfg.pretrain.propagate !== 'mean') {
    out.push(`pretrain.propagate is '${cfg.pretrain.propagate}' but a network given by model.layers passes its own forward pass up; use pretrain.propagate 'mean'`);
  }
  let layers: LayerSpec[] | undefined;
  try {
    layers = modelLayerSpecs(cfg.model);
  } catch {
    return out; // reported by modelProblems
  }
  let conv = 0;
  for (const l of (layers ?? []).filter((s) => s.kind === 'dense' || s.kind === 'conv').slice(0, k)) {
    if (l.kind !== 'conv') continue;
    conv++;
    const problem = convDaeProblem(l);
    if (problem) out.push(`model.layers: conv layer ${conv} cannot be pre-trained with pretrain.kind 'sdae': ${problem}; or pre-train fewer layers (pretrain.layers)`);
  }
  return out;
}

/** True when the model has a batch normalisation layer (a readable `model.layers` with `bn`, or `model.norm: 'batch'`). */
function hasBatchNorm(cfg: TrialConfig): boolean {
  try {
    return modelLayerSpecs(cfg.model)?.some((l) => l.kind === 'batchnorm') ?? false;
  } catch {
    return false;
  }
}

function hiddenSizesOrEmpty(cfg: TrialConfig): number[] {
  try {
    return hiddenSizes(cfg.model);
  } catch {
    return [];
  }
}

/** Throws a ConfigError listing every inconsistency of `cfg` (independent of the data). */
export function validateTrialConfig(cfg: TrialConfig): void {
  const problems: string[] = [];
  try {
    hiddenSizes(cfg.model);
  } catch (e) {
    problems.push((e as Error).message);
  }
  const depth = safeTrainableCount(cfg), p = cfg.pretrain;
  if (p.layers !== null && p.layers > depth) {
    const what = cfg.model.layers !== null ? `model.layers has ${depth} dense and conv layers` : `model.depth is ${depth}`;
    problems.push(`pretrain.layers is ${p.layers} but ${what}; allowed: 0..${depth} or null (all layers)`);
  }
  const top = cfg.finetune.trainTop;
  if (top !== null && top > depth) {
    const what = cfg.model.layers !== null ? `model.layers has ${depth} dense and conv layers` : `model.depth is ${depth}`;
    problems.push(`finetune.trainTop is ${top} but ${what}; allowed: 0 (only the new classifier on a frozen base) ..${depth}, or null (every layer)`);
  }
  problems.push(...modelProblems(cfg));
  const k = Math.min(pretrainedLayerCount(cfg), depth);
  if (p.use === 'histogram' && k === 0) {
    problems.push(`pretrain.use is 'histogram' but no layer is pre-trained (pretrain.kind '${p.kind}', layers ${p.layers}); use kind 'sdae' or 'dbn' with layers >= 1`);
  }
  if (Array.isArray(p.corruption) && p.kind === 'sdae' && p.corruption.length < k) {
    problems.push(`pretrain.corruption lists ${p.corruption.length} values but ${k} layers are pre-trained; give one value or one per pre-trained layer`);
  }
  // An SDAE's encoders take the network's units (sigmoid, tanh, relu); a DBN's RBMs are sigmoid
  // only (rectified, noisy-ReLU RBMs, Nair & Hinton 2010, are a stretch goal not offered).
  if (k > 0 && cfg.model.activation !== 'sigmoid' && p.kind === 'dbn') {
    problems.push(
      `model.activation is '${cfg.model.activation}' but pretrain.kind 'dbn' learns sigmoid units (rectified, noisy-ReLU RBMs are not offered); ` +
        `use model.activation 'sigmoid' with a DBN, pretrain.kind 'sdae' (its auto-encoders take ${cfg.model.activation} encoders), or pretrain.kind 'none'`,
    );
  }
  if (k > 1 && cfg.model.activation !== 'sigmoid' && p.kind === 'sdae' && p.propagate === 'sample' && cfg.model.layers === null) {
    problems.push(`pretrain.propagate is 'sample' but model.activation is '${cfg.model.activation}': Bernoulli samples need sigmoid codes in [0, 1]; use pretrain.propagate 'mean'`);
  }
  if (k > 0 && p.kind === 'sdae' && cfg.model.layers !== null) problems.push(...networkPretrainProblems(cfg, k));
  const land = cfg.analysis.landscape;
  if (land.directions > 0 && land.fitHalfWidth < land.step) {
    problems.push(`analysis.landscape.fitHalfWidth is ${land.fitHalfWidth} but the curvature fit needs the 3 grid points -step, 0, step (step ${land.step}); allowed: >= ${land.step}`);
  }
  if (land.directions > 0 && land.alphaMax < land.step) {
    problems.push(`analysis.landscape.alphaMax is ${land.alphaMax} but the grid needs at least one step (${land.step}) each side of 0; allowed: >= ${land.step}`);
  }
  problems.push(...optimizerProblems(cfg));
  if (cfg.online) problems.push(...onlineProblems({ ...cfg, online: cfg.online }, k));
  if (problems.length) throw new ConfigError(`invalid trial config:\n${problems.map((s) => `  ${s}`).join('\n')}`);
}

/**
 * What is wrong with the optimiser, schedule and augmentation keys of the `finetune` section: a
 * key that the chosen optimiser or schedule does not use is refused rather than silently ignored.
 */
function optimizerProblems(cfg: TrialConfig): string[] {
  const out: string[] = [];
  const f = cfg.finetune, d = finetuneConfigSchema.parse({});
  if (f.weightDecay !== 0 && f.optimizer !== 'adamw') {
    out.push(`finetune.weightDecay is ${f.weightDecay} but finetune.optimizer is '${f.optimizer}'; weightDecay is AdamW's decoupled decay: use optimizer 'adamw', or the penalty finetune.l2 (which every optimiser takes)`);
  }
  if (f.momentum !== 0 && f.optimizer !== 'sgd') {
    out.push(`finetune.momentum is ${f.momentum} but finetune.optimizer '${f.optimizer}' has its own momentum (finetune.beta1); set finetune.momentum to 0`);
  }
  if (f.optimizer === 'sgd') {
    for (const key of ['beta1', 'beta2', 'eps'] as const) {
      if (f[key] !== d[key]) out.push(`finetune.${key} is ${f[key]} but only Adam uses it (finetune.optimizer is 'sgd'); use optimizer 'adam' or 'adamw', or leave ${key} at ${d[key]}`);
    }
  }
  if (f.lrDecay !== 0 && f.schedule !== 'inverse') {
    out.push(`finetune.lrDecay is ${f.lrDecay} but finetune.schedule is '${f.schedule}'; lrDecay is the 'inverse' schedule's lr / (1 + lrDecay t): set it to 0, or use schedule 'inverse'`);
  }
  if (f.steps.some((s, i) => i > 0 && s <= f.steps[i - 1]!)) {
    out.push(`finetune.steps is ${JSON.stringify(f.steps)} but must be increasing fractions in (0, 1) of the training, e.g. [0.5, 0.75]`);
  }
  if (f.schedule !== 'step' && (JSON.stringify(f.steps) !== JSON.stringify(d.steps) || f.stepFactor !== d.stepFactor || f.stepsFromEnd)) {
    out.push(`finetune.steps / finetune.stepFactor / finetune.stepsFromEnd are set (${JSON.stringify(f.steps)}, ${f.stepFactor}, ${f.stepsFromEnd}) but finetune.schedule is '${f.schedule}'; they belong to schedule 'step'`);
  }
  if (f.evalEvery !== null && f.patience !== null) {
    out.push(`finetune.evalEvery is ${f.evalEvery} but early stopping (finetune.patience ${f.patience}) needs the validation error of every epoch; set finetune.patience to null, or finetune.evalEvery to null`);
  }
  if (f.evalEvery !== null && f.convergeWindow !== null) {
    out.push(`finetune.evalEvery is ${f.evalEvery} but the convergence criterion (finetune.convergeWindow ${f.convergeWindow}) counts every epoch's training NLL; set finetune.convergeWindow to null, or finetune.evalEvery to null`);
  }
  return out;
}

/**
 * What is wrong with an `online` section and the keys it makes meaningless or constrains
 * (Section 8: one pass over a stream at constant learning rates; `onlineSchedule`).
 */
function onlineProblems(cfg: TrialConfig & { online: OnlineConfig }, k: number): string[] {
  const out: string[] = [];
  const o = cfg.online, d = cfg.data, B = cfg.finetune.batchSize;
  if (!STREAM_NAMES.includes(d.name)) {
    out.push(`data.name is '${d.name}' but online training needs a stream; allowed with online: ${STREAM_NAMES.map((n) => `'${n}'`).join(', ')} (or remove the online section)`);
  }
  if (d.labeled !== null && d.labeled !== undefined) out.push(`data.labeled is ${d.labeled} but the online setting trains on every stream example it sees; set data.labeled to null`);
  if (d.trainSize !== null) out.push(`data.trainSize is ${d.trainSize} but the online setting has no training set (online.examples sets how many stream examples are used); set data.trainSize to null`);
  if (d.binarize !== 'none') out.push(`data.binarize is '${d.binarize}' but online training streams the examples as generated; set data.binarize to 'none'`);
  if (cfg.finetune.lrDecay !== 0) out.push(`finetune.lrDecay is ${cfg.finetune.lrDecay} but online training uses a constant learning rate (Section 8); set finetune.lrDecay to 0`);
  if (k > 0 && cfg.pretrain.lrDecay !== 0) out.push(`pretrain.lrDecay is ${cfg.pretrain.lrDecay} but streamed pre-training uses a constant learning rate (Section 8); set pretrain.lrDecay to 0`);
  const f = cfg.finetune, fd = finetuneConfigSchema.parse({});
  const unused = (['optimizer', 'schedule', 'warmup', 'updates', 'multiplier', 'clipNorm', 'augment', 'trainTop', 'evalEvery'] as const).filter((key) => JSON.stringify(f[key]) !== JSON.stringify(fd[key]));
  if (unused.length) {
    out.push(`${unused.map((key) => `finetune.${key}`).join(', ')} ${unused.length > 1 ? 'are' : 'is'} set but online training is one pass of SGD at a constant rate (Section 8) and does not use ${unused.length > 1 ? 'them' : 'it'}; remove ${unused.length > 1 ? 'them' : 'it'} (or the online section)`);
  }
  if (cfg.finetune.convergeWindow !== null) out.push(`finetune.convergeWindow is ${cfg.finetune.convergeWindow} but online training has no epochs to converge over; set it to null`);
  const a = cfg.analysis;
  if (a.landscape.directions > 0 || a.actmax.enabled || a.weightChange || a.probe !== undefined) {
    out.push('analysis: the in-trial analyses (landscape, actmax, weightChange, probe) need a materialised training set and do not run with online; switch them off (online.trainErrorBlocks and online.saveTestOutputs are the online analyses)');
  }
  if (o.blockSize % B !== 0) out.push(`online.blockSize is ${o.blockSize} but must be a multiple of finetune.batchSize ${B}`);
  if (o.selectWindow % B !== 0) out.push(`online.selectWindow is ${o.selectWindow} but must be a multiple of finetune.batchSize ${B}`);
  if (k > 0 && o.blockSize % cfg.pretrain.batchSize !== 0) out.push(`online.blockSize is ${o.blockSize} but must be a multiple of pretrain.batchSize ${cfg.pretrain.batchSize}`);
  if (o.resample) {
    const r = o.resample;
    if (o.examples % r.blocks !== 0) out.push(`online.resample.blocks is ${r.blocks} but online.examples ${o.examples} is not a multiple of it; allowed: a divisor of online.examples`);
    if (r.block >= r.blocks) out.push(`online.resample.block is ${r.block}; allowed: -1 (none) or 0..${r.blocks - 1} (online.resample.blocks is ${r.blocks})`);
  }
  const s = onlineSchedule(cfg, k);
  if (k > 0 && s.examplesPerLayer === 0) {
    out.push(
      `online.pretrainFraction ${o.pretrainFraction} of online.examples ${o.examples} gives each of the ${k} pre-trained layers less than one minibatch (pretrain.batchSize ${cfg.pretrain.batchSize}); ` +
        `raise online.pretrainFraction or online.examples, or use pretrain.kind 'none'`,
    );
  }
  if (s.updates === 0) out.push(`online.examples ${o.examples} leaves ${o.examples - s.pretrainExamples} examples after pre-training, less than one minibatch (finetune.batchSize ${B}); raise online.examples or lower online.pretrainFraction`);
  if (o.trainErrorBlocks > s.supervisedExamples && s.updates > 0) out.push(`online.trainErrorBlocks is ${o.trainErrorBlocks} but only ${s.supervisedExamples} examples are trained on; allowed: 0..${s.supervisedExamples}`);
  return out;
}

/** Throws a ConfigError when the data cannot serve the config (empty splits, batch larger than the data, mismatched dims). */
export function validateTrialData(cfg: TrialConfig, data: DataSplits): void {
  const problems: string[] = [];
  const { train, valid, test } = data;
  if (train.n === 0) problems.push(`data: the training split ${train.name} is empty (data.trainSize?)`);
  if (test.n === 0) problems.push(`data: the test split ${test.name} is empty (data.testSize?)`);
  if (valid.n === 0 && cfg.finetune.patience !== null) {
    problems.push(`finetune.patience is ${cfg.finetune.patience} but the validation split is empty; set finetune.patience to null or data.validSize >= 1`);
  }
  for (const [name, ds] of [['valid', valid], ['test', test]] as const) {
    if (ds.dim !== train.dim) problems.push(`data: the ${name} split has ${ds.dim} features but train has ${train.dim}`);
  }
  if (train.nClasses < 2) problems.push(`data: ${train.name} has ${train.nClasses} classes; a classifier needs >= 2`);
  if (hasBatchNorm(cfg) && train.n % cfg.finetune.batchSize === 1 && train.n > 1) {
    problems.push(
      `finetune.batchSize is ${cfg.finetune.batchSize} and the ${train.n} training examples leave a last batch of 1 example, on which batch normalisation cannot train; ` +
        `choose a batch size that does not leave 1 example over (or data.trainSize), or group/layer normalisation`,
    );
  }
  // With data.labeled the labelled subset's size follows from the fraction (and the data), so a
  // study's one batch size may exceed it at 1%: then every batch is the whole labelled set (finetune
  // takes min(batchSize, n)). Without it, a batch larger than the training set is a mistake.
  const fraction = cfg.data.labeled !== null && cfg.data.labeled !== undefined && cfg.data.labeled < 1;
  if (cfg.finetune.batchSize > train.n && !fraction) {
    problems.push(`finetune.batchSize is ${cfg.finetune.batchSize} but there are only ${train.n} training examples; allowed: 1..${train.n}`);
  }
  const f = cfg.finetune;
  if (augments(f.augment)) {
    const img = train.image;
    if (!img) {
      problems.push(`finetune.augment (shift ${f.augment.shift}, flip ${f.augment.flip}) moves the pixels of images, but ${train.name} has no image shape; set finetune.augment.shift to 0 and flip to false for this data`);
    } else if (f.augment.shift >= Math.min(img.height, img.width)) {
      problems.push(`finetune.augment.shift is ${f.augment.shift} but the images are ${img.height}x${img.width}; allowed: 0..${Math.min(img.height, img.width) - 1} (a few pixels)`);
    }
  }
  if (f.warmup > 0 && cfg.online === undefined && train.n > 0) {
    const total = trainingUpdates(f, Math.ceil(train.n / Math.min(f.batchSize, train.n)));
    if (f.warmup > total) problems.push(`finetune.warmup is ${f.warmup} updates but the run has only ${total}; allowed: 0..${total}`);
  }
  const images = data.unlabeled ?? train;
  if (pretrainedLayerCount(cfg) > 0 && cfg.pretrain.kind !== 'supervised' && cfg.pretrain.batchSize > images.n) {
    problems.push(`pretrain.batchSize is ${cfg.pretrain.batchSize} but there are only ${images.n} training examples; allowed: 1..${images.n}`);
  }
  if (problems.length) throw new ConfigError(`trial config does not fit the data:\n${problems.map((s) => `  ${s}`).join('\n')}`);
}
