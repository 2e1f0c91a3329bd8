/** The `--key=value` flags shared by `run` and `train` (dotted TrialConfig paths or aliases). */
import { KEY_ALIASES, configPaths, parseKeyValueFlags } from '../experiments/config-keys.ts';
import { UsageError } from './errors.ts';

/** Collects the `--key=value` arguments left over by commander (operands are skipped). */
export function keyValueArgs(args: readonly string[], operands: number): Record<string, unknown> {
  const rest = args.slice(operands);
  try {
    return parseKeyValueFlags(rest);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Help text listing every config key and alias. */
export function keysHelp(): string {
  const aliases = Object.entries(KEY_ALIASES)
    .map(([a, p]) => `${a}=${p}`)
    .join(', ');
  return `\nConfig keys (--key=value; values are JSON when they parse, else strings):\n  ${configPaths().join(', ')}\nAliases:\n  ${aliases}\n`;
}
