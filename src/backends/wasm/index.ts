import type { Backend } from '../../tensor/kernels.ts';
import type { BackendAvailability } from '../registry.ts';

// Placeholder until the AssemblyScript backend lands in this change.
export function wasmAvailability(): BackendAvailability {
  return { name: 'wasm', available: false, reason: 'not built yet' };
}
export async function createWasmBackend(): Promise<Backend> {
  throw new Error('wasm backend not built yet');
}
