/**
 * The backend vocabulary, with no imports: the names `createBackend` and `--backend` accept, what
 * `availableBackends()` says about each, and the error for one that cannot run here. The registry,
 * every backend and the trial config schema (`src/train/config.ts`) take them from here, so the
 * list exists once and nothing imports the registry to learn a name.
 */

/** Names accepted by `createBackend` and `--backend` (`auto` picks the fastest available one). */
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
