/**
 * One trial in the online setting (Erhan et al. 2010, Section 8, Figs. 11-13): `runTrial`
 * dispatches here when `config.online` is set, so the experiment runner, workers,
 * `pretrain-lab train` and the protocol run it unchanged.
 *
 * The sequence: positions `0 .. online.examples - 1` of the stream `data.name` (`loadStream`),
 * position p being stream index `firstTrainIndex + p` (InfiniteMNIST: from 70,000, the first
 * deformed digit), or `order[p]` with `order = blockResampledOrder(...)` over the whole sequence when
 * `online.resample` is set (Fig. 13; offset `firstTrainIndex`, so no held-out digit is ever used).
 * The schedule (`onlineSchedule`): with `pretrain.kind` sdae/dbn, layer l is pre-trained greedily on
 * positions `[l E, (l + 1) E)` (`pretrainStream`, one pass, constant rate), then the Mlp (the
 * pre-trained bottom layers, the rest drawn from the `init` stream) is trained online with labels
 * on the remaining positions (`trainOnline`, constant rate `finetune.lr`), each example scored
 * before its update. The test set is the stream's held-out digits (the first `data.testSize`).
 *
 * Result (`TrialResult`): `final.valid` = online error/NLL over the last `online.selectWindow`
 * supervised examples (what selection reads), `final.train` = over all supervised examples,
 * `final.test` = the test set after training; `history` = the pre-training blocks then one
 * `finetune` entry per supervised block (`trainOnline`'s values, `streamPosition` counting the
 * pre-training positions); `bestEpoch` = `epochsRun` = the number of supervised blocks;
 * `analysis.online` (`OnlineSummary`): budgets, speed, Fig. 12's error by block, Fig. 13's side file.
 *
 * Randomness: `new Rng(config.seed)` forks `pretrain` (everything pre-training draws), `marginals`
 * (histogram resampling), `init` (the layers not pre-trained and the output layer) and `order`
 * (a finite-pool resampled order; the unbounded stream's order draws nothing). The stream itself
 * is fixed (seed 0).
 *
 * Checkpoints (with `checkpointDir`): `stream-pretrain.safetensors` during pre-training (mid-layer,
 * every `online.checkpointEvery` updates) and `online.safetensors` during supervised training (every
 * `online.checkpointEvery` updates); with `resume` a killed trial continues bit-identically from the
 * newest. At the end `final.safetensors` (as `runTrial` writes it) is written, the
 * test-output side file when asked, and the two resume states are deleted.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../tensor/kernels.ts';
import { Rng } from '../rng/rng.ts';
import { createBackend } from '../backends/registry.ts';
import type { Dataset } from '../data/dataset.ts';
import { blockResampledOrder } from '../data/batches.ts';
import { loadStream, streamTestSet, type HeldOutStream } from '../data/load-stream.ts';
import { disposeStack, type DenseParams } from '../nn/dense-params.ts';
import { Mlp } from '../models/mlp.ts';
import { resampleFromMarginals } from '../models/marginals.ts';
import { ConfigError, hiddenSizes, resolveTrialConfig, type OnlineConfig, type TrialConfig, type TrialConfigInput } from './config.ts';
import type { EpochMetrics } from './hooks.ts';
import { readCheckpoint, StaleStateError, writeCheckpoint } from './checkpoint.ts';
import { assertResumableVariant, variantMetadata } from './checkpoint-variant.ts';
import { saveModel } from './model-checkpoint.ts';
import { evaluate, predict } from './evaluate.ts';
import { trainOnline, type OnlineResult } from './online.ts';
import { ONLINE_FILE } from './online-checkpoint.ts';
import { onlineSchedule, type OnlineSchedule } from './online-schedule.ts';
import { streamErrorByBlock } from './stream-error.ts';
import { pretrainStream } from './stream-pretrain.ts';
import { pretrainedLayerCount, validateTrialConfig } from './validate.ts';
import { assertTrialFits, knownDataShape } from './memory-estimate.ts';
import type { OnlineSummary, TrialResult } from './trial-result.ts';
import { FINAL_FILE, type RunTrialOptions } from './trial-options.ts';

/** The streamed pre-training's resume state in the checkpoint directory. */
export const STREAM_PRETRAIN_FILE = 'stream-pretrain.safetensors';
/** Fig. 13's side file: tensor `outputs` `[testN, nClasses]`, the final softmax outputs on the test set. */
export const TEST_OUTPUTS_FILE = 'test-outputs.safetensors';

/** A resolved config whose `online` section is set. */
type OnlineTrialConfig = TrialConfig & { online: OnlineConfig };

/** Everything the steps of one online trial share, fixed before any training. */
interface OnlinePlan {
  cfg: OnlineTrialConfig;
  backend: Backend;
  stream: HeldOutStream;
  test: Dataset;
  sizes: number[];
  schedule: OnlineSchedule;
  /** Stream index by position when `online.resample` is set, else undefined (position p is `stream.firstTrainIndex + p`). */
  order: Int32Array | undefined;
  root: Rng;
  dir: string | undefined;
  /** `JSON.stringify(cfg)`: the `config` metadata of every checkpoint. */
  configJson: string;
}

/** What pre-training (or the online resume state) hands to supervised training. */
interface PretrainedPhase {
  history: EpochMetrics[];
  seconds: number;
  /** The pre-trained bottom layers (`[]` when none or when resuming supervised training); disposed by the caller. */
  stack: DenseParams[];
}

/**
 * Runs one online trial (see the module comment); same options and result as `runTrial`
 * (`data` and the analysis hooks are not used: the data is the stream, and the in-trial analyses are refused).
 * @throws ConfigError before any training on a bad config (`validateTrialConfig` checks the online section)
 */
export async function runOnlineTrial(config: TrialConfigInput, opts: RunTrialOptions = {}): Promise<TrialResult> {
  const t0 = performance.now();
  const t = await plan(config, opts);
  const pre = await pretrainPhase(t, opts);
  const model = Mlp.create(
    t.backend,
    { nIn: t.stream.dim, hidden: t.sizes, nClasses: t.stream.nClasses, activation: t.cfg.model.activation, init: t.cfg.model.init },
    t.root.fork('init'),
    pre.stack,
  );
  disposeStack(pre.stack);
  try {
    const run = await supervisedPhase(t, model, pre, opts);
    const test = evaluate(model, t.test);
    const final = { train: run.total, valid: run.select, test };
    const online = summary(t, model, pre, run);
    const checkpoint = finish(t, model, final, run);
    return {
      final,
      bestEpoch: run.blocks.length,
      epochsRun: run.blocks.length,
      history: [...pre.history, ...run.blocks],
      seconds: { pretrain: pre.seconds, finetune: run.seconds, total: (performance.now() - t0) / 1000 },
      checkpoint,
      backend: `${t.backend.name} (${t.backend.description})`,
      stoppedEarly: false,
      config: t.cfg,
      variant: t.backend.variant,
      analysis: { online },
    };
  } finally {
    model.dispose();
  }
}

/** Resolves and checks the config, creates the backend, opens the stream, the test set and the order. */
async function plan(config: TrialConfigInput, opts: RunTrialOptions): Promise<OnlinePlan> {
  const resolved = resolveTrialConfig(config);
  validateTrialConfig(resolved);
  if (!resolved.online) throw new ConfigError('runOnlineTrial: the config has no online section; use runTrial');
  const cfg: OnlineTrialConfig = { ...resolved, online: resolved.online };
  const sizes = hiddenSizes(cfg.model);
  const schedule = onlineSchedule(cfg, Math.min(pretrainedLayerCount(cfg), sizes.length));
  const shape = knownDataShape(cfg.data);
  if (shape) assertTrialFits(cfg, shape); // before anything is loaded; the estimate knows the trial streams
  const stream = await loadStream(cfg.data.name);
  const test = streamTestSet(stream, cfg.data.testSize);
  const backend = opts.backend ?? (await createBackend(cfg.backend));
  const root = new Rng(cfg.seed);
  const r = cfg.online.resample;
  const order = r
    ? blockResampledOrder({ length: cfg.online.examples, blocks: r.blocks, varyBlock: r.block, draw: r.draw, offset: stream.firstTrainIndex, rng: root.fork('order') })
    : undefined;
  return { cfg, backend, stream, test, sizes, schedule, order, root, dir: opts.checkpointDir, configJson: JSON.stringify(cfg) };
}

/**
 * The pre-training phase: nothing without pre-training; when resuming supervised training, only
 * the pre-training history and time stored in its resume state; else greedy pre-training from the stream.
 */
async function pretrainPhase(t: OnlinePlan, opts: RunTrialOptions): Promise<PretrainedPhase> {
  const onlinePath = t.dir ? join(t.dir, ONLINE_FILE) : undefined;
  if (opts.resume && onlinePath && existsSync(onlinePath)) {
    const md = readCheckpoint(onlinePath).metadata;
    if (md['config'] !== t.configJson) throw new StaleStateError(`cannot resume from ${onlinePath}: it was written by a different trial config; delete it or run without resume`);
    assertResumableVariant(md, t.backend.variant, onlinePath);
    return { history: JSON.parse(md['pretrainHistory'] ?? '[]') as EpochMetrics[], seconds: Number(md['pretrainSeconds'] ?? 0), stack: [] };
  }
  if (t.schedule.k === 0) return { history: [], seconds: 0, stack: [] };
  return pretrainFromStream(t, opts);
}

/**
 * Greedy pre-training of the bottom `k` layers on positions `[0, k E)` (`pretrainStream`,
 * checkpointing to `stream-pretrain.safetensors` and continuing from it with `resume`), then the
 * resampling from the marginals when `pretrain.use` is `histogram` (Table 1's control).
 */
async function pretrainFromStream(t: OnlinePlan, opts: RunTrialOptions): Promise<PretrainedPhase> {
  const { cfg, schedule: s } = t;
  const res = await pretrainStream({
    backend: t.backend,
    stream: t.stream,
    sizes: t.sizes.slice(0, s.k),
    cfg: cfg.pretrain,
    activation: cfg.model.activation,
    rng: t.root.fork('pretrain'),
    examplesPerLayer: s.examplesPerLayer,
    start: t.stream.firstTrainIndex,
    ...(t.order ? { order: t.order } : {}),
    blockSize: cfg.online.blockSize,
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
    ...(t.dir
      ? { checkpointPath: join(t.dir, STREAM_PRETRAIN_FILE), checkpointEvery: cfg.online.checkpointEvery, resume: opts.resume ?? false, metadata: { config: t.configJson, ...variantMetadata(t.backend.variant) } }
      : {}),
  });
  let stack = res.layers;
  if (cfg.pretrain.use === 'histogram') {
    const resampled = resampleFromMarginals(t.backend, stack, t.root.fork('marginals'));
    disposeStack(stack);
    stack = resampled;
  }
  return { history: res.history, seconds: res.seconds, stack };
}

/** Trains `model` online on the positions after pre-training, checkpointing to `online.safetensors`. */
function supervisedPhase(t: OnlinePlan, model: Mlp, pre: PretrainedPhase, opts: RunTrialOptions): Promise<OnlineResult> {
  const { cfg } = t, o = cfg.online, f = cfg.finetune;
  return trainOnline({
    model,
    stream: t.stream,
    ...(t.order ? { order: t.order } : { start: t.stream.firstTrainIndex }),
    first: t.schedule.pretrainExamples,
    updates: t.schedule.updates,
    batchSize: f.batchSize,
    lr: f.lr,
    momentum: f.momentum,
    l1: f.l1,
    l2: f.l2,
    blockSize: o.blockSize,
    window: o.window,
    selectWindow: o.selectWindow,
    test: t.test,
    testEvery: o.testEvery,
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
    ...(t.dir ? { checkpointPath: join(t.dir, ONLINE_FILE), checkpointEvery: o.checkpointEvery, resume: opts.resume ?? false } : {}),
    metadata: { config: t.configJson, pretrainHistory: JSON.stringify(pre.history), pretrainSeconds: String(pre.seconds) },
  });
}

/** `analysis.online`: budgets, speed, and the Fig. 12 / Fig. 13 measures when asked. */
function summary(t: OnlinePlan, model: Mlp, pre: PretrainedPhase, run: OnlineResult): OnlineSummary {
  const { schedule: s, cfg } = t;
  const out: OnlineSummary = {
    examples: cfg.online.examples,
    pretrainExamples: s.pretrainExamples,
    supervisedExamples: s.supervisedExamples,
    examplesPerSecond: { pretrain: s.pretrainExamples > 0 ? s.pretrainExamples / pre.seconds : 0, finetune: s.supervisedExamples / run.seconds },
  };
  if (cfg.online.trainErrorBlocks > 0) {
    const lo = s.pretrainExamples, hi = lo + s.supervisedExamples;
    const indices = t.order ? t.order.subarray(lo, hi) : Int32Array.from({ length: hi - lo }, (_, p) => t.stream.firstTrainIndex + lo + p);
    out.trainErrorByBlock = [...streamErrorByBlock({ model, stream: t.stream, indices, blocks: cfg.online.trainErrorBlocks })];
  }
  if (cfg.online.saveTestOutputs && t.dir) {
    const outputs = predict(model, t.test); // [testN, nClasses]
    writeCheckpoint(join(t.dir, TEST_OUTPUTS_FILE), { outputs: { shape: [t.test.n, model.spec.nClasses], data: outputs } }, { kind: 'test-outputs', config: t.configJson, test: t.test.name });
    out.testOutputs = TEST_OUTPUTS_FILE;
  }
  return out;
}

/**
 * With a checkpoint directory: writes `final.safetensors` (the network, config, variant, final
 * metrics) and deletes the resume states. Returns its path, or null without a directory.
 */
function finish(t: OnlinePlan, model: Mlp, final: TrialResult['final'], run: OnlineResult): string | null {
  if (!t.dir) return null;
  const path = join(t.dir, FINAL_FILE);
  saveModel(path, model, {
    config: t.configJson,
    ...variantMetadata(t.backend.variant),
    metrics: JSON.stringify({ final, bestEpoch: run.blocks.length, epochsRun: run.blocks.length }),
  });
  rmSync(join(t.dir, ONLINE_FILE), { force: true });
  rmSync(join(t.dir, STREAM_PRETRAIN_FILE), { force: true });
  return path;
}
