/**
 * TypeScript files given by the user (an experiment file, a trial module) when pretrain-lab itself
 * runs compiled: Node cannot import `.ts`, so tsx is loaded on demand. A production install does not
 * depend on tsx; when it is absent the error names the fix. From a source checkout (tsx registered
 * by `bin/pretrain-lab.js` or `node --import tsx`) nothing is needed.
 */
import { COMPILED } from '../package-root.ts';
import { ExperimentError } from './define.ts';

/** Whether `file` (a path or file URL) is TypeScript that Node cannot import by itself. */
export function isTypeScriptFile(file: string): boolean {
  return /\.[cm]?ts$/.test(file) && !file.endsWith('.d.ts');
}

/** Whether importing `file` from this process needs tsx to be registered first. */
export function needsTypeScriptLoader(file: string): boolean {
  return COMPILED && isTypeScriptFile(file);
}

/** The URL of tsx's `specifier` (`tsx` for `--import`), or an ExperimentError naming the fix for `file`. */
export function typeScriptLoaderUrl(file: string, specifier: 'tsx' | 'tsx/esm/api' = 'tsx'): string {
  try {
    return import.meta.resolve(specifier);
  } catch {
    throw new ExperimentError(
      `${file} is TypeScript, which needs tsx in this project: npm install --save-dev tsx ` +
        `(or compile it to .js / .mjs, which needs nothing)`,
    );
  }
}

let registered = false;

/** Makes `import(file)` work in this process for a `.ts` file (registers tsx once when needed). */
export async function ensureTypeScriptLoader(file: string): Promise<void> {
  if (registered || !needsTypeScriptLoader(file)) return;
  const api = (await import(typeScriptLoaderUrl(file, 'tsx/esm/api'))) as { register(): unknown };
  api.register();
  registered = true;
}
