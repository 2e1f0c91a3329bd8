/** The code version recorded with every trial: package version and git commit when available. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CodeVersion {
  /** `pretrain-lab@0.1.0` */
  package: string;
  /** Full commit hash, or null outside a git checkout. */
  git: string | null;
  /** Whether tracked files had uncommitted changes (null when unknown). */
  dirty: boolean | null;
}

/** The package root (the directory holding package.json). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let cached: CodeVersion | null = null;

/** Reads package.json and asks git (read-only) once per process. */
export function codeVersion(): CodeVersion {
  if (cached) return cached;
  let pkg = 'pretrain-lab@unknown';
  try {
    const p = JSON.parse(fs.readFileSync(`${PACKAGE_ROOT}package.json`, 'utf8')) as { name: string; version: string };
    pkg = `${p.name}@${p.version}`;
  } catch {
    /* keep unknown */
  }
  let git: string | null = null;
  let dirty: boolean | null = null;
  try {
    git = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
    dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().length > 0;
  } catch {
    /* not a git checkout */
  }
  cached = { package: pkg, git, dirty };
  return cached;
}
