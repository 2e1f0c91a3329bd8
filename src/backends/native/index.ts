// The `native` backend (C + OpenBLAS addon, sources in native/): re-exports only.
export { nativeAvailability } from './availability.ts';
export { createNativeBackend } from './native-backend.ts';
export { getThreads, setThreads } from './threads.ts';
export { nativeAddonPath, NATIVE_ENABLE_HINT } from './addon.ts';
