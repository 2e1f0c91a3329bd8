/** The `--key=value` flags shared by `run` and `train` (dotted TrialConfig paths or aliases). */
import { KEY_ALIASES, configKeys, type ConfigKey } from '../train/config-keys.ts';
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

/** One help line of a key: `  finetune.lr  number (default 0.1)`, enums as their values. */
function keyLine(k: ConfigKey, width: number): string {
  const type = k.values ? k.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' | ') : k.type;
  return `  ${k.path.padEnd(width)}  ${type}${k.default === undefined ? '' : ` (default ${JSON.stringify(k.default)})`}`;
}

/** Help text listing every config key with its type or allowed values and default, then the aliases. */
export function keysHelp(): string {
  const keys = configKeys();
  const width = Math.max(...keys.map((k) => k.path.length));
  const aliases = Object.entries(KEY_ALIASES)
    .map(([a, p]) => `${a}=${p}`)
    .join(', ');
  return `\nConfig keys (--key=value; values are JSON when they parse, else strings):\n${keys.map((k) => keyLine(k, width)).join('\n')}\nAliases:\n  ${aliases}\n`;
}

/** Parses a flag value: JSON when it parses (`0.1`, `true`, `[1,2]`, `null`), else the raw string. */
export function parseFlagValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Parses `--key=value` arguments into `{ key: value }` (keys as written, values via parseFlagValue).
 * A bare `--key` means `true`. Throws on arguments that are not of this form, saying how to write them.
 */
export function parseKeyValueFlags(args: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      throw new Error(`unexpected argument '${a}': config values are written --key=value (e.g. --finetune.lr=0.05)`);
    }
    const eq = a.indexOf('=');
    if (eq < 0) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        out[a.slice(2)] = parseFlagValue(next);
        i++;
      } else out[a.slice(2)] = true;
    } else out[a.slice(2, eq)] = parseFlagValue(a.slice(eq + 1));
  }
  return out;
}
