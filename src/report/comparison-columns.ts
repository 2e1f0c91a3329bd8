/**
 * The comparison columns of the report's summary table (issue 10): each cell against its baseline
 * cell as the difference in test error with its 95% bootstrap interval, the p-values (paired t and
 * Wilcoxon when the cells share seeds, else Welch), the Holm-adjusted p over the study's
 * comparisons, and the effect size (d_z paired, Cohen's d unpaired). Highlighting is driven by the
 * Holm-adjusted p only: `*` and bold for Holm p < 0.05, and the row is marked `better` (green) when,
 * in addition, the cell's error is lower.
 */
import type { Comparison } from '../experiments/select.ts';
import { fmtP, pct } from './format.ts';
import { html, type Html } from './html.ts';

/** Family-wise error rate at which the table highlights a comparison (Holm-adjusted). */
export const HOLM_ALPHA = 0.05;

const signed = (x: number): string => `${x > 0 ? '+' : ''}${pct(x)}`;

/** True when the comparison's Holm-adjusted p is below HOLM_ALPHA. */
export function isSignificant(cmp: Comparison | undefined): boolean {
  return cmp !== undefined && cmp.pHolm < HOLM_ALPHA;
}

/** True when the cell's error is significantly lower than its baseline's after Holm (green row). */
export function isBetter(cmp: Comparison | undefined): boolean {
  return isSignificant(cmp) && cmp!.difference < 0;
}

/** Header cells; `vs` names the baseline, e.g. `vs pretrain=none`. */
export function comparisonHeaders(vs: string): Html {
  return html`<th class="num">diff ${vs} [95% CI]</th><th class="num">p (paired t / Wilcoxon, or Welch)</th><th class="num">Holm p</th><th class="num">effect (d_z or d)</th>`;
}

/** The four cells of one row (empty for a row with no comparison, e.g. the baseline itself). */
export function comparisonColumns(cmp: Comparison | undefined): Html {
  if (!cmp) return html`<td class="num"></td><td class="num"></td><td class="num"></td><td class="num"></td>`;
  const ci = Number.isFinite(cmp.ci.lo) ? ` [${signed(cmp.ci.lo)}, ${signed(cmp.ci.hi)}]` : '';
  const p = cmp.paired ? `t ${fmtP(cmp.paired.t.p)} / W ${fmtP(cmp.paired.wilcoxon.p)}` : `Welch ${fmtP(cmp.welch.p)}`;
  const holm = `${fmtP(cmp.pHolm)}${isSignificant(cmp) ? '*' : ''}`;
  const effect = cmp.paired ? cmp.paired.dz : cmp.cohensD;
  const effectText = Number.isFinite(effect) ? `${cmp.paired ? 'd_z' : 'd'} ${effect.toFixed(2)}` : '';
  const n = cmp.paired ? `paired on ${cmp.paired.seeds.length} seeds` : 'unpaired';
  return html`<td class="num" title="${n}">${signed(cmp.difference)}${ci}</td><td class="num" data-design="${cmp.design}">${p}</td><td class="num" data-holm="${cmp.pHolm}">${isSignificant(cmp) ? html`<b>${holm}</b>` : holm}</td><td class="num">${effectText}</td>`;
}

/** The caption under the table: what the columns compute and what drives the highlighting. */
export function comparisonNote(comparisons: readonly Comparison[], vs: string): Html {
  if (comparisons.length === 0) return html``;
  const nPaired = comparisons.filter((c) => c.design === 'paired').length;
  const resamples = comparisons[0]!.ci.resamples;
  const design =
    nPaired === comparisons.length
      ? 'All comparisons are paired by seed (both cells ran the same evaluation seeds; seeds only one cell finished are left out)'
      : nPaired === 0
        ? 'No comparison pairs up (the cells do not share at least two finished seeds), so all are unpaired'
        : `${nPaired} of ${comparisons.length} comparisons are paired by seed (the others do not share at least two finished seeds and are unpaired)`;
  return html`<p class="note">Comparisons (${vs}) hold the other factors equal: diff is its test error minus the baseline's, in percentage points (the mean paired difference when paired), with a 95% bootstrap interval over seeds (expanded percentile, Hesterberg 2015: widened for few seeds; ${resamples.toLocaleString('en-US')} resamples, seeded, so the report is reproducible). ${design}. Paired: two-sided paired t-test (t) and Wilcoxon signed-rank test (W), effect size d_z = mean difference / sd of the differences; unpaired: two-sided Welch t-test and Cohen's d. Holm p: the paired t's p (Welch's when unpaired) adjusted by Holm's step-down procedure over the ${comparisons.length} comparison${comparisons.length === 1 ? '' : 's'} of this study. Highlighting uses the Holm-adjusted p only: <b>bold</b> with * for Holm p &lt; ${HOLM_ALPHA}; a green row is such a cell with the lower error.</p>`;
}
