export { availableBackends, createBackend } from './registry.ts';
export { BACKEND_NAMES, BackendUnavailableError, type BackendAvailability, type BackendName } from './names.ts';
export { createReferenceBackend } from './reference/index.ts';
export { formatVariant, hostCpu, numericKey, sameNumerics } from './variant.ts';
export { enableReproducibleMode, isReproducibleMode, reproducibleCoreType, REPRODUCIBLE_ENV } from './reproducible.ts';
