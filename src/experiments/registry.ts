/**
 * Finds experiment files: the built-in ones in `experiments/*.ts` (by id; compiled:
 * `dist/experiments/*.js`) or any file by path (`.js`/`.mjs` always; `.ts` through tsx, see
 * `typescript-loader.ts`). Each file's default export is the result of `defineExperiment`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MODULE_EXT, MODULES_ROOT_URL } from '../package-root.ts';
import { ExperimentError, type Experiment } from './define.ts';
import { ensureTypeScriptLoader } from './typescript-loader.ts';

/** The directory of built-in experiment files (`<root>/experiments`, compiled `<root>/dist/experiments`). */
export const EXPERIMENTS_DIR = fileURLToPath(new URL('experiments', MODULES_ROOT_URL));

async function importExperiment(file: string): Promise<Experiment> {
  await ensureTypeScriptLoader(file);
  const mod = (await import(pathToFileURL(file).href)) as { default?: Experiment };
  const exp = mod.default;
  if (!exp || typeof exp !== 'object' || typeof exp.id !== 'string' || !('input' in exp)) {
    throw new ExperimentError(`${file} must \`export default defineExperiment({...})\``);
  }
  return exp;
}

/** Ids of the built-in experiments (file names without `.ts` / `.js`), sorted. */
export function experimentIds(): string[] {
  try {
    return fs.readdirSync(EXPERIMENTS_DIR).filter((f) => f.endsWith(MODULE_EXT) && !f.endsWith('.d.ts')).map((f) => f.slice(0, -3)).sort();
  } catch {
    return [];
  }
}

/** Every built-in experiment, sorted by id. */
export async function listExperiments(): Promise<Experiment[]> {
  const out: Experiment[] = [];
  for (const id of experimentIds()) out.push(await importExperiment(path.join(EXPERIMENTS_DIR, `${id}${MODULE_EXT}`)));
  return out;
}

/**
 * Loads an experiment by built-in id (`depth`) or by file path (`./my-study.ts`). An unknown name
 * is an ExperimentError listing the available ids.
 */
export async function loadExperiment(nameOrFile: string): Promise<Experiment> {
  const looksLikeFile = nameOrFile.includes('/') || /\.[cm]?[jt]s$/.test(nameOrFile);
  if (looksLikeFile) {
    const file = path.resolve(nameOrFile);
    if (!fs.existsSync(file)) throw new ExperimentError(`experiment file ${file} does not exist`);
    return importExperiment(file);
  }
  const ids = experimentIds();
  if (!ids.includes(nameOrFile)) {
    throw new ExperimentError(`unknown experiment '${nameOrFile}'. Available: ${ids.join(', ') || '(none)'}; \`pretrain-lab list\` describes them, or pass a path to an experiment file.`);
  }
  return importExperiment(path.join(EXPERIMENTS_DIR, `${nameOrFile}${MODULE_EXT}`));
}
