#!/usr/bin/env node
// Runs at `npm install` / `npm ci`: compiles the WebAssembly kernels (required) and tries the
// optional native OpenBLAS addon (never fails the install; says how to enable it when absent).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (script) => spawnSync(process.execPath, [join(root, 'scripts', script)], { stdio: 'inherit', cwd: root }).status ?? 1;

if (existsSync(join(root, 'scripts', 'build-wasm.mjs'))) {
  const status = run('build-wasm.mjs');
  if (status !== 0) {
    console.error('pretrain-lab: building the WebAssembly kernels failed (see above); the reference backend still works.');
    process.exit(status);
  }
}
if (existsSync(join(root, 'scripts', 'build-native.mjs'))) run('build-native.mjs');
