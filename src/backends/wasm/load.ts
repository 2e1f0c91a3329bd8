/**
 * Finding, choosing and instantiating the compiled kernels. The only Node-specific code is
 * `readBuiltFile` / `builtFileExists` (through `process.getBuiltinModule`, so a browser bundle
 * never imports `node:fs`); in a browser the bytes are fetched from the same URL.
 */
import { PACKAGE_ROOT_URL } from '../../package-root.ts';
import type { WasmKernelExports } from './exports.ts';

/** Build outputs: `<package root>/dist/wasm/` (prebuilt in the published package). */
const PLAIN = 'kernels.wasm';
const RELAXED = 'kernels-relaxed.wasm';
export const BUILD_COMMAND = 'node scripts/build-wasm.mjs';

/** Set by `setWasmLocation`: where a bundle put the built files instead of `<package root>/dist/wasm/`. */
let location: URL | undefined;

/**
 * Fetches (or reads) the built kernels from `base` (a URL ending in `/`, holding `kernels.wasm`
 * and `kernels-relaxed.wasm`) instead of `<package root>/dist/wasm/`: a web page bundles this
 * code elsewhere and copies the kernels beside itself. Call it before the first `createBackend('wasm')`.
 */
export function setWasmLocation(base: URL | string): void {
  location = new URL(base);
}

function builtFileUrl(file: string): URL {
  return location ? new URL(file, location) : new URL(`dist/wasm/${file}`, PACKAGE_ROOT_URL);
}

/** A Node built-in module through `process.getBuiltinModule` (undefined in a browser). */
function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

type NodeFs = typeof import('node:fs');
function nodeFs(): NodeFs | undefined {
  return nodeBuiltin<NodeFs>('node:fs');
}

/**
 * Node 20's V8 implements relaxed SIMD (standard in WebAssembly 3.0, on by default from Node 22)
 * behind `--experimental-wasm-relaxed-simd`; the flag only matters when a module is compiled, so
 * it can be switched on at run time. Returns whether this engine now validates `bytes`.
 */
function validateWithRelaxedSimd(bytes: Uint8Array): boolean {
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return true;
  const v8 = nodeBuiltin<typeof import('node:v8')>('node:v8');
  if (!v8) return false;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>);
}

/** True when the built file is present (always true outside Node, where we cannot tell synchronously). */
export function builtFileExists(file: string = PLAIN): boolean {
  const fs = nodeFs();
  return fs ? fs.existsSync(builtFileUrl(file)) : true;
}

/** The bytes of a built file, or null when it is missing. */
async function readBuiltFile(file: string): Promise<Uint8Array | null> {
  const fs = nodeFs();
  if (fs) return fs.existsSync(builtFileUrl(file)) ? fs.readFileSync(builtFileUrl(file)) : null;
  const res = await fetch(builtFileUrl(file));
  return res.ok ? new Uint8Array(await res.arrayBuffer()) : null;
}

export interface LoadedKernels {
  exports: WasmKernelExports;
  /** 'relaxed-simd' when f32x4.relaxed_madd is in use, else 'simd128'. */
  simd: 'relaxed-simd' | 'simd128';
  /** Why relaxed SIMD is not used, when it is not. */
  note: string;
}

/**
 * Instantiates the relaxed-SIMD build (`f32x4.relaxed_madd`) when this engine validates it (on
 * Node 20 after switching on `--experimental-wasm-relaxed-simd` at run time), else the plain
 * SIMD build. The environment variable `PRETRAIN_LAB_WASM_SIMD=simd128` forces the plain build.
 * Both builds pass the same conformance suite; relaxed fused multiply-adds round differently from
 * separate multiplies and adds, so the two builds agree to float32 rounding, not bit for bit.
 */
export async function loadKernels(): Promise<LoadedKernels> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const forcePlain = env['PRETRAIN_LAB_WASM_SIMD'] === 'simd128';
  let bytes: Uint8Array | null = null;
  let simd: LoadedKernels['simd'] = 'simd128';
  let note = '';
  if (forcePlain) {
    note = 'PRETRAIN_LAB_WASM_SIMD=simd128';
  } else {
    const relaxed = await readBuiltFile(RELAXED);
    if (relaxed && validateWithRelaxedSimd(relaxed)) {
      bytes = relaxed;
      simd = 'relaxed-simd';
    } else {
      note = relaxed ? 'this engine does not support relaxed SIMD' : `${RELAXED} not built`;
    }
  }
  bytes ??= await readBuiltFile(PLAIN);
  if (!bytes) throw new Error(`wasm backend: ${PLAIN} is missing; run: ${BUILD_COMMAND} (or npm install)`);
  const imports = {
    env: {
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new Error(`wasm backend: kernel aborted at ${line}:${col}`);
      },
    },
  };
  const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  const instance = await WebAssembly.instantiate(module, imports);
  return { exports: instance.exports as unknown as WasmKernelExports, simd, note };
}
