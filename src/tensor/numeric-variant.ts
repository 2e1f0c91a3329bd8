/**
 * The exact numeric variant of a backend: everything that decides the last bits of its results,
 * as fields. Two runs of the same trial config give bit-identical numbers when their variants
 * agree on the fields `numericKey` (src/backends/variant.ts) compares; the rest (CPU model,
 * runtime, thread count) is recorded so that a difference can be explained.
 *
 * Why each field matters (measured, issue 9): OpenBLAS picks its GEMM kernels by CPU at load time
 * (`blas.coreType`; Haswell and Cooperlake kernels give test NLL 0.28536556 vs 0.28536540 on the
 * same trial), and the relaxed-SIMD wasm build may or may not fuse `relaxed_madd` on a given CPU,
 * while the plain SIMD128 build is IEEE-deterministic everywhere.
 */

/** Which compiled AssemblyScript kernels the wasm backend runs. */
export type WasmBuild = 'simd128' | 'relaxed-simd';

/** The BLAS library behind the native backend's GEMM. */
export interface BlasVariant {
  library: 'OpenBLAS';
  /** e.g. `0.3.21`. */
  version: string;
  /** The kernel set chosen at load time (`DYNAMIC_ARCH`), e.g. `Haswell`; `OPENBLAS_CORETYPE` pins it. */
  coreType: string;
  /** GEMM threads when the variant was read (splits rows/columns, not the inner sums). */
  threads: number;
  /** The full build string, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`. */
  config: string;
}

/** How the native addon's own C kernels were compiled (a compiler with FMA may fuse `a * b + c`). */
export interface NativeBuild {
  /** e.g. `gcc 12.2.0`. */
  compiler: string;
  /** Instruction-set extensions compiled for, e.g. `x86-64+sse4.2`. */
  isa: string;
}

/** The machine a variant was read on. */
export interface CpuInfo {
  /** e.g. `AMD EPYC 7B13` (os.cpus()[0].model; `unknown` when the platform does not say). */
  model: string;
  /** Node's `process.arch`: `x64`, `arm64`, ... */
  arch: string;
}

/** A backend's exact numeric variant (see the module comment). */
export interface NumericVariant {
  /** The backend's name (`Kernels.name`): `reference`, `reference64`, `wasm` or `native`. */
  backend: string;
  precision: 'float32' | 'float64';
  /** wasm only. */
  wasmBuild?: WasmBuild;
  /** native only. */
  blas?: BlasVariant;
  /** native only. */
  nativeBuild?: NativeBuild;
  cpu: CpuInfo;
  /** The JavaScript runtime, e.g. `node v20.20.2`. */
  runtime: string;
  /**
   * True for the documented reproducible variants: the reference backends, plain SIMD128 wasm,
   * and native with OpenBLAS pinned to its baseline core type (`--reproducible`).
   */
  reproducible: boolean;
}
