/** The `pretrain-lab train ...` command that reproduces one trial (tuning playbook: track how to reproduce). */
import { trialConfigSchema, type TrialConfig } from '../train/config.ts';
import { configPaths, getPath } from '../train/config-keys.ts';

/** `pretrain-lab train --seed=3 --model.depth=2 ...` listing only keys that differ from the defaults. */
export function reproduceCommand(config: TrialConfig): string {
  const defaults = trialConfigSchema.parse({});
  const flags: string[] = [];
  for (const p of configPaths()) {
    const v = getPath(config, p);
    if (JSON.stringify(v) === JSON.stringify(getPath(defaults, p)) && p !== 'seed') continue;
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    flags.push(`--${p}=${/^[\w.,:/@-]+$/.test(s) ? s : `'${s}'`}`);
  }
  return `pretrain-lab train ${flags.join(' ')}`;
}
