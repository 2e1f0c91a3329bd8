/**
 * A table cell of the report's per-level tables: a comparison's difference of test error and its
 * 95% bootstrap interval (`Comparison.ci`, paired by seed when the cells share seeds), in
 * percentage points, shaded when the interval excludes 0 (green: lower error, red: higher).
 */
import type { Comparison } from '../experiments/select.ts';
import { fmtP } from './format.ts';
import { html, type Html } from './html.ts';

/** Percentage points with a sign: `+0.52`, `-1.87`. */
export const pp = (x: number): string => (Number.isFinite(x) ? `${x > 0 ? '+' : x < 0 ? '-' : ''}${Math.abs(100 * x).toFixed(2)}` : '-');

/** `+0.52 [+0.10, +0.94]`, in percentage points (no interval when it is undefined). */
export function formatDifference(cmp: Comparison): string {
  return `${pp(cmp.difference)}${Number.isFinite(cmp.ci.lo) ? ` [${pp(cmp.ci.lo)}, ${pp(cmp.ci.hi)}]` : ''}`;
}

/** The cell; its title gives the design, p and Holm p. */
export function differenceCell(cmp: Comparison | undefined): Html {
  if (!cmp) return html`<td class="num">-</td>`;
  const cls = cmp.ci.hi < 0 ? 'better' : cmp.ci.lo > 0 ? 'worse' : '';
  const design = cmp.paired ? `paired on ${cmp.paired.seeds.length} seeds` : 'unpaired';
  return html`<td class="num diff${cls ? ` ${cls}` : ''}" title="${design}; p ${fmtP(cmp.p)}, Holm p ${fmtP(cmp.pHolm)}">${formatDifference(cmp)}</td>`;
}
