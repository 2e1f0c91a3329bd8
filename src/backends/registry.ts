import type { Backend } from '../tensor/kernels.ts';
import { createReferenceBackend } from './reference/index.ts';

/** Names accepted by `createBackend` and `--backend`. */
export const BACKEND_NAMES = ['auto', 'reference', 'reference64', 'wasm', 'native'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Whether a backend can run here, and if not, the one thing to do about it. */
export interface BackendAvailability {
  name: Exclude<BackendName, 'auto'>;
  available: boolean;
  /** Why not, with the command that enables it (e.g. the apt-get line for `native`). */
  reason?: string;
  description?: string;
}

/** Error for a backend that was asked for by name but cannot run here. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

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
