/**
 * Cross-checks of a resolved trial config (and its data) that the zod schema cannot express,
 * run before any training. Each error names the key, the value and what is allowed.
 */
import type { DataSplits } from '../data/dataset.ts';
import { ConfigError, hiddenSizes, type TrialConfig } from './config.ts';

/** Number of hidden layers pre-trained: 0 without pre-training, else `pretrain.layers ?? depth`. */
export function pretrainedLayerCount(cfg: TrialConfig): number {
  if (cfg.pretrain.kind === 'none') return 0;
  return cfg.pretrain.layers ?? cfg.model.depth;
}

/** Throws a ConfigError listing every inconsistency of `cfg` (independent of the data). */
export function validateTrialConfig(cfg: TrialConfig): void {
  const problems: string[] = [];
  try {
    hiddenSizes(cfg.model);
  } catch (e) {
    problems.push((e as Error).message);
  }
  const depth = cfg.model.depth, p = cfg.pretrain;
  if (p.layers !== null && p.layers > depth) {
    problems.push(`pretrain.layers is ${p.layers} but model.depth is ${depth}; allowed: 0..${depth} or null (all layers)`);
  }
  const k = Math.min(pretrainedLayerCount(cfg), depth);
  if (p.use === 'histogram' && k === 0) {
    problems.push(`pretrain.use is 'histogram' but no layer is pre-trained (pretrain.kind '${p.kind}', layers ${p.layers}); use kind 'sdae' or 'dbn' with layers >= 1`);
  }
  if (Array.isArray(p.corruption) && p.kind === 'sdae' && p.corruption.length < k) {
    problems.push(`pretrain.corruption lists ${p.corruption.length} values but ${k} layers are pre-trained; give one value or one per pre-trained layer`);
  }
  if (k > 0 && cfg.model.activation !== 'sigmoid') {
    problems.push(
      `model.activation is '${cfg.model.activation}' but pretrain.kind '${p.kind}' learns sigmoid units; ` +
        `use model.activation 'sigmoid' with pre-training, or pretrain.kind 'none'`,
    );
  }
  const land = cfg.analysis.landscape;
  if (land.directions > 0 && land.fitHalfWidth < land.step) {
    problems.push(`analysis.landscape.fitHalfWidth is ${land.fitHalfWidth} but the curvature fit needs the 3 grid points -step, 0, step (step ${land.step}); allowed: >= ${land.step}`);
  }
  if (land.directions > 0 && land.alphaMax < land.step) {
    problems.push(`analysis.landscape.alphaMax is ${land.alphaMax} but the grid needs at least one step (${land.step}) each side of 0; allowed: >= ${land.step}`);
  }
  if (problems.length) throw new ConfigError(`invalid trial config:\n${problems.map((s) => `  ${s}`).join('\n')}`);
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
  if (cfg.finetune.batchSize > train.n) {
    problems.push(`finetune.batchSize is ${cfg.finetune.batchSize} but there are only ${train.n} training examples; allowed: 1..${train.n}`);
  }
  if (pretrainedLayerCount(cfg) > 0 && cfg.pretrain.batchSize > train.n) {
    problems.push(`pretrain.batchSize is ${cfg.pretrain.batchSize} but there are only ${train.n} training examples; allowed: 1..${train.n}`);
  }
  if (problems.length) throw new ConfigError(`trial config does not fit the data:\n${problems.map((s) => `  ${s}`).join('\n')}`);
}
