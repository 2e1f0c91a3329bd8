/**
 * The trial the runner and `pretrain-lab train` call (`DEFAULT_TRIAL_MODULE`): `runTrial` plus the
 * in-trial analyses switched on in the config's `analysis` section. With every analysis off it is
 * `runTrial` itself, so existing trials compute exactly what they did.
 *
 * Landscape (Section 6.3, Fig. 7), `analysis.landscape`: measured on the kept network after
 * fine-tuning (`RunTrialOptions.analyse`, `analyseTrainedNetwork`) -> `result.analysis.landscape`
 * and `landscape.safetensors`.
 *
 * Filters (Erhan et al. 2010, Section 6.2, Figs. 3-4), `analysis.actmax` and `analysis.weightChange`:
 * the dense and conv layers are snapshot when fine-tuning starts
 * (`weights-finetune-e0000.safetensors`, written by `onStart`, so a trial resumed mid-fine-tuning
 * still has them) and compared with the kept network (`final.safetensors`) when the trial ends:
 * - `weightChange`: per weight layer (conv and dense), the fraction of weights whose sign changed
 *   and the relative change (`weight-change.ts`) -> `result.analysis.weightChange`;
 * - `actmax`: unit patterns (`unit-patterns.ts`) after fine-tuning and, for a pre-trained
 *   network, before it, written to `unit-patterns.safetensors`; per layer the mean activation
 *   and agreement of the starts -> `result.analysis.actmax`. The starts come from the stream
 *   `new Rng(seed).fork('actmax')` (the same for both phases); the norm rho is `analysis.actmax.norm`
 *   or the mean Euclidean norm of the training inputs.
 * Probe outputs (Section 6.3, Figs. 5-6), `analysis.probe`: recorded DURING fine-tuning by hooks
 * (`RunTrialOptions.analyses`, `createTrialAnalyses`) -> `probe.safetensors` and
 * `result.analysis.probe`.
 *
 * The snapshot is deleted afterwards. Without a checkpoint directory the files live in a
 * temporary directory that is removed (only the numbers remain).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../backends/registry.ts';
import type { Dataset } from '../data/dataset.ts';
import { Rng } from '../rng/rng.ts';
import { readCheckpoint } from '../train/checkpoint.ts';
import { resolveTrialConfig, type TrialConfig, type TrialConfigInput } from '../train/config.ts';
import { FINAL_FILE, loadTrialData, runTrial, type RunTrialOptions, type TrainedNetwork } from '../train/trial.ts';
import type { TrialResult } from '../train/trial-result.ts';
import { validateTrialConfig } from '../train/validate.ts';
import { mean } from '../stats/descriptive.ts';
import { combineHooks } from './combine-hooks.ts';
import { UNIT_PATTERNS_FILE, unitPatterns, writeUnitPatterns, type LayerPatterns } from './unit-patterns.ts';
import { layerWeightChanges, type LayerWeightChange } from './weight-change.ts';
import { createWeightSnapshots, weightSnapshotPath } from './weight-snapshots.ts';
import { measureLandscape } from './trial-landscape.ts';
import { createTrialAnalyses } from './trial-analyses.ts';

/** The analyses run on the trained network inside `runTrial` (landscape); undefined when none is on. */
export async function analyseTrainedNetwork(t: TrainedNetwork): Promise<Record<string, unknown> | undefined> {
  const out: Record<string, unknown> = {};
  const land = t.cfg.analysis.landscape;
  if (land.directions > 0) {
    out['landscape'] = measureLandscape({ model: t.model, train: t.data.train, config: land, defaultGradientBatch: t.cfg.finetune.batchSize, root: t.root, dir: t.checkpointDir }).summary;
  }
  return Object.keys(out).length ? out : undefined;
}

/** `result.analysis.actmax`: per phase and layer, the mean over the units shown. */
export interface ActmaxSummary {
  /** The input norm rho used. */
  norm: number;
  starts: number;
  layers: { phase: LayerPatterns['phase']; layer: number; units: number; activation: number; agreement: number; minAgreement: number }[];
  /** Wall-clock seconds of the searches. */
  seconds: number;
}

/** `result.analysis.weightChange`: one entry per weight layer (conv, then dense), bottom first. */
export type WeightChangeSummary = LayerWeightChange[];

/** Mean Euclidean norm of the examples of `ds` (the default rho of activation maximization). */
export function meanInputNorm(ds: Dataset): number {
  let sum = 0;
  for (let i = 0; i < ds.n; i++) {
    let ss = 0;
    for (let k = i * ds.dim; k < (i + 1) * ds.dim; k++) ss += ds.x[k]! * ds.x[k]!;
    sum += Math.sqrt(ss);
  }
  return sum / ds.n;
}


/** True when the config switches on an analysis this module runs. */
function wantsFilters(cfg: TrialConfig): boolean {
  return cfg.analysis.actmax.enabled || cfg.analysis.weightChange;
}

/** `runTrial` with the analyses of `config.analysis` (see the module comment). */
export async function runAnalysedTrial(config: TrialConfigInput, opts: RunTrialOptions = {}): Promise<TrialResult> {
  const cfg = resolveTrialConfig(config);
  opts = { ...opts, analyse: opts.analyse ?? analyseTrainedNetwork, analyses: opts.analyses ?? createTrialAnalyses };
  if (!wantsFilters(cfg)) return runTrial(cfg, opts);
  validateTrialConfig(cfg);
  const backend = opts.backend ?? (await createBackend(cfg.backend));
  const data = await loadTrialData(cfg, opts);
  const tmp = opts.checkpointDir ? null : mkdtempSync(join(tmpdir(), 'pretrain-lab-analysis-'));
  const dir = opts.checkpointDir ?? tmp!;
  try {
    const snaps = createWeightSnapshots({ dir, at: [0], phases: ['finetune'], names: /^(hidden|conv)\.\d+\.[Wb]$/ });
    const result = await runTrial(cfg, { ...opts, backend, data, checkpointDir: dir, hooks: combineHooks(opts.hooks, snaps) });
    const beforePath = weightSnapshotPath(dir, 'finetune', 0);
    const before = readCheckpoint(beforePath);
    const after = readCheckpoint(join(dir, FINAL_FILE));
    const analysis: Record<string, unknown> = { ...result.analysis };
    if (cfg.analysis.weightChange) analysis['weightChange'] = layerWeightChanges(before, after) satisfies WeightChangeSummary;
    if (cfg.analysis.actmax.enabled) {
      const a = cfg.analysis.actmax;
      const t0 = performance.now();
      const norm = a.norm ?? meanInputNorm(data.train);
      const pretrained = cfg.pretrain.kind !== 'none';
      const common = { backend, activation: cfg.model.activation, units: a.units, norm, starts: a.starts, steps: a.steps, rng: new Rng(cfg.seed).fork('actmax') };
      const entries = [
        ...(pretrained ? unitPatterns({ ...common, weights: before, phase: 'pretrained' }) : []),
        ...unitPatterns({ ...common, weights: after, phase: 'finetuned' }),
      ];
      writeUnitPatterns(join(dir, UNIT_PATTERNS_FILE), entries, norm, data.train.image ?? null);
      analysis['actmax'] = {
        norm,
        starts: a.starts,
        layers: entries.map((e) => ({ phase: e.phase, layer: e.layer, units: e.units.length, activation: mean([...e.activation]), agreement: mean([...e.agreement]), minAgreement: Math.min(...e.agreement) })),
        seconds: (performance.now() - t0) / 1000,
      } satisfies ActmaxSummary;
    }
    rmSync(beforePath, { force: true });
    return { ...result, analysis, checkpoint: tmp ? null : result.checkpoint };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
