/**
 * The 95% confidence interval the report prints beside a difference of mean test error between a
 * cell and its baseline (a `Comparison`): Welch's interval over the two cells' seeds. One place, so
 * that a paired or bootstrap interval carried by the comparison can replace it for every table.
 */
import type { Comparison } from '../experiments/select.ts';
import { welchInterval, type Interval } from '../stats/welch-interval.ts';
import { html, type Html } from './html.ts';

/** The 95% interval of `cmp.difference` (fractions of error, like the difference). */
export function comparisonInterval(cmp: Comparison): Interval {
  return welchInterval(cmp.cell.test.values, cmp.baseline.test.values, 0.95);
}

/** Percentage points with a sign: `+0.52`. */
export const pp = (x: number): string => (Number.isFinite(x) ? `${x > 0 ? '+' : x < 0 ? '-' : ''}${Math.abs(100 * x).toFixed(2)}` : '-');

/** `+0.52 [+0.10, +0.94]`, in percentage points. */
export function formatDifference(cmp: Comparison): string {
  const ci = comparisonInterval(cmp);
  return `${pp(cmp.difference)} [${pp(ci.lo)}, ${pp(ci.hi)}]`;
}

/** A table cell with the difference and its interval, shaded when the interval excludes 0 (green: lower error). */
export function differenceCell(cmp: Comparison | undefined): Html {
  if (!cmp) return html`<td class="num">-</td>`;
  const ci = comparisonInterval(cmp);
  const cls = ci.hi < 0 ? 'better' : ci.lo > 0 ? 'worse' : '';
  return html`<td class="num diff${cls ? ` ${cls}` : ''}" title="p = ${Number.isFinite(cmp.welch.p) ? cmp.welch.p.toPrecision(2) : '-'} (Welch), n = ${cmp.cell.test.n} vs ${cmp.baseline.test.n}">${formatDifference(cmp)}</td>`;
}
