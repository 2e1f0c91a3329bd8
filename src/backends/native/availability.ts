import type { BackendAvailability } from '../names.ts';
import { loadNativeAddon } from './addon.ts';

/**
 * Whether the native addon is built and loads here; if not, `reason` holds the one-line
 * apt-get and build commands that enable it (`auto` then falls back to wasm).
 */
export function nativeAvailability(): BackendAvailability {
  const load = loadNativeAddon();
  if (!load.ok) return { name: 'native', available: false, reason: load.reason };
  return { name: 'native', available: true, description: `native C + ${load.addon.blasConfig().trim()} (${load.path})` };
}
