#!/usr/bin/env node
/**
 * Builds the optional `native` backend (native/: N-API C addon + OpenBLAS) with node-gyp,
 * into native/build/Release/pretrain_lab_native.node.
 *
 *   node scripts/build-native.mjs          (package.json "install" calls this)
 *
 * It never fails the install: when OpenBLAS is absent, node-gyp cannot be found, or the
 * build or the load check fails, it prints one line saying the native backend is disabled
 * and how to enable it, and exits 0 (`auto` then uses wasm). The full log of a failed build
 * is kept in native/build/build-native.log. Set PRETRAIN_LAB_NATIVE_MARCH=native for a
 * build tuned to this CPU only (default: the portable x86-64-v2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const output = join(nativeDir, 'build', 'Release', 'pretrain_lab_native.node');
const logPath = join(nativeDir, 'build', 'build-native.log');
const ENABLE = 'enable it with: sudo apt-get install libopenblas-dev && node scripts/build-native.mjs (or npm rebuild)';

function disabled(why) {
  console.log(`pretrain-lab: native backend disabled (${why}); ${ENABLE}`);
  process.exit(0);
}

/** node-gyp's CLI: the one npm is running (lifecycle scripts), npm's bundled copy, or a local one. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  const npmPaths = [join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm')];
  const which = spawnSync('which', ['npm'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) {
    try {
      npmPaths.push(resolve(dirname(realpathSync(which.stdout.trim())), '..'));
    } catch {
      // a dangling npm link: ignore
    }
  }
  for (const npm of npmPaths) candidates.push(join(npm, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.push(createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // no local node-gyp
  }
  return candidates.find((p) => p && p.endsWith('.js') && existsSync(p)) ?? null;
}

/** Node headers installed beside this node (Debian: /usr/include/node), so no download is needed. */
function nodeDirArgs() {
  if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

if (process.env.PRETRAIN_LAB_SKIP_NATIVE) disabled('PRETRAIN_LAB_SKIP_NATIVE is set');

try {
  const { findOpenBlas } = await import(join(nativeDir, 'openblas-flags.mjs'));
  const blas = findOpenBlas();
  if (!blas) disabled('OpenBLAS not found: no `pkg-config openblas` and no cblas.h with libopenblas');

  const gyp = findNodeGyp();
  if (!gyp) disabled('node-gyp not found (it ships with npm)');

  const args = [gyp, 'rebuild', `--directory=${nativeDir}`, ...nodeDirArgs()];
  const build = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: 'utf8', timeout: 300_000 });
  const log = `$ ${process.execPath} ${args.join(' ')}\n${build.stdout ?? ''}\n${build.stderr ?? ''}\n${build.error ?? ''}`;
  if (build.status !== 0 || !existsSync(output)) {
    mkdirSync(dirname(logPath), { recursive: true });
    writeFileSync(logPath, log);
    disabled(`the build failed, see ${logPath}`);
  }

  // Load it in a fresh process: a missing shared library shows up only here.
  const check = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(output)}).getThreads()`], { encoding: 'utf8' });
  if (check.status !== 0) {
    writeFileSync(logPath, `${log}\nload check failed:\n${check.stderr}`);
    disabled(`the addon was built but does not load, see ${logPath}`);
  }
  console.log(`pretrain-lab: native backend built (OpenBLAS from ${blas.source}): ${output}`);
} catch (e) {
  disabled(`unexpected error: ${e instanceof Error ? e.message : String(e)}`);
}
