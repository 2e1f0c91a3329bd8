import type { Backend } from '../tensor/kernels.ts';
import { createReferenceBackend } from './reference/index.ts';
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
 */
export async function createBackend(name: BackendName = 'auto'): Promise<Backend> {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new BackendUnavailableError(`unknown backend '${name}'; choose one of: ${BACKEND_NAMES.join(', ')}`);
  }
  if (name === 'reference') return createReferenceBackend('float32');
  if (name === 'reference64') return createReferenceBackend('float64');
  if (name === 'auto') {
    for (const a of await availableBackends()) {
      if (a.available) return createBackend(a.name);
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
