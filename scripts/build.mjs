#!/usr/bin/env node
/**
 * Builds what a production install runs: `tsc -p tsconfig.build.json` compiles src/ and
 * experiments/ to dist/ (removing the previous output first, so no deleted module survives), then
 * `build-wasm.mjs` compiles the WebAssembly kernels to dist/wasm/, then `build-web.mjs` bundles the
 * live lab's page into dist/web/ (Vite; with the kernels and an MNIST subset beside it). Run by `npm run build`, by
 * `prepare` (so `npm ci` in a checkout builds) and by `prepack` (so the tarball ships dist/).
 * Needs the dev dependencies (typescript, assemblyscript, vite); says so when they are missing.
 *
 * Usage: node scripts/build.mjs [--force]   (--force rebuilds the wasm even when up to date)
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

let tsc;
try {
  tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  console.error('build: the TypeScript compiler is missing; a source checkout builds dist/ with its dev dependencies: npm ci (without --omit=dev)');
  process.exit(1);
}
for (const d of ['src', 'experiments']) rmSync(join(root, 'dist', d), { recursive: true, force: true });
const started = Date.now();
const compile = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
if (compile.status !== 0) process.exit(compile.status ?? 1);
console.log(`build: compiled src/ and experiments/ to dist/ in ${Date.now() - started} ms`);
const wasm = spawnSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
if (wasm.status !== 0) process.exit(wasm.status ?? 1);
const web = spawnSync(process.execPath, [join(root, 'scripts', 'build-web.mjs')], { stdio: 'inherit', cwd: root });
process.exit(web.status ?? 1);
