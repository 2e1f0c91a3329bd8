#!/usr/bin/env node
// Runs at `npm install` / `npm ci`: tries the optional native OpenBLAS addon, and never fails the
// install (it says how to enable the backend when it cannot build it). The compiled JavaScript and
// the WebAssembly kernels ship prebuilt in dist/ (a checkout builds them in `prepare`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'scripts', 'build-native.mjs');
if (existsSync(script)) {
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) console.log('pretrain-lab: the native backend was not built (see above); the wasm and reference backends work.');
}
