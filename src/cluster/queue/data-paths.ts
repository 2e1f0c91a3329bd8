/**
 * Which files a trial config reads, and whether they lie inside a worker's data directory. User
 * data sets are named by path (`data.name` and `pretrain.source.name`: `idx:<images>,<labels>[,...]`,
 * `csv:<file>[,<test>][?...]`); built-in ones (mnist, shapeset, ...) read nothing the job chose.
 * A relative path is relative to the data directory (the worker runs its trials there).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { idxSpecFiles, parseCsvSpec } from '../../data/load.ts';
import type { TrialConfig } from '../../train/config.ts';

/** Every file path a config names, with the key that names it. */
export function dataFiles(config: TrialConfig): { key: string; file: string }[] {
  const out: { key: string; file: string }[] = [];
  const sections: [string, string | undefined][] = [
    ['data.name', config.data.name],
    ['pretrain.source.name', config.pretrain.source?.name],
  ];
  for (const [key, name] of sections) {
    if (name === undefined) continue;
    if (name.startsWith('idx:')) for (const file of idxSpecFiles(name)) out.push({ key, file });
    else if (name.startsWith('csv:')) for (const file of parseCsvSpec(name.slice(4)).files) out.push({ key, file });
  }
  return out;
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest (symlinks resolved). */
function realPathOf(p: string): string {
  let head = p;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...tail.reverse());
    } catch {
      const up = path.dirname(head);
      if (up === head) return p;
      tail.push(path.basename(head));
      head = up;
    }
  }
}

/** Whether `file` (relative to `dataDir`, or absolute) is inside `dataDir` once symlinks are resolved. */
export function insideDir(dataDir: string, file: string): boolean {
  const root = realPathOf(path.resolve(dataDir));
  const real = realPathOf(path.resolve(root, file));
  const rel = path.relative(root, real);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Why `config` may not run on a worker whose data directory is `dataDir` (null: none, so no file at
 * all), or null when it may: the first file it names outside the directory.
 */
export function dataPathProblem(config: TrialConfig, dataDir: string | null): string | null {
  let files: { key: string; file: string }[];
  try {
    files = dataFiles(config);
  } catch (e) {
    return (e as Error).message;
  }
  for (const { key, file } of files) {
    if (dataDir === null) return `${key} names the file ${file}, and this worker has no --data-dir: start it with --data-dir <directory holding the data sets> to run trials on user data`;
    if (!insideDir(dataDir, file)) return `${key} names the file ${file}, which is outside this worker's data directory ${dataDir}: a job may read only files under --data-dir`;
  }
  return null;
}
