/**
 * The trial the runner and `pretrain-lab train` run: `runTrial` (`src/train/trial.ts`) plus the
 * analyses its config's `analysis` section switches on, run on the kept network after fine-tuning
 * (`RunTrialOptions.analyse`) or during it (`RunTrialOptions.analyses`: probe outputs), their small results in `result.analysis.<name>`, their arrays in side
 * files of the trial's checkpoint directory. With every analysis off it is exactly `runTrial`.
 */
import { runTrial, type RunTrialOptions, type TrainedNetwork } from '../train/trial.ts';
import type { TrialConfigInput } from '../train/config.ts';
import type { TrialResult } from '../train/trial-result.ts';
import { measureLandscape } from './trial-landscape.ts';
import { createTrialAnalyses } from './trial-analyses.ts';

/** The analyses of `analysis.*` on a trained network; undefined when none is switched on. */
export async function analyseTrainedNetwork(t: TrainedNetwork): Promise<Record<string, unknown> | undefined> {
  const out: Record<string, unknown> = {};
  const land = t.cfg.analysis.landscape;
  if (land.directions > 0) {
    out['landscape'] = measureLandscape({ model: t.model, train: t.data.train, config: land, defaultGradientBatch: t.cfg.finetune.batchSize, root: t.root, dir: t.checkpointDir }).summary;
  }
  return Object.keys(out).length ? out : undefined;
}

/** `runTrial` with the analyses of `config.analysis` (same signature, same numbers otherwise). */
export function runAnalysedTrial(config: TrialConfigInput, opts: RunTrialOptions = {}): Promise<TrialResult> {
  return runTrial(config, { ...opts, analyse: opts.analyse ?? analyseTrainedNetwork, analyses: opts.analyses ?? createTrialAnalyses });
}
