#!/usr/bin/env node
/**
 * Builds the `wasm` backend: compiles `assembly/index.ts` with AssemblyScript's `asc` into
 *   dist/wasm/kernels.wasm          (128-bit SIMD, -O3, --noAssert)
 *   dist/wasm/kernels-relaxed.wasm  (the same plus relaxed SIMD: f32x4.relaxed_madd)
 * Idempotent: skips a target that is newer than every source (pass --force to rebuild).
 * Exits non-zero with a message naming the problem on failure.
 *
 * Usage: node scripts/build-wasm.mjs [--force]
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'assembly');
const outDir = join(root, 'dist', 'wasm');
const force = process.argv.includes('--force');

const TARGETS = [
  { file: 'kernels.wasm', features: ['simd'], required: true },
  { file: 'kernels-relaxed.wasm', features: ['simd', 'relaxed-simd'], required: false },
];

function fail(message) {
  console.error(`build-wasm: ${message}`);
  process.exit(1);
}

/** Newest modification time among the sources (and this script). */
function newestSource() {
  let t = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  for (const f of readdirSync(srcDir)) t = Math.max(t, statSync(join(srcDir, f)).mtimeMs);
  return t;
}

if (!existsSync(join(srcDir, 'index.ts'))) fail(`missing ${join(srcDir, 'index.ts')}; run from a full checkout`);

let asc;
try {
  asc = await import('assemblyscript/asc');
} catch (e) {
  fail(`cannot load the AssemblyScript compiler (${e.message}); run: npm install`);
}

mkdirSync(outDir, { recursive: true });
const sourcesTime = newestSource();
for (const target of TARGETS) {
  const out = join(outDir, target.file);
  if (!force && existsSync(out) && statSync(out).mtimeMs >= sourcesTime) {
    console.log(`build-wasm: ${target.file} is up to date`);
    continue;
  }
  const args = [
    join(srcDir, 'index.ts'),
    '--outFile', out,
    '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert',
    '--runtime', 'minimal',
    ...target.features.flatMap((f) => ['--enable', f]),
  ];
  const started = Date.now();
  const { error, stderr } = await asc.main(args);
  if (error) {
    const detail = stderr.toString().trim();
    if (target.required) fail(`asc failed for ${target.file}: ${error.message}\n${detail}`);
    console.warn(`build-wasm: optional ${target.file} not built (${error.message}); the plain SIMD build will be used`);
    continue;
  }
  console.log(`build-wasm: built ${target.file} in ${Date.now() - started} ms`);
}
