/**
 * Where the package's files are, whether this code runs as TypeScript sources (`<root>/src/**.ts`,
 * through tsx: a git checkout, the tests) or compiled (`<root>/dist/src/**.js`: a production
 * install, built by `npm run build`). A leaf module: it imports nothing, so every layer may use it,
 * and it touches only URLs, so a browser bundle can use it too.
 */

/** Whether this module was compiled to `dist/` (true) or runs from `src/` as TypeScript (false). */
export const COMPILED: boolean = import.meta.url.endsWith('.js');

/** The extension of this package's own modules when one is named at run time: `.ts` or `.js`. */
export const MODULE_EXT: '.ts' | '.js' = COMPILED ? '.js' : '.ts';

/** The package root (the directory holding package.json), as a URL ending in `/`. */
export const PACKAGE_ROOT_URL: URL = new URL(COMPILED ? '../../' : '../', import.meta.url);

/** The directory of this package's own modules: `<root>/` for sources, `<root>/dist/` compiled. */
export const MODULES_ROOT_URL: URL = COMPILED ? new URL('dist/', PACKAGE_ROOT_URL) : PACKAGE_ROOT_URL;
