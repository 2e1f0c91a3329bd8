/**
 * The report's "Numeric variant" section: which exact variants (backend, BLAS core type, wasm
 * build, CPU, ...) computed the study's trials, one row per variant with its trial count, and a
 * warning when there is more than one (admitted by `--allow-mixed-variants`).
 */
import type { NumericVariant } from '../tensor/numeric-variant.ts';
import { formatVariant, numericKey } from '../backends/variant.ts';
import type { TrialRecord } from '../experiments/store.ts';
import { html, type Html } from './html.ts';

/** Trials computed by one numeric variant (variants with equal numerics are one group). */
export interface VariantGroup {
  /** The first record's variant of the group. */
  variant: NumericVariant;
  trials: number;
  /** CPU models seen in the group (the CPU model alone does not change numbers, see `numericKey`). */
  cpus: string[];
}

/** Groups records by numeric variant, in order of first appearance. */
export function studyVariants(records: Iterable<TrialRecord>): VariantGroup[] {
  const groups = new Map<string, VariantGroup>();
  for (const r of records) {
    const key = JSON.stringify(numericKey(r.variant));
    const g = groups.get(key);
    if (!g) groups.set(key, { variant: r.variant, trials: 1, cpus: [r.variant.cpu.model] });
    else {
      g.trials++;
      if (!g.cpus.includes(r.variant.cpu.model)) g.cpus.push(r.variant.cpu.model);
    }
  }
  return [...groups.values()];
}

/** The section's HTML (empty when there are no records). */
export function variantSection(groups: readonly VariantGroup[]): Html {
  if (groups.length === 0) return html``;
  const rows = groups.map((g) => {
    const v = g.variant;
    const kernels = v.blas ? `${v.blas.library} ${v.blas.version}, core ${v.blas.coreType}` : v.wasmBuild ? `wasm ${v.wasmBuild}` : 'TypeScript loops';
    return html`<tr><td>${v.backend} ${v.precision}</td><td>${kernels}</td><td>${g.cpus.join('; ')}</td><td>${v.reproducible ? 'yes' : 'no'}</td><td>${g.trials}</td></tr>`;
  });
  const warn =
    groups.length > 1
      ? html`<p class="warn">${groups.length} numeric variants computed these trials (mixed with --allow-mixed-variants): their numbers are not bit-comparable.</p>`
      : '';
  const notes = groups.map((g, i) => html`${i > 0 ? html`<br>` : ''}${formatVariant(g.variant)}`);
  return html`<section id="variant"><h2>Numeric variant</h2>${warn}<table><thead><tr><th>backend</th><th>kernels</th><th>CPU</th><th>reproducible</th><th>trials</th></tr></thead><tbody>${rows}</tbody></table><p class="note">${notes}</p></section>`;
}
