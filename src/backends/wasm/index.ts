/**
 * The `wasm` backend: AssemblyScript kernels compiled to WebAssembly with 128-bit SIMD
 * (relaxed SIMD when the engine accepts it), float32 matrices in linear memory,
 * single-threaded. Build it with `node scripts/build-wasm.mjs` (run by `npm install`).
 */
import type { Backend } from '../../tensor/kernels.ts';
import type { BackendAvailability } from '../names.ts';
import { wasmKernels } from './backend.ts';
import { WasmHeap } from './heap.ts';
import { BUILD_COMMAND, builtFileExists, loadKernels } from './load.ts';
import { hostCpu, hostRuntime } from '../variant.ts';

export { WasmMatrix } from './heap.ts';
export { setWasmLocation } from './load.ts';

/** Whether `dist/wasm/kernels.wasm` is built and this engine has WebAssembly. */
export function wasmAvailability(): BackendAvailability {
  if (typeof WebAssembly === 'undefined') {
    return { name: 'wasm', available: false, reason: 'this JavaScript engine has no WebAssembly' };
  }
  if (!builtFileExists()) {
    return { name: 'wasm', available: false, reason: `dist/wasm/kernels.wasm is not built; run: ${BUILD_COMMAND} (or npm install)` };
  }
  return { name: 'wasm', available: true, description: 'AssemblyScript WebAssembly SIMD float32, single-threaded' };
}

let shared: Promise<Backend> | undefined;

/**
 * The wasm backend. Every call returns the same instance (one linear memory per process),
 * so matrices made by any `createBackend('wasm')` work with any other.
 */
export function createWasmBackend(): Promise<Backend> {
  shared ??= loadKernels().then(({ exports, simd, note }) => {
    const heap = new WasmHeap(exports, 'wasm');
    const description =
      `AssemblyScript WebAssembly ${simd === 'relaxed-simd' ? 'relaxed SIMD (f32x4.relaxed_madd)' : '128-bit SIMD'} ` +
      `float32, single-threaded${note ? ` (${note})` : ''}`;
    // Plain SIMD128 is IEEE-exact everywhere; relaxed_madd fuses or not depending on the CPU.
    const variant = { backend: 'wasm', precision: 'float32', wasmBuild: simd, cpu: hostCpu(), runtime: hostRuntime(), reproducible: simd === 'simd128' } as const;
    return wasmKernels(heap, description, variant);
  });
  shared.catch(() => (shared = undefined));
  return shared;
}
