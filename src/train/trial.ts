/**
 * One trial, end to end: resolve and validate the config, create the backend, load the data,
 * pre-train the bottom k layers greedily (`pretrain.kind` sdae/dbn; Erhan et al. 2010 Section
 * 5.1), optionally resample them from their marginals (Table 1), build the Mlp (other layers
 * random; a network written as `model.layers` is built first and its bottom k dense and conv
 * layers pre-trained in place, `pretrainNetwork`, or on a source task with pretrain.kind
 * 'supervised'), fine-tune with early stopping (Section 5.3), and report. The experiment runner
 * calls only this.
 *
 * Randomness: every stream forks from `new Rng(config.seed)`: `init` (random layers and the
 * output layer), `order` (example order), `pretrain` (everything pre-training draws),
 * `marginals` (histogram resampling), `data` (inside `loadData`). Same seed and config,
 * same numbers, on a given backend.
 *
 * Checkpoints (with `checkpointDir`): `pretrain.safetensors` holds the pre-trained layers so far,
 * rewritten after every finished layer (`src/train/pretrain-checkpoint.ts`); `resume.safetensors`
 * holds the full fine-tuning state after every epoch; both are deleted when the trial completes.
 * With `resume`, a trial continues from the resume state when there is one (pre-training is not
 * redone), else from the finished pre-trained layers. With `pretrainCache` (the runner's), the
 * greedy stack is loaded from, or stored in, the study's shared cache (`./pretrain-cache.ts`).
 * `final.safetensors` holds the kept network
 * (tensors `hidden.<l>.W`, `hidden.<l>.b`, `output.W`, `output.b`) with metadata `config`
 * (resolved TrialConfig JSON), `metrics` (final scores JSON), `spec` and `format`.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../tensor/kernels.ts';
import { Rng } from '../rng/rng.ts';
import { createBackend } from '../backends/registry.ts';
import type { DataSplits } from '../data/dataset.ts';
import { loadData, withLabeledFraction } from '../data/load.ts';
import { disposeStack, type DenseParams } from '../nn/dense-params.ts';
import { Mlp } from '../models/mlp.ts';
import { resampleFromMarginals } from '../models/marginals.ts';
import { ConfigError, resolveTrialConfig, type TrialConfig, type TrialConfigInput } from './config.ts';
import type { EpochMetrics, TrainingHooks } from './hooks.ts';
import { pretrainStack } from './pretrain.ts';
import { pretrainNetwork, trainableLayers } from './pretrain-network.ts';
import { mlpSpec, trainableLayerCount } from './model-spec.ts';
import { pretrainOnSource, SOURCE_FILE, SOURCE_RESUME_FILE } from './source-pretrain.ts';
import { finetune, type FinetuneResult } from './finetune.ts';
import { readCheckpoint, StaleStateError } from './checkpoint.ts';
import { saveModel } from './model-checkpoint.ts';
import { loadPretrainedStack, NETWORK_PRETRAIN_FILE, PRETRAIN_FILE, pretrainKey, savePretrainedStack, type SavedStack } from './pretrain-checkpoint.ts';
import { networkCacheKey, readCachedNetworkStack, readCachedStack, readNetworkStackFile, stackCacheKey, writeCachedNetworkStack, writeCachedStack, writeNetworkStackFile } from './pretrain-cache.ts';
import { assertResumableVariant, variantMetadata } from './checkpoint-variant.ts';
import { pretrainedLayerCount, validateTrialConfig, validateTrialData } from './validate.ts';
import type { TrialResult } from './trial-result.ts';
import { assertTrialFits, knownDataShape } from './memory-estimate.ts';
import { runOnlineTrial } from './online-trial.ts';
import { FINAL_FILE, RESUME_FILE, type RunTrialOptions, type TrialAnalyses } from './trial-options.ts';

export { FINAL_FILE, RESUME_FILE, type RunTrialOptions, type TrainedNetwork, type TrialAnalyses, type TrialAnalysesContext, type TrialAnalysesFactory } from './trial-options.ts';

/**
 * Runs one trial; see the module comment. With `config.online` set, runs the online trial instead
 * (`runOnlineTrial`, Section 8). Throws ConfigError before any training on bad settings.
 */
export async function runTrial(config: TrialConfigInput, opts: RunTrialOptions = {}): Promise<TrialResult> {
  const t0 = performance.now();
  const resolved = resolveTrialConfig(config);
  if (resolved.online) return runOnlineTrial(resolved, opts);
  const { cfg, backend } = await setUp(resolved, opts);
  const data = await loadTrialData(cfg, opts);
  const t = plan(cfg, backend, data, opts);
  let pre = await pretrainOrResume(t, opts);
  const model = buildModel(t, pre.stack);
  try {
    if (needsInPlacePretraining(t)) pre = await pretrainInPlace(t, model, opts);
    const analyses = startAnalyses(t, opts);
    const ft = await fineTune(t, model, pre, { ...opts, hooks: analyses ? analyses.hooks : opts.hooks });
    const during = analyses?.finish();
    const after = opts.analyse ? await opts.analyse({ model, data: t.data, cfg: t.cfg, root: t.root, checkpointDir: t.dir, final: ft.final }) : undefined;
    const analysis = during || after ? { ...during, ...after } : undefined;
    const checkpoint = saveFinal(t, model, ft);
    return { ...trialResult(t, pre, ft, checkpoint, t0), ...(analysis ? { analysis } : {}) };
  } finally {
    model.dispose();
  }
}

/** Everything the steps of one trial share, fixed before any training. */
interface TrialPlan {
  cfg: TrialConfig;
  backend: Backend;
  data: DataSplits;
  /** Dense hidden layer sizes, bottom first (`mlpSpec(cfg.model, data).hidden`). */
  sizes: number[];
  /** Number of bottom layers pre-trained (0..sizes.length). */
  k: number;
  /** `new Rng(cfg.seed)`: every stream forks from it. */
  root: Rng;
  /** The checkpoint directory, when given. */
  dir: string | undefined;
  /** `dir/resume.safetensors`, when there is a directory. */
  resumePath: string | undefined;
  /** True when continuing from an existing resume state (pre-training is not redone). */
  resuming: boolean;
  /** `JSON.stringify(cfg)`: the `config` metadata of every checkpoint. */
  configJson: string;
}

/** What pre-training (or the resume state) hands to fine-tuning. */
interface Pretrained {
  /** The pre-training epochs' metrics, oldest first. */
  history: EpochMetrics[];
  /** Wall-clock seconds of pre-training, including runs before a resume. */
  seconds: number;
  /** The pre-trained bottom layers (`[]` when none or when resuming fine-tuning); disposed by `buildModel`. */
  stack: DenseParams[];
  /** How many of the bottom layers were loaded from the study's cache (`pretrainCache`) instead of trained. */
  reused?: number;
}

/**
 * Step 1: resolves the config (defaults, schema), checks what the schema cannot
 * (`validateTrialConfig`) and, for a built-in data set, that the trial fits in the memory limit
 * (`assertTrialFits`), then creates the backend (unless given).
 * @throws ConfigError on a bad config or one that needs too much memory, before anything else happens
 */
async function setUp(config: TrialConfigInput, opts: RunTrialOptions): Promise<{ cfg: TrialConfig; backend: Backend }> {
  const cfg = resolveTrialConfig(config);
  validateTrialConfig(cfg);
  const shape = opts.data ? null : knownDataShape(cfg.data);
  if (shape) assertTrialFits(cfg, shape);
  const backend = opts.backend ?? (await createBackend(cfg.backend));
  return { cfg, backend };
}

/**
 * Step 2: loads the data (unless given) and checks that it can serve the config
 * (`validateTrialData`) and that the model fits in the memory limit with this data's shape.
 * @throws ConfigError when the data does not fit the config
 */
export async function loadTrialData(cfg: TrialConfig, opts: Pick<RunTrialOptions, 'data'>): Promise<DataSplits> {
  const data = opts.data ? withLabeledFraction(opts.data, cfg.data, cfg.seed) : await loadData(cfg.data, cfg.seed);
  validateTrialData(cfg, data);
  const { train, valid, test } = data;
  assertTrialFits(cfg, { nTrain: train.n, nValid: valid.n, nTest: test.n, nTrainFull: train.n, dim: train.dim, nClasses: train.nClasses, image: train.image });
  return data;
}

/** Step 3: fixes the layer sizes, the random root, the checkpoint paths and whether this run resumes. */
function plan(cfg: TrialConfig, backend: Backend, data: DataSplits, opts: RunTrialOptions): TrialPlan {
  const sizes = mlpSpec(cfg.model, data.train).hidden;
  const dir = opts.checkpointDir;
  const resumePath = dir ? join(dir, RESUME_FILE) : undefined;
  return {
    cfg,
    backend,
    data,
    sizes,
    k: Math.min(pretrainedLayerCount(cfg), trainableLayerCount(cfg.model)),
    root: new Rng(cfg.seed),
    dir,
    resumePath,
    resuming: Boolean(opts.resume && resumePath && existsSync(resumePath)),
    configJson: JSON.stringify(cfg),
  };
}

/**
 * Step 4: the pre-trained bottom layers. When resuming fine-tuning, only the pre-training
 * history and time are read back from the resume state; with no layer to pre-train, nothing.
 */
async function pretrainOrResume(t: TrialPlan, opts: RunTrialOptions): Promise<Pretrained> {
  if (t.resuming) return pretrainingOfResumeState(t);
  if (t.k === 0 || needsInPlacePretraining(t)) return { history: [], seconds: 0, stack: [] };
  return pretrainBottomLayers(t, opts);
}

/**
 * True when pre-training works on the built network rather than producing a dense stack for it:
 * supervised pre-training on a source task, and greedy pre-training of a network written as
 * `model.layers` (not when resuming fine-tuning: the resume state holds the trained network).
 */
function needsInPlacePretraining(t: TrialPlan): boolean {
  return !t.resuming && t.k > 0 && (t.cfg.pretrain.kind === 'supervised' || t.cfg.model.layers !== null);
}

/**
 * Step 5b: pre-trains the built network's bottom `k` layers in place (see `needsInPlacePretraining`):
 * on the source task (`pretrain.kind` 'supervised'), or greedily with dense and convolutional DAEs
 * (`pretrainNetwork`, stream `pretrain`): the layers finished so far are kept in
 * `network-pretrain.safetensors` (a killed trial resumes after its last finished layer) and, with
 * `pretrainCache`, loaded from or stored in the study's cache (`networkCacheKey`).
 */
async function pretrainInPlace(t: TrialPlan, model: Mlp, opts: RunTrialOptions): Promise<Pretrained> {
  if (t.cfg.pretrain.kind === 'supervised') {
    const r = await pretrainOnSource({ cfg: t.cfg, backend: t.backend, root: t.root, target: model, k: t.k, checkpointDir: t.dir, resume: opts.resume, hooks: opts.hooks, cache: opts.pretrainCache });
    return { ...r, stack: [] };
  }
  const tp = performance.now();
  const history: EpochMetrics[] = [];
  const hooks: TrainingHooks = {
    onEpoch: (m, ctx) => {
      history.push(m);
      return opts.hooks?.onEpoch?.(m, ctx);
    },
    ...(opts.hooks?.onProgress ? { onProgress: opts.hooks.onProgress } : {}),
  };
  const inputs = t.data.unlabeled ?? t.data.train;
  const trainable = trainableLayers(model).slice(0, t.k);
  const shapes = trainable.map((x) => [x.layer.W.rows, x.layer.W.cols] as const);
  const key = networkCacheKey(t.cfg, t.backend.variant, inputs);
  const stackPath = t.dir ? join(t.dir, NETWORK_PRETRAIN_FILE) : undefined;
  const cacheDir = opts.pretrainCache;
  const { saved, reused } = longerStack(
    opts.resume && stackPath ? readNetworkStackFile(t.backend, stackPath, key, shapes) : null,
    t.k,
    cacheDir ? () => readCachedNetworkStack(t.backend, cacheDir, key, shapes) : null,
  );
  const done = saved?.layers.length ?? 0;
  if (saved) {
    saved.layers.forEach((p, j) => {
      t.backend.copy(p.W, trainable[j]!.layer.W);
      t.backend.copy(p.b, trainable[j]!.layer.b);
    });
    disposeStack(saved.layers);
    history.push(...saved.history);
  }
  const secondsBefore = saved?.seconds ?? 0;
  const since = () => secondsBefore + (performance.now() - tp) / 1000;
  await pretrainNetwork(model, inputs, t.cfg.pretrain, t.root.fork('pretrain'), t.k, hooks, {
    done,
    ...(stackPath ? { onLayer: (layers: readonly DenseParams[]) => writeNetworkStackFile(stackPath, key, layers, history, since()) } : {}),
  });
  const seconds = done === t.k ? secondsBefore : since();
  if (opts.pretrainCache && reused < t.k) writeCachedNetworkStack(opts.pretrainCache, key, trainable.map((x) => ({ W: x.layer.W, b: x.layer.b })), history, seconds);
  return { history, seconds, stack: [], reused };
}

/**
 * The pre-training history and seconds stored in the resume state.
 * @throws StaleStateError when the resume state was written by another trial config
 */
function pretrainingOfResumeState(t: TrialPlan): Pretrained {
  const md = readCheckpoint(t.resumePath!).metadata;
  if (md['config'] !== t.configJson) {
    throw new StaleStateError(`cannot resume from ${t.resumePath}: it was written by a different trial config (or by another pretrain-lab version, whose configs have other keys); delete it to start this trial again, or pass resume: false`);
  }
  assertResumableVariant(md, t.backend.variant, t.resumePath!);
  return {
    history: JSON.parse(md['pretrainHistory'] ?? '[]') as EpochMetrics[],
    seconds: Number(md['pretrainSeconds'] ?? 0),
    reused: Number(md['pretrainCache'] ?? 0),
    stack: [],
  };
}

/**
 * Pre-trains the bottom `k` layers greedily (continuing from `pretrain.safetensors` with
 * `resume`, which is rewritten after every finished layer, or from the study's cache with
 * `pretrainCache`, whichever holds more layers), then resamples them from their marginals when
 * `pretrain.use` is `histogram`. A stack that was (partly) trained here is offered to the cache.
 */
async function pretrainBottomLayers(t: TrialPlan, opts: RunTrialOptions): Promise<Pretrained> {
  const { cfg, backend, data, dir } = t;
  const tp = performance.now();
  const inputs = data.unlabeled ?? data.train;
  const stackPath = dir ? join(dir, PRETRAIN_FILE) : undefined;
  const bottom = t.sizes.slice(0, t.k);
  const key = pretrainKey(cfg, bottom, backend.variant);
  const cache = opts.pretrainCache && bottom.length > 0 ? { dir: opts.pretrainCache, key: stackCacheKey(cfg, backend.variant, inputs) } : null;
  const { saved, reused } = longerStack(
    opts.resume && stackPath && existsSync(stackPath) ? loadPretrainedStack(backend, stackPath, key, bottom, inputs.dim) : null,
    bottom.length,
    cache ? () => readCachedStack(backend, cache.dir, cache.key, bottom, inputs.dim) : null,
  );
  const history: EpochMetrics[] = saved ? saved.history : [];
  const secondsBefore = saved ? saved.seconds : 0;
  const hooks: TrainingHooks = {
    onEpoch: (m, ctx) => {
      history.push(m);
      return opts.hooks?.onEpoch?.(m, ctx);
    },
    ...(opts.hooks?.onProgress ? { onProgress: opts.hooks.onProgress } : {}),
  };
  const onLayer = stackPath
    ? (layers: readonly DenseParams[]) => savePretrainedStack(stackPath, layers, key, history, secondsBefore + (performance.now() - tp) / 1000)
    : undefined;
  const complete = saved !== null && saved.layers.length === bottom.length;
  let stack = complete
    ? saved!.layers
    : await pretrainStack(backend, inputs, bottom, cfg.pretrain, t.root.fork('pretrain'), hooks, {
        activation: cfg.model.activation,
        done: saved ? saved.layers : [],
        ...(onLayer ? { onLayer } : {}),
      });
  const seconds = secondsBefore + (complete ? 0 : (performance.now() - tp) / 1000);
  if (cache && reused < bottom.length) writeCachedStack(cache.dir, cache.key, bottom, stack, history, seconds);
  if (cfg.pretrain.use === 'histogram') {
    const resampled = resampleFromMarginals(backend, stack, t.root.fork('marginals'));
    disposeStack(stack);
    stack = resampled;
  }
  return { history, seconds, stack, reused };
}

/**
 * The trial's own saved layers, or the study cache's when it holds more of the `k` wanted (then
 * `reused` is their count); the other is disposed. The cache is read only when `saved` is short.
 */
function longerStack(saved: SavedStack | null, k: number, readCache: (() => SavedStack | null) | null): { saved: SavedStack | null; reused: number } {
  const have = saved?.layers.length ?? 0;
  if (!readCache || have >= k) return { saved, reused: 0 };
  const cached = readCache();
  if (!cached || cached.layers.length <= have) {
    if (cached) disposeStack(cached.layers);
    return { saved, reused: 0 };
  }
  if (saved) disposeStack(saved.layers);
  return { saved: cached, reused: cached.layers.length };
}

/** Step 5: the Mlp, its bottom layers copied from `stack` (then disposed), the rest from the `init` stream. */
function buildModel(t: TrialPlan, stack: DenseParams[]): Mlp {
  const { cfg, data } = t;
  const model = Mlp.create(t.backend, mlpSpec(cfg.model, data.train), t.root.fork('init'), stack);
  disposeStack(stack);
  return model;
}

/**
 * The analyses `cfg.analysis` asks for, built by the injected factory; null when it asks for none.
 * @throws ConfigError when it asks for some and no factory was given
 */
function startAnalyses(t: TrialPlan, opts: RunTrialOptions): TrialAnalyses | null {
  if (t.cfg.analysis.probe === undefined) return null;
  if (!opts.analyses) throw new ConfigError('analysis.probe is set but this caller of runTrial gave no analyses; run the trial through the experiment runner or `pretrain-lab train` (runAnalysedTrial), or pass createTrialAnalyses from src/analysis');
  return opts.analyses({ config: t.cfg, data: t.data, checkpointDir: t.dir, resuming: t.resuming, hooks: opts.hooks });
}

/** Step 6: fine-tunes `model` in place (from the resume state when resuming), writing the resume state each epoch. */
function fineTune(t: TrialPlan, model: Mlp, pre: Pretrained, opts: { hooks?: TrainingHooks | undefined; evaluateTrain?: boolean }): Promise<FinetuneResult> {
  return finetune({
    model,
    data: t.data,
    config: t.cfg.finetune,
    rng: t.root.fork('order'),
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
    ...(t.resumePath ? { checkpointPath: t.resumePath } : {}),
    ...(t.resuming ? { resumeFrom: t.resumePath! } : {}),
    ...(opts.evaluateTrain !== undefined ? { evaluateTrain: opts.evaluateTrain } : {}),
    metadata: { config: t.configJson, ...variantMetadata(t.backend.variant), pretrainHistory: JSON.stringify(pre.history), pretrainSeconds: String(pre.seconds), ...(pre.reused ? { pretrainCache: String(pre.reused) } : {}) },
  });
}

/**
 * Step 7: with a checkpoint directory, writes `final.safetensors` (the kept network, the
 * config and the final metrics) and deletes the resume and pre-training states.
 * @returns the final checkpoint's path, or null without a directory
 */
function saveFinal(t: TrialPlan, model: Mlp, ft: FinetuneResult): string | null {
  if (!t.dir) return null;
  const checkpoint = join(t.dir, FINAL_FILE);
  saveModel(checkpoint, model, {
    config: t.configJson,
    ...variantMetadata(t.backend.variant),
    metrics: JSON.stringify({ final: ft.final, bestEpoch: ft.bestEpoch, epochsRun: ft.epochsRun }),
  });
  rmSync(t.resumePath!, { force: true });
  for (const f of [PRETRAIN_FILE, NETWORK_PRETRAIN_FILE, SOURCE_FILE, SOURCE_RESUME_FILE]) rmSync(join(t.dir, f), { force: true });
  return checkpoint;
}

/** Step 8: the trial's result record (`t0`: when `runTrial` started, for the total seconds). */
function trialResult(t: TrialPlan, pre: Pretrained, ft: FinetuneResult, checkpoint: string | null, t0: number): TrialResult {
  return {
    final: ft.final,
    bestEpoch: ft.bestEpoch,
    epochsRun: ft.epochsRun,
    history: [...pre.history, ...ft.history],
    seconds: { pretrain: pre.seconds, finetune: ft.history.reduce((s, h) => s + h.seconds, 0), total: (performance.now() - t0) / 1000 },
    checkpoint,
    backend: `${t.backend.name} (${t.backend.description})`,
    stoppedEarly: ft.stoppedEarly,
    ...(t.cfg.finetune.convergeWindow !== null ? { converged: ft.converged } : {}),
    config: t.cfg,
    variant: t.backend.variant,
    ...(pre.reused ? { pretrainCache: { layers: pre.reused } } : {}),
  };
}
