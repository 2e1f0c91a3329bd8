export {
  availableBackends,
  createBackend,
  BACKEND_NAMES,
  BackendUnavailableError,
  type BackendAvailability,
  type BackendName,
} from './registry.ts';
export { createReferenceBackend } from './reference/index.ts';
