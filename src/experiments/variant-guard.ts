/**
 * One study, one numeric variant. The first record in a study's store fixes its variant; a trial
 * computed by a variant with other numerics (`sameNumerics`: backend, precision, wasm build, BLAS
 * library, version and core type, native kernels' build) is refused, naming both variants and the
 * flag that allows it (`--allow-mixed-variants`); a record admitted that way is marked
 * `mixedVariant: true`. Every executor (the local worker pool today, distributed ones later)
 * writes through the runner, so the check sits here once.
 */
import type { NumericVariant } from '../tensor/numeric-variant.ts';
import type { BackendName } from '../backends/names.ts';
import { createBackend } from '../backends/registry.ts';
import { formatVariant, sameNumerics } from '../backends/variant.ts';
import type { TrialRecord } from './store.ts';

/** Refusal to add a trial of another numeric variant to a study. */
export class MixedVariantError extends Error {
  override name = 'MixedVariantError';
}

export class StudyVariant {
  private study: NumericVariant | null = null;
  private source = '';

  /**
   * @param records the study's existing records (the first one with a variant fixes the study's)
   * @param allowMixed admit other variants (`--allow-mixed-variants`), marking their records
   */
  constructor(records: Iterable<TrialRecord>, readonly allowMixed: boolean) {
    for (const r of records) {
      if (!r.variant) continue;
      this.study = r.variant;
      this.source = `its record ${r.hash.slice(0, 12)}`;
      break;
    }
  }

  /** The study's variant, once any record has one. */
  get variant(): NumericVariant | null {
    return this.study;
  }

  /**
   * Admits a trial computed by `variant`. Returns true when it differs from the study's and was
   * admitted only because mixing is allowed (mark its record); throws MixedVariantError otherwise.
   */
  admit(variant: NumericVariant, what: string): boolean {
    if (!this.study) {
      this.study = variant;
      this.source = what;
      return false;
    }
    if (sameNumerics(this.study, variant)) return false;
    if (this.allowMixed) return true;
    throw new MixedVariantError(
      `${what} would mix numeric variants in one study:\n  the study (${this.source}): ${formatVariant(this.study)}\n  ${what}: ${formatVariant(variant)}\n` +
        `Run it with the study's variant (e.g. --reproducible on every machine, or the same OPENBLAS_CORETYPE / PRETRAIN_LAB_WASM_SIMD), ` +
        `use another --runs-dir, or pass --allow-mixed-variants to mix them (each such record is marked mixedVariant).`,
    );
  }

  /**
   * Before any trial runs: admits the variant this process would compute with for each backend
   * the pending trials ask for, so that a study that cannot accept them is refused before hours of
   * work rather than after the first trial. Does nothing for a new study or when mixing is allowed.
   */
  async admitLocal(backends: Iterable<BackendName>): Promise<void> {
    if (!this.study || this.allowMixed) return;
    for (const name of new Set(backends)) this.admit((await createBackend(name)).variant, `this machine's backend '${name}'`);
  }
}
