/**
 * Splits `--slurm.extra '--account=abc --qos="high prio"'` into sbatch arguments the way a POSIX
 * shell would split words (single and double quotes, backslash escapes; no expansion of any kind).
 * @throws SlurmError on an unterminated quote
 */
import { SlurmError } from './slurm-error.ts';

/** What a backslash escapes inside double quotes: " \ $ and the backquote. */
const DQ_ESCAPES = new Set(['"', '\\', '$', '\u0060']);

export function shellWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < s.length && DQ_ESCAPES.has(s[i + 1]!)) cur += s[++i]!;
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i]!;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new SlurmError(`--slurm.extra has an unterminated ${quote} quote: ${s}`);
  if (inWord) words.push(cur);
  return words;
}

/** Quotes `s` for a POSIX shell script (single quotes; a single quote inside becomes '\''). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
