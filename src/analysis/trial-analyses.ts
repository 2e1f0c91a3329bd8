/**
 * The analyses a trial runs when its config's `analysis` section asks for them, built here (above
 * training) and injected into `runTrial` by the experiment runner (`RunTrialOptions.analyses`).
 *
 * - `analysis.probe: { examples: N }` (Erhan et al. 2010, Section 6.3, Figs. 5-6): the softmax
 *   outputs on the first N test examples before fine-tuning and after every epoch, in
 *   `<checkpointDir>/probe.safetensors` (`createProbeRecorder`); the result records how many and
 *   the seconds spent, so the cost of recording is measured in every trial. It needs a checkpoint
 *   directory (the runner always gives one).
 */
import { join } from 'node:path';
import { headExamples } from '../data/batches.ts';
import { ConfigError } from '../data/config-error.ts';
import type { Mlp } from '../models/mlp.ts';
import type { EpochMetrics } from '../train/hooks.ts';
import type { TrialAnalyses, TrialAnalysesContext } from '../train/trial.ts';
import type { ProbeSummary, TrialAnalysisResults } from '../train/trial-result.ts';
import { combineHooks } from './combine-hooks.ts';
import { createProbeRecorder, PROBE_FILE } from './probe-recorder.ts';

/** A `TrialAnalysesFactory`: the hooks and results of every analysis `ctx.config.analysis` switches on. */
export function createTrialAnalyses(ctx: TrialAnalysesContext): TrialAnalyses {
  const probe = ctx.config.analysis.probe;
  if (!probe) return { hooks: ctx.hooks, finish: () => ({}) };
  if (!ctx.checkpointDir) throw new ConfigError(`analysis.probe writes ${PROBE_FILE} into the trial's checkpoint directory, and this trial has none; give one (--checkpoint-dir, or run it through an experiment)`);
  const set = headExamples(ctx.data.test, probe.examples);
  const recorder = createProbeRecorder({ path: join(ctx.checkpointDir, PROBE_FILE), probe: set, resume: ctx.resuming });
  let seconds = 0;
  const timed = (f: () => void): void => {
    const t = performance.now();
    f();
    seconds += (performance.now() - t) / 1000;
  };
  const probeHooks = {
    onStart: (c: { model?: Mlp }) => timed(() => void recorder.onStart?.({ ...c })),
    onEpoch: (m: EpochMetrics, c?: { model?: Mlp }) => timed(() => void recorder.onEpoch?.(m, c)),
  };
  return {
    hooks: combineHooks(ctx.hooks, probeHooks),
    finish(): TrialAnalysisResults {
      timed(() => recorder.flush());
      const summary: ProbeSummary = { examples: set.n, records: recorder.count, seconds, file: PROBE_FILE };
      return { probe: summary };
    },
  };
}
