/**
 * Reading and comparing numeric variants (`NumericVariant`, src/tensor/numeric-variant.ts): the
 * machine's CPU and runtime, the fields that decide numbers (`numericKey`), and a one-line text.
 * Browser-safe: Node's `os` is reached through `process.getBuiltinModule`.
 */
import type { CpuInfo, NumericVariant } from '../tensor/numeric-variant.ts';

interface NodeProcess {
  arch?: string;
  version?: string;
  getBuiltinModule?: (id: string) => unknown;
}
const proc = (globalThis as { process?: NodeProcess }).process;

/** This machine's CPU model and architecture (`unknown` where the platform does not say). */
export function hostCpu(): CpuInfo {
  const os = proc?.getBuiltinModule?.('node:os') as typeof import('node:os') | undefined;
  const model = os?.cpus()[0]?.model.trim() || 'unknown';
  return { model, arch: proc?.arch ?? 'unknown' };
}

/** The CPU's feature flags from /proc/cpuinfo (Linux), or null where they cannot be read. */
export function hostCpuFlags(): Set<string> | null {
  const fs = proc?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  try {
    const line = fs?.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
    return line ? new Set(line.split(':')[1]!.trim().split(/\s+/)) : null;
  } catch {
    return null;
  }
}

/** The JavaScript runtime, e.g. `node v20.20.2` (or the browser's user agent). */
export function hostRuntime(): string {
  if (proc?.version) return `node ${proc.version}`;
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? 'unknown';
}

/**
 * The fields of a variant that change numbers: backend, precision, wasm build, BLAS library,
 * version and core type, and the native kernels' compiler and instruction set. Not the thread
 * count (OpenBLAS splits GEMM by rows and columns, each sum runs on one thread in the same order),
 * not the runtime, and not the CPU model, since the core type already names the kernels a CPU
 * gets, and the plain builds are IEEE-exact on any CPU; except for relaxed-SIMD wasm, whose
 * `relaxed_madd` fuses or not depending on the CPU, so there the CPU model is part of the key.
 */
export function numericKey(v: NumericVariant): Record<string, unknown> {
  return {
    backend: v.backend,
    precision: v.precision,
    ...(v.wasmBuild ? { wasmBuild: v.wasmBuild } : {}),
    ...(v.wasmBuild === 'relaxed-simd' ? { cpu: `${v.cpu.model} (${v.cpu.arch})` } : {}),
    ...(v.blas ? { blas: `${v.blas.library} ${v.blas.version} ${v.blas.coreType}` } : {}),
    ...(v.nativeBuild ? { nativeBuild: `${v.nativeBuild.compiler} ${v.nativeBuild.isa}` } : {}),
  };
}

/** True when two variants compute the same numbers (equal `numericKey`). */
export function sameNumerics(a: NumericVariant, b: NumericVariant): boolean {
  return JSON.stringify(numericKey(a)) === JSON.stringify(numericKey(b));
}

/**
 * One line naming every field, e.g. `native float32, OpenBLAS 0.3.21 core Haswell (1 thread),
 * C kernels gcc 12.2.0 x86-64+sse4.2, on AMD EPYC (x64), node v20.20.2, reproducible`.
 */
export function formatVariant(v: NumericVariant): string {
  const parts = [`${v.backend} ${v.precision}`];
  if (v.wasmBuild) parts.push(v.wasmBuild === 'simd128' ? 'plain SIMD128 build' : 'relaxed-SIMD build');
  if (v.blas) parts.push(`${v.blas.library} ${v.blas.version} core ${v.blas.coreType} (${v.blas.threads} thread${v.blas.threads === 1 ? '' : 's'})`);
  if (v.nativeBuild) parts.push(`C kernels ${v.nativeBuild.compiler} ${v.nativeBuild.isa}`);
  parts.push(`on ${v.cpu.model} (${v.cpu.arch})`, v.runtime, v.reproducible ? 'reproducible' : 'not the reproducible variant');
  return parts.join(', ');
}
