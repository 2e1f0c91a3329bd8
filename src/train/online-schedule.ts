/**
 * How an online trial spends its stream (Erhan et al. 2010, Section 8.1: 2.5 million unsupervised
 * updates split over the layers, then 7.5 million supervised ones): positions `[0, examples)` of
 * the sequence, layer l of pre-training on positions `[l E, (l + 1) E)` with
 * `E = floor(pretrainFraction examples / k / pretrain.batchSize) pretrain.batchSize`, then
 * supervised training on the rest in whole minibatches of `finetune.batchSize` (a remainder shorter
 * than one minibatch is not used).
 */
import type { OnlineConfig, TrialConfig } from './config.ts';

/** The positions of each phase of an online trial. */
export interface OnlineSchedule {
  /** Pre-trained layers (0 without pre-training). */
  k: number;
  /** Examples each pre-trained layer consumes (a multiple of `pretrain.batchSize`; 0 when k = 0). */
  examplesPerLayer: number;
  /** `k * examplesPerLayer`: the first supervised position. */
  pretrainExamples: number;
  /** Supervised updates and examples (`updates * finetune.batchSize`). */
  updates: number;
  supervisedExamples: number;
}

/**
 * The schedule of `cfg` (whose `online` section is set) with `k` pre-trained layers
 * (`pretrainedLayerCount(cfg)`, at most the depth).
 */
export function onlineSchedule(cfg: TrialConfig & { online: OnlineConfig }, k: number): OnlineSchedule {
  const o = cfg.online;
  const pb = cfg.pretrain.batchSize;
  const examplesPerLayer = k === 0 ? 0 : Math.floor((o.pretrainFraction * o.examples) / k / pb) * pb;
  const pretrainExamples = k * examplesPerLayer;
  const updates = Math.floor((o.examples - pretrainExamples) / cfg.finetune.batchSize);
  return { k, examplesPerLayer, pretrainExamples, updates, supervisedExamples: updates * cfg.finetune.batchSize };
}
