/**
 * The trial function the runner calls, as an injectable dependency. In worker processes it is
 * named by module (functions cannot cross process boundaries); in-process it may be a function.
 * The default is `runAnalysedTrial` from `src/analysis/analysed-trial.ts` (`runTrial` plus the
 * analyses a config's `analysis` section switches on; `runTrial` itself when none is), imported lazily.
 */
import { MODULE_EXT } from '../package-root.ts';
import type { Backend } from '../tensor/kernels.ts';
import type { TrialConfig } from '../train/config.ts';
import type { TrainingHooks } from '../train/hooks.ts';
import type { TrialResult } from '../train/trial-result.ts';
import { ensureTypeScriptLoader } from './typescript-loader.ts';

/** Options the runner passes; a subset of `runTrial`'s. */
export interface TrialFunctionOptions {
  backend?: Backend;
  hooks?: TrainingHooks;
  checkpointDir?: string;
  /** Continue from the checkpoints in `checkpointDir` (fine-tuning epoch, else pre-trained layers) when there are any (bit-identical). */
  resume?: boolean;
  /** The study's cache of pre-trained stacks (`RunTrialOptions.pretrainCache`); none when absent. */
  pretrainCache?: string;
}

/** Same contract as `runTrial(config, opts)`: deterministic given `config` (its seed included). */
export type TrialFunction = (config: TrialConfig, opts: TrialFunctionOptions) => Promise<TrialResult>;

/** A module exporting a TrialFunction: an absolute path or file URL, and the export's name. */
export interface TrialModuleRef {
  module: string;
  export?: string;
}

/** The real trial: `src/analysis/analysed-trial.ts` (compiled: `dist/src/analysis/analysed-trial.js`), export `runAnalysedTrial`. */
export const DEFAULT_TRIAL_MODULE: TrialModuleRef = {
  module: new URL(`../analysis/analysed-trial${MODULE_EXT}`, import.meta.url).href,
  export: 'runAnalysedTrial',
};

/** Imports the TrialFunction named by `ref`, with an error that says what is missing. */
export async function loadTrialFunction(ref: TrialModuleRef): Promise<TrialFunction> {
  const spec = ref.module.startsWith('file:') ? ref.module : new URL(`file://${ref.module}`).href;
  const name = ref.export ?? 'runTrial';
  await ensureTypeScriptLoader(spec);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot load the trial function module ${spec}: ${(e as Error).message}`);
  }
  const fn = mod[name] ?? (mod.default as Record<string, unknown> | undefined)?.[name];
  if (typeof fn !== 'function') throw new Error(`${spec} does not export a function '${name}'`);
  return fn as TrialFunction;
}
