/** The `pretrain-lab train ...` command that reproduces one trial (tuning playbook: track how to reproduce). */
import type { NumericVariant } from '../tensor/numeric-variant.ts';
import { trialConfigSchema, type TrialConfig } from '../train/config.ts';
import { configPaths, getPath } from '../train/config-keys.ts';

/**
 * `pretrain-lab train --seed=3 --model.depth=2 ...` listing only keys that differ from the defaults.
 * Given the variant that computed the trial, when it is a reproducible wasm or native variant the
 * command names that backend and adds `--reproducible`, so it gives the same bits on another machine;
 * for the native backend it also names the BLAS thread count that computed it (`--threads`).
 */
export function reproduceCommand(config: TrialConfig, variant?: NumericVariant): string {
  const defaults = trialConfigSchema.parse({});
  const flags: string[] = [];
  for (const p of configPaths()) {
    const v = getPath(config, p);
    if (JSON.stringify(v) === JSON.stringify(getPath(defaults, p)) && p !== 'seed') continue;
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    flags.push(`--${p}=${/^[\w.,:/@-]+$/.test(s) ? s : `'${s}'`}`);
  }
  if (variant?.reproducible && (variant.backend === 'wasm' || variant.backend === 'native')) {
    const i = flags.findIndex((f) => f.startsWith('--backend='));
    if (i >= 0) flags.splice(i, 1);
    flags.push(`--backend=${variant.backend}`, '--reproducible');
  }
  // OpenBLAS's thread count changes last bits for some shapes: name the one that computed it.
  if (variant?.backend === 'native' && variant.blas) flags.push(`--threads=${variant.blas.threads}`);
  return `pretrain-lab train ${flags.join(' ')}`;
}
