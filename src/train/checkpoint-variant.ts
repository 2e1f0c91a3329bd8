/**
 * The numeric variant in checkpoint metadata: every checkpoint a trial writes (`resume`, `final`)
 * carries `variant` (the backend's NumericVariant as JSON), and a resume is refused when the
 * checkpoint was computed by a variant with other numerics (`sameNumerics`), since the continued
 * run would then be neither trajectory. A checkpoint without the key (written before variants were
 * recorded) is accepted: nothing can be checked.
 */
import type { NumericVariant } from '../tensor/numeric-variant.ts';
import { formatVariant, sameNumerics } from '../backends/variant.ts';
import { StaleStateError } from './safetensors.ts';

/** The metadata entry naming `variant`. */
export function variantMetadata(variant: NumericVariant): { variant: string } {
  return { variant: JSON.stringify(variant) };
}

/** The variant recorded in checkpoint metadata, or null when there is none. */
export function checkpointVariant(metadata: Readonly<Record<string, string>>): NumericVariant | null {
  const json = metadata['variant'];
  return json === undefined ? null : (JSON.parse(json) as NumericVariant);
}

/** Throws StaleStateError when the checkpoint at `path` was computed by a variant with other numerics than `variant`. */
export function assertResumableVariant(metadata: Readonly<Record<string, string>>, variant: NumericVariant, path: string): void {
  const saved = checkpointVariant(metadata);
  if (!saved || sameNumerics(saved, variant)) return;
  throw new StaleStateError(
    `cannot resume from ${path}: it was computed by ${formatVariant(saved)}, this process runs ${formatVariant(variant)}; ` +
      `resume with the same backend variant (see --reproducible), or delete it to start the trial again`,
  );
}
