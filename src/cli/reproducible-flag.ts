/** The `--reproducible` flag of `run` and `train`: reproducible mode for this process and its workers. */
import { enableReproducibleMode } from '../backends/reproducible.ts';
import { hostCpu } from '../backends/variant.ts';
import { UsageError } from './errors.ts';

export const REPRODUCIBLE_HELP =
  'bit-identical numbers on other machines: plain SIMD128 wasm (auto means wasm), or native with OpenBLAS pinned to Haswell (x86-64) / ARMV8 (arm64)';

/** Switches reproducible mode on when the flag is set; call before any backend is created. */
export function reproducibleFlag(on: unknown): void {
  if (!on) return;
  try {
    enableReproducibleMode(hostCpu().arch);
  } catch (e) {
    throw new UsageError(`--reproducible: ${(e as Error).message}`);
  }
}
