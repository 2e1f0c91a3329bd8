/**
 * Reproducible mode: the numeric variants that give bit-identical numbers on other machines.
 *
 * - `wasm`: the plain SIMD128 build (no relaxed instructions: every operation is IEEE-exact, so
 *   any x86-64 or ARM machine, and any browser, computes the same bits).
 * - `native`: OpenBLAS pinned to one baseline core type for the whole process (`Haswell` on
 *   x86-64: needs AVX2 and FMA; `ARMV8` on arm64), set in `OPENBLAS_CORETYPE` before the library
 *   loads. Identical across machines of one architecture with the same OpenBLAS version and the
 *   same addon build (all recorded in the variant); x86-64 and arm64 results differ from each other.
 * - `auto` resolves to `wasm`: the one variant that is the same on every machine.
 * - `reference` / `reference64` are plain IEEE arithmetic already.
 *
 * The switch is the environment variable `PRETRAIN_LAB_REPRODUCIBLE=1` (what `--reproducible`
 * sets), so worker processes inherit it with the variables it implies.
 */

/** The environment variable that turns reproducible mode on (`1`). */
export const REPRODUCIBLE_ENV = 'PRETRAIN_LAB_REPRODUCIBLE';

const CORE_TYPE: Record<string, string> = { x64: 'Haswell', arm64: 'ARMV8' };

type Env = Record<string, string | undefined>;
const env = (): Env => (globalThis as { process?: { env?: Env } }).process?.env ?? {};

/** The OpenBLAS core type reproducible mode pins on `arch` (`x64`, `arm64`), or undefined where none is defined. */
export function reproducibleCoreType(arch: string): string | undefined {
  return CORE_TYPE[arch];
}

/** True when this process runs in reproducible mode. */
export function isReproducibleMode(): boolean {
  return env()[REPRODUCIBLE_ENV] === '1';
}

/**
 * Turns reproducible mode on for this process and the processes it starts: sets
 * `PRETRAIN_LAB_REPRODUCIBLE=1`, `PRETRAIN_LAB_WASM_SIMD=simd128` and `OPENBLAS_CORETYPE` (the
 * baseline for `arch`). Call it before any backend is created: OpenBLAS reads its variable once,
 * when the library loads (`createBackend` checks afterwards and refuses a native backend loaded
 * with another core type). Throws when the caller already pinned a different core type.
 */
export function enableReproducibleMode(arch: string): void {
  const e = env();
  const core = reproducibleCoreType(arch);
  const pinned = e['OPENBLAS_CORETYPE'];
  if (core && pinned && pinned.toLowerCase() !== core.toLowerCase()) {
    throw new Error(`reproducible mode pins OPENBLAS_CORETYPE=${core} on ${arch}, but the environment sets OPENBLAS_CORETYPE=${pinned}; unset it`);
  }
  e[REPRODUCIBLE_ENV] = '1';
  e['PRETRAIN_LAB_WASM_SIMD'] = 'simd128';
  if (core) e['OPENBLAS_CORETYPE'] = core;
}
