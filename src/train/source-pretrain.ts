/**
 * Supervised pre-training on a source task, the transfer form of pre-training (`pretrain.kind
 * 'supervised'`): the same network (its own softmax output, sized for the source's classes) is
 * trained on `pretrain.source` by the fine-tuning loop, and its bottom layers (every layer below
 * the (k+1)-th dense or conv layer, normalisation statistics included) are copied into the target
 * network, whose output layer and any layers above stay random. Fine-tuning of every layer then
 * follows on the target task as for any pre-trained network.
 *
 * The source run: `pretrain.epochs` epochs (no `updates`, no `multiplier`) at `pretrain.lr`,
 * `pretrain.batchSize`, `pretrain.momentum`, `pretrain.l1`/`l2` and `pretrain.lrDecay`, with the
 * optimizer (and its betas, eps, weight decay), schedule, warm-up, clipping and augmentation of the
 * `finetune` section, no early stopping (the source's validation split is
 * not used to choose anything), every layer trained (`finetune.trainTop` is the target's),
 * evaluated after every epoch. Random streams: `source-init` and `source-order` of the trial seed. With a checkpoint directory,
 * `source-resume.safetensors` holds the source run's resume state after every epoch and
 * `source.safetensors` the finished source network, so a killed trial neither loses nor repeats
 * source training. With the study's cache (`cache`), the finished source network is shared by the
 * trials of one seed (every transfer mode, number of copied layers and labelled fraction; see
 * `sourceCacheKey`): loaded, it gives the bits training would have given.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../tensor/kernels.ts';
import type { Rng } from '../rng/rng.ts';
import { loadData } from '../data/load.ts';
import { Mlp } from '../models/mlp.ts';
import { ConfigError, type FinetuneConfig, type TrialConfig } from './config.ts';
import type { EpochMetrics, TrainingHooks } from './hooks.ts';
import { finetune } from './finetune.ts';
import { loadModel, saveModel } from './model-checkpoint.ts';
import { mlpSpec } from './model-spec.ts';
import { cachedSourcePath, sourceCacheKey } from './pretrain-cache.ts';

/** The finished source network (`saveModel` format) and the source run's resume state, in the trial's checkpoint directory. */
export const SOURCE_FILE = 'source.safetensors';
export const SOURCE_RESUME_FILE = 'source-resume.safetensors';

export interface SourcePretrainOptions {
  cfg: TrialConfig;
  backend: Backend;
  /** The trial's root stream, `new Rng(cfg.seed)`. */
  root: Rng;
  /** The network to initialise (already built, output layer random). */
  target: Mlp;
  /** Trainable (dense/conv) layers to transfer, from the bottom. */
  k: number;
  checkpointDir?: string | undefined;
  resume?: boolean | undefined;
  hooks?: TrainingHooks | undefined;
  /** The study's cache (`RunTrialOptions.pretrainCache`): the source network is loaded from it, or stored in it. */
  cache?: string | undefined;
}

/** The `finetune` section that trains the source network (module comment). */
export function sourceFinetuneConfig(cfg: TrialConfig): FinetuneConfig {
  const p = cfg.pretrain;
  return {
    ...cfg.finetune,
    epochs: p.epochs,
    updates: null,
    multiplier: 1,
    lr: p.lr,
    batchSize: p.batchSize,
    momentum: p.momentum,
    lrDecay: p.lrDecay,
    l1: p.l1,
    l2: p.l2,
    patience: null,
    convergeWindow: null,
    trainTop: null, // the source network trains every layer; trainTop is the target's transfer mode
    evalEvery: null,
  };
}

/**
 * Trains the source network (or loads it when a finished one is in the checkpoint directory) and
 * copies its bottom layers into `target`. Returns the source run's epochs as pre-training history
 * (`phase: 'pretrain'`, values `trainObjective`, `validError`, `testError` on the source task).
 * @throws ConfigError when the source's inputs differ in size from the target's
 */
export async function pretrainOnSource(o: SourcePretrainOptions): Promise<{ history: EpochMetrics[]; seconds: number; reused: number }> {
  const t0 = performance.now();
  const { cfg, backend, target } = o;
  const sourceCfg = cfg.pretrain.source;
  if (!sourceCfg) throw new ConfigError("pretrain.kind is 'supervised' but pretrain.source is not set; give the source task's data section, e.g. { name: 'infinite-mnist', labels: [0, 1, 2, 3, 4] }");
  const data = await loadData(sourceCfg, cfg.seed);
  if (data.train.dim !== target.spec.nIn) {
    throw new ConfigError(`pretrain.source '${sourceCfg.name}' has ${data.train.dim} features per example but the target data has ${target.spec.nIn}; the source must have inputs of the same size`);
  }
  const spec = mlpSpec(cfg.model, data.train);
  let source = Mlp.create(backend, spec, o.root.fork('source-init'));
  const dir = o.checkpointDir;
  const done = dir ? join(dir, SOURCE_FILE) : undefined;
  const resumePath = dir ? join(dir, SOURCE_RESUME_FILE) : undefined;
  const cache = o.cache ? cachedSourcePath(o.cache, sourceCacheKey(cfg, backend.variant, spec, sourceFinetuneConfig(cfg), data)) : null;
  let reused = 0;
  try {
    let history: EpochMetrics[] | null = null;
    if (o.resume && done && existsSync(done)) {
      const md = loadModel(done, source);
      history = JSON.parse(md['history'] ?? '[]') as EpochMetrics[];
    } else if (cache && existsSync(cache.path)) {
      try {
        const md = loadModel(cache.path, source);
        if (md['kind'] !== 'source-network' || md['key'] !== cache.key) throw new Error('another key');
        history = JSON.parse(md['history'] ?? '[]') as EpochMetrics[];
        reused = o.k;
      } catch {
        // Unreadable, or of another key: train it. A failed load may have overwritten some
        // parameters, so the network is built again from its stream (the same initial values).
        source.dispose();
        source = Mlp.create(backend, spec, o.root.fork('source-init'));
        history = null;
      }
    }
    if (history === null) {
      const progress = o.hooks?.onProgress;
      const ft = await finetune({
        model: source,
        data,
        config: sourceFinetuneConfig(cfg),
        rng: o.root.fork('source-order'),
        evaluateTrain: false,
        ...(resumePath ? { checkpointPath: resumePath, metadata: { config: JSON.stringify(cfg) } } : {}),
        ...(o.resume && resumePath && existsSync(resumePath) ? { resumeFrom: resumePath } : {}),
        ...(progress ? { hooks: { onProgress: (p) => progress({ ...p, phase: 'pretrain' }) } } : {}),
      });
      history = ft.history.map((h) => ({ ...h, phase: 'pretrain' as const }));
      if (done) saveModel(done, source, { config: JSON.stringify(cfg), history: JSON.stringify(history) });
      if (cache) saveModel(cache.path, source, { kind: 'source-network', key: cache.key, history: JSON.stringify(history) });
      if (resumePath) rmSync(resumePath, { force: true });
    }
    for (const h of history) await o.hooks?.onEpoch?.(h);
    copyBottomLayers(source, target, o.k);
    const seconds = reused ? history.reduce((s, h) => s + h.seconds, 0) : (performance.now() - t0) / 1000;
    return { history, seconds, reused };
  } finally {
    source.dispose();
  }
}

/**
 * Copies every body layer below the (k+1)-th dense or conv layer of `from` into `to` (params and
 * buffers); both were built from the same layer specs. The output layers are not touched.
 */
export function copyBottomLayers(from: Mlp, to: Mlp, k: number): void {
  let trainable = 0;
  for (let i = 0; i < from.body.length; i++) {
    const a = from.body[i]!, b = to.body[i]!;
    if (a.params().length > 0 && isTrainable(a)) {
      if (trainable === k) break;
      trainable++;
    }
    a.params().forEach((p, j) => to.backend.copy(p.value, b.params()[j]!.value));
    (a.buffers?.() ?? []).forEach((p, j) => to.backend.copy(p.value, b.buffers!()[j]!.value));
  }
}

/** Dense and conv layers (weights named W) are the ones greedy and transfer pre-training count. */
function isTrainable(layer: Mlp['body'][number]): boolean {
  return layer.params().some((p) => p.name === 'W');
}
