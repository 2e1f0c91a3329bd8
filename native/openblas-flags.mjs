#!/usr/bin/env node
/**
 * Finds OpenBLAS for the native addon: `pkg-config openblas` first, else the Debian/Ubuntu
 * header and library locations. Used by `scripts/build-native.mjs` (should we build at all?)
 * and by `binding.gyp` (`node openblas-flags.mjs --include` / `--libs`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {{ includeDir: string, libDir: string | null, source: string }} OpenBlas
 * @returns {OpenBlas | null} where cblas.h and libopenblas live, or null when absent
 */
export function findOpenBlas() {
  try {
    const opts = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };
    execFileSync('pkg-config', ['--exists', 'openblas'], opts);
    const inc = execFileSync('pkg-config', ['--variable=includedir', 'openblas'], opts).trim();
    const lib = execFileSync('pkg-config', ['--variable=libdir', 'openblas'], opts).trim();
    if (inc && existsSync(join(inc, 'cblas.h'))) return { includeDir: inc, libDir: lib || null, source: 'pkg-config' };
  } catch {
    // no pkg-config or no openblas.pc: fall through to the usual paths
  }
  const arch = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  for (const variant of ['openblas-pthread', 'openblas-openmp', 'openblas-serial']) {
    const inc = `/usr/include/${arch}/${variant}`;
    const lib = `/usr/lib/${arch}/${variant}`;
    if (existsSync(join(inc, 'cblas.h')) && existsSync(join(lib, 'libopenblas.so'))) {
      return { includeDir: inc, libDir: lib, source: inc };
    }
  }
  for (const inc of ['/usr/include/openblas', '/usr/local/include/openblas', '/opt/homebrew/opt/openblas/include']) {
    const lib = join(inc, '..', 'lib');
    if (existsSync(join(inc, 'cblas.h')) && ['libopenblas.so', 'libopenblas.dylib'].some((f) => existsSync(join(lib, f)))) {
      return { includeDir: inc, libDir: lib, source: inc };
    }
  }
  return null;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const found = findOpenBlas();
  if (!found) process.exit(1);
  const flag = process.argv[2];
  if (flag === '--include') console.log(found.includeDir);
  else if (flag === '--libs') {
    console.log(found.libDir ? `-L${found.libDir} -Wl,-rpath,${found.libDir} -lopenblas` : '-lopenblas');
  } else console.log(JSON.stringify(found));
}
