/** The code version recorded with every trial: package version and git commit when available. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT_URL } from '../package-root.ts';

export interface CodeVersion {
  /** `pretrain-lab@0.1.0` */
  package: string;
  /** Full commit hash, or null outside a git checkout. */
  git: string | null;
  /** Whether tracked files had uncommitted changes (null when unknown). */
  dirty: boolean | null;
}

/** The package root (the directory holding package.json). */
export const PACKAGE_ROOT = fileURLToPath(PACKAGE_ROOT_URL);

let cached: CodeVersion | null = null;

/** `pretrain-lab@0.1.0` from package.json (`pretrain-lab@unknown` when unreadable); no git, so cheap. */
export function packageId(): string {
  try {
    const p = JSON.parse(fs.readFileSync(`${PACKAGE_ROOT}package.json`, 'utf8')) as { name: string; version: string };
    return `${p.name}@${p.version}`;
  } catch {
    return 'pretrain-lab@unknown';
  }
}

/** `0.1.0`: the version part of `packageId()`. */
export function packageVersion(): string {
  return packageId().split('@')[1] ?? '0.0.0';
}

/** Reads package.json and asks git (read-only) once per process. */
export function codeVersion(): CodeVersion {
  if (cached) return cached;
  const pkg = packageId();
  let git: string | null = null;
  let dirty: boolean | null = null;
  // Only this package's own checkout: installed under node_modules inside someone's repository,
  // git would answer with that repository's commit.
  if (fs.existsSync(`${PACKAGE_ROOT}.git`)) {
    try {
      git = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
      dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().length > 0;
    } catch {
      /* git missing or not a checkout */
    }
  }
  cached = { package: pkg, git, dirty };
  return cached;
}
