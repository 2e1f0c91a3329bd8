/**
 * The trial hashes named by a store directory's `<hash>.json` files (records in `trials/`, claims
 * in `claims/`, failure files in `failed/`): one place that reads those names.
 */
import * as fs from 'node:fs';

const HASH_FILE = /^([0-9a-f]{64})\.json$/;

/** The sorted hashes of `dir`'s `<64 hex>.json` files; none when the directory does not exist. */
export function hashFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    const m = HASH_FILE.exec(n);
    if (m) out.push(m[1]!);
  }
  return out.sort();
}
