import type { Backend } from '../tensor/kernels.ts';
import { createReferenceBackend } from './reference/index.ts';
import { enableReproducibleMode, isReproducibleMode, reproducibleCoreType } from './reproducible.ts';
import { formatVariant, hostCpu, hostCpuFlags } from './variant.ts';
import { BACKEND_NAMES, BackendUnavailableError, type BackendAvailability, type BackendName } from './names.ts';

export { BACKEND_NAMES, BackendUnavailableError, type BackendAvailability, type BackendName };

/** Which backends can run on this machine (the order is `auto`'s order of preference). */
export async function availableBackends(): Promise<BackendAvailability[]> {
  const { nativeAvailability } = await import('./native/index.ts');
  const { wasmAvailability } = await import('./wasm/index.ts');
  return [
    nativeAvailability(),
    wasmAvailability(),
    { name: 'reference', available: true, description: 'plain TypeScript float32 (the specification)' },
    { name: 'reference64', available: true, description: 'plain TypeScript float64 (gradient checks)' },
  ];
}

/**
 * Creates a backend by name. `auto` picks the fastest available one (native, then wasm, then
 * reference) and says which in `backend.description`. Asking by name for a backend that cannot
 * run here throws a BackendUnavailableError naming the reason and the fix.
 *
 * In reproducible mode (`PRETRAIN_LAB_REPRODUCIBLE=1`, see `reproducible.ts`) `auto` means `wasm`,
 * and a backend whose variant is not the reproducible one (a native backend on a CPU without the
 * pinned kernels, or loaded before the mode was switched on) is refused rather than used.
 */
export async function createBackend(name: BackendName = 'auto'): Promise<Backend> {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new BackendUnavailableError(`unknown backend '${name}'; choose one of: ${BACKEND_NAMES.join(', ')}`);
  }
  if (!isReproducibleMode()) return createByName(name);
  const { arch } = hostCpu();
  enableReproducibleMode(arch); // a worker may have inherited only the switch
  const chosen = name === 'auto' ? 'wasm' : name;
  if (chosen === 'native') assertPinnedKernelsRun(arch);
  const backend = await createByName(chosen);
  if (!backend.variant.reproducible) {
    throw new BackendUnavailableError(
      `reproducible mode: backend '${chosen}' runs as ${formatVariant(backend.variant)}` +
        (chosen === 'native'
          ? `; OpenBLAS must load with OPENBLAS_CORETYPE=${reproducibleCoreType(arch) ?? '(none defined for this architecture)'}: switch reproducible mode on before the first backend is created, or use --backend wasm`
          : '; switch reproducible mode on before the first backend is created'),
    );
  }
  return backend;
}

async function createByName(name: BackendName): Promise<Backend> {
  if (name === 'reference') return createReferenceBackend('float32');
  if (name === 'reference64') return createReferenceBackend('float64');
  if (name === 'auto') {
    for (const a of await availableBackends()) {
      if (a.available) return createByName(a.name);
    }
    return createReferenceBackend('float32');
  }
  const avail = (await availableBackends()).find((a) => a.name === name)!;
  if (!avail.available) {
    throw new BackendUnavailableError(`backend '${name}' is unavailable: ${avail.reason ?? 'unknown reason'}`);
  }
  if (name === 'wasm') return (await import('./wasm/index.ts')).createWasmBackend();
  return (await import('./native/index.ts')).createNativeBackend();
}

/** Refuses, before OpenBLAS loads, pinned Haswell kernels on an x86-64 CPU without AVX2 and FMA. */
function assertPinnedKernelsRun(arch: string): void {
  const flags = hostCpuFlags();
  if (arch !== 'x64' || !flags || (flags.has('avx2') && flags.has('fma'))) return;
  throw new BackendUnavailableError(
    `reproducible mode: the native backend pins OpenBLAS's Haswell kernels, which need AVX2 and FMA; this CPU (${hostCpu().model}) lacks them. Use --backend wasm (bit-identical on every machine)`,
  );
}
