import type { Backend } from '../../tensor/kernels.ts';
import type { BackendAvailability } from '../registry.ts';

// Placeholder until the AssemblyScript backend lands in this change.
export function nativeAvailability(): BackendAvailability {
  return { name: 'native', available: false, reason: 'not built yet' };
}
export async function createNativeBackend(): Promise<Backend> {
  throw new Error('native backend not built yet');
}
