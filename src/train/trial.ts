/**
 * One trial, end to end: resolve and validate the config, create the backend, load the data,
 * pre-train the bottom k layers greedily (`pretrain.kind` sdae/dbn; Erhan et al. 2010 Section
 * 5.1), optionally resample them from their marginals (Table 1), build the Mlp (other layers
 * random), fine-tune with early stopping (Section 5.3), and report. The experiment runner
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
 * redone), else from the finished pre-trained layers. `final.safetensors` holds the kept network
 * (tensors `hidden.<l>.W`, `hidden.<l>.b`, `output.W`, `output.b`) with metadata `config`
 * (resolved TrialConfig JSON), `metrics` (final scores JSON), `spec` and `format`.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../tensor/kernels.ts';
import { Rng } from '../rng/rng.ts';
import { createBackend } from '../backends/registry.ts';
import type { DataSplits } from '../data/dataset.ts';
import { loadData } from '../data/load.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import { Mlp } from '../models/mlp.ts';
import { resampleFromMarginals } from '../models/marginals.ts';
import { hiddenSizes, resolveTrialConfig, type TrialConfigInput } from './config.ts';
import type { EpochMetrics, TrainingHooks } from './hooks.ts';
import { pretrainStack } from './pretrain.ts';
import { finetune } from './finetune.ts';
import { readCheckpoint } from './checkpoint.ts';
import { saveModel } from './model-checkpoint.ts';
import { loadPretrainedStack, PRETRAIN_FILE, pretrainKey, savePretrainedStack } from './pretrain-checkpoint.ts';
import { pretrainedLayerCount, validateTrialConfig, validateTrialData } from './validate.ts';
import type { TrialResult } from './trial-result.ts';
import { assertResumableVariant, variantMetadata } from './checkpoint-variant.ts';

export interface RunTrialOptions {
  /** Backend to run on (default: `createBackend(config.backend)`). */
  backend?: Backend;
  hooks?: TrainingHooks;
  /** Directory for `resume.safetensors` (each epoch) and `final.safetensors`; none when absent. */
  checkpointDir?: string;
  /** The data (default: `loadData(config.data, config.seed)`). */
  data?: DataSplits;
  /**
   * Continue from `checkpointDir/resume.safetensors` when it exists (pre-training is not redone),
   * else from the finished layers of `checkpointDir/pretrain.safetensors` when it exists.
   */
  resume?: boolean;
  /** Evaluate the whole training set every epoch (default true). */
  evaluateTrain?: boolean;
}

export const RESUME_FILE = 'resume.safetensors';
export const FINAL_FILE = 'final.safetensors';

/** Runs one trial; see the module comment. Throws ConfigError before any training on bad settings. */
export async function runTrial(config: TrialConfigInput, opts: RunTrialOptions = {}): Promise<TrialResult> {
  const t0 = performance.now();
  const cfg = resolveTrialConfig(config);
  validateTrialConfig(cfg);
  const backend = opts.backend ?? (await createBackend(cfg.backend));
  const data = opts.data ?? (await loadData(cfg.data, cfg.seed));
  validateTrialData(cfg, data);

  const sizes = hiddenSizes(cfg.model);
  const k = Math.min(pretrainedLayerCount(cfg), sizes.length);
  const root = new Rng(cfg.seed);
  const dir = opts.checkpointDir;
  const resumePath = dir ? join(dir, RESUME_FILE) : undefined;
  const resuming = Boolean(opts.resume && resumePath && existsSync(resumePath));
  const configJson = JSON.stringify(cfg);
  const variant = backend.variant;

  let pretrainHistory: EpochMetrics[] = [];
  let pretrainSeconds = 0;
  let stack: DenseParams[] = [];
  if (resuming) {
    const md = readCheckpoint(resumePath!).metadata;
    if (md['config'] !== configJson) {
      throw new Error(`cannot resume from ${resumePath}: it was written by a different trial config; delete it or pass resume: false`);
    }
    assertResumableVariant(md, variant, resumePath!);
    pretrainHistory = JSON.parse(md['pretrainHistory'] ?? '[]') as EpochMetrics[];
    pretrainSeconds = Number(md['pretrainSeconds'] ?? 0);
  } else if (k > 0) {
    const tp = performance.now();
    const stackPath = dir ? join(dir, PRETRAIN_FILE) : undefined;
    const bottom = sizes.slice(0, k);
    const key = pretrainKey(cfg, bottom, variant);
    let done: DenseParams[] = [];
    let secondsBefore = 0;
    if (opts.resume && stackPath && existsSync(stackPath)) {
      const saved = loadPretrainedStack(backend, stackPath, key, bottom, data.train.dim);
      done = saved.layers;
      pretrainHistory = saved.history;
      secondsBefore = saved.seconds;
    }
    const hooks: TrainingHooks = {
      onEpoch: (m, ctx) => {
        pretrainHistory.push(m);
        return opts.hooks?.onEpoch?.(m, ctx);
      },
      ...(opts.hooks?.onProgress ? { onProgress: opts.hooks.onProgress } : {}),
    };
    const onLayer = stackPath
      ? (layers: readonly DenseParams[]) => savePretrainedStack(stackPath, layers, key, pretrainHistory, secondsBefore + (performance.now() - tp) / 1000)
      : undefined;
    stack = await pretrainStack(backend, data.train, bottom, cfg.pretrain, root.fork('pretrain'), hooks, { done, ...(onLayer ? { onLayer } : {}) });
    if (cfg.pretrain.use === 'histogram') {
      const resampled = resampleFromMarginals(backend, stack, root.fork('marginals'));
      disposeStack(stack);
      stack = resampled;
    }
    pretrainSeconds = secondsBefore + (performance.now() - tp) / 1000;
  }

  const model = Mlp.create(
    backend,
    { nIn: data.train.dim, hidden: sizes, nClasses: data.train.nClasses, activation: cfg.model.activation, init: cfg.model.init },
    root.fork('init'),
    stack,
  );
  disposeStack(stack);
  try {
    const ft = await finetune({
      model,
      data,
      config: cfg.finetune,
      rng: root.fork('order'),
      ...(opts.hooks ? { hooks: opts.hooks } : {}),
      ...(resumePath ? { checkpointPath: resumePath } : {}),
      ...(resuming ? { resumeFrom: resumePath! } : {}),
      ...(opts.evaluateTrain !== undefined ? { evaluateTrain: opts.evaluateTrain } : {}),
      metadata: { config: configJson, ...variantMetadata(variant), pretrainHistory: JSON.stringify(pretrainHistory), pretrainSeconds: String(pretrainSeconds) },
    });
    const finetuneSeconds = ft.history.reduce((s, h) => s + h.seconds, 0);
    let checkpoint: string | null = null;
    if (dir) {
      checkpoint = join(dir, FINAL_FILE);
      saveModel(checkpoint, model, {
        config: configJson,
        ...variantMetadata(variant),
        metrics: JSON.stringify({ final: ft.final, bestEpoch: ft.bestEpoch, epochsRun: ft.epochsRun }),
      });
      rmSync(resumePath!, { force: true });
      rmSync(join(dir, PRETRAIN_FILE), { force: true });
    }
    return {
      final: ft.final,
      bestEpoch: ft.bestEpoch,
      epochsRun: ft.epochsRun,
      history: [...pretrainHistory, ...ft.history],
      seconds: { pretrain: pretrainSeconds, finetune: finetuneSeconds, total: (performance.now() - t0) / 1000 },
      checkpoint,
      backend: `${backend.name} (${backend.description})`,
      variant,
      stoppedEarly: ft.stoppedEarly,
      config: cfg,
    };
  } finally {
    model.dispose();
  }
}

function disposeStack(stack: readonly DenseParams[]): void {
  for (const p of stack) {
    p.W.dispose();
    p.b.dispose();
  }
}
