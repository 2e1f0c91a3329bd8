/**
 * Pre-training's gap by labelled fraction (the `gap-vs-labels` figure): does a modern recipe make
 * pre-training unnecessary when every label is used, and does pre-training still pay when labels
 * are few and the rest of the training images are unlabelled (`data.labeled`)?
 *
 * The claim comes from the Q&A seed ("Pre-training is no longer necessary [...] we have ReLU,
 * dropout and batch normalization [...] but still may improve performance in some cases where there
 * are too many unsupervised (unlabeled) samples"). It makes two predictions, stated here as numbers
 * for every group of other factors (e.g. `dataset=mnist arm=relu+he+bn depth=3`) and pre-trained arm:
 *
 * 1. *Closes with full labels*: at `data.labeled` 1 the gap g(1) = error(pre-trained) - error(none),
 *    paired by seed with its 95% bootstrap interval (the study's comparison), is not below 0:
 *    holds when the interval's upper end is >= 0, does not hold when the whole interval is below 0.
 * 2. *Stays with few labels*: at each fraction r < 1 the gap g(r) is below 0 (interval below 0);
 *    and it is larger there than at full labels: g(r) - g(1), per seed (both gaps paired by seed,
 *    then the two paired by seed), with its bootstrap interval below 0.
 *
 * With one seed per arm there is no interval: the verdict is the point estimate's and says so.
 * Beside the tables, a chart of g(r) against r with its intervals, one line per series (the groups
 * with their numeric factors, e.g. depth, taken out), one panel per level of those numeric factors.
 */
import * as Plot from '@observablehq/plot';
import { settingKey, settingLabel, shortKey, type Setting } from '../experiments/expand.ts';
import type { ResolvedExperiment } from '../experiments/define.ts';
import type { CellSummary, Comparison } from '../experiments/select.ts';
import { Rng } from '../rng/rng.ts';
import { BOOTSTRAP_RESAMPLES } from '../stats/bootstrap.ts';
import { compareSeeded, type SeededValue } from '../stats/seeded-comparison.ts';
import type { Chart } from './charts.ts';
import { pp } from './difference-interval.ts';
import { fmtP } from './format.ts';
import { html, type Html } from './html.ts';
import { plotToSvg } from './plot-svg.ts';

/** The factor whose levels are the labelled fractions. */
export const LABELED_KEY = 'data.labeled';

/** A verdict on one prediction: whether it holds, and whether that rests on an interval (`sure`) or a point estimate. */
export interface Verdict {
  holds: boolean;
  sure: boolean;
}

/** A difference over seeds with its 95% bootstrap interval (NaN bounds with fewer than two seeds). */
export interface GapDifference {
  difference: number;
  lo: number;
  hi: number;
  /** Seeds (pairs) it rests on. */
  n: number;
  paired: boolean;
}

/** The gap at one labelled fraction below 1. */
export interface FewLabels {
  /** The fraction, e.g. 0.1. */
  labeled: number;
  /** Pre-trained minus baseline at this fraction (the study's comparison). */
  gap: Comparison;
  /** Prediction 2: the gap is below 0. */
  stays: Verdict;
  /** g(r) - g(1) per seed; null without a full-label comparison. */
  vsFull: GapDifference | null;
  /** The gap is larger (more negative) than at full labels; null without a full-label comparison. */
  larger: Verdict | null;
}

/** One group of other factors and one pre-trained arm, across the labelled fractions. */
export interface GapRow {
  /** The other factors' levels, `data.labeled` and the compared factor left out (e.g. `arm=relu+he depth=3`). */
  panel: string;
  /** The compared factor's level (e.g. `sdae`). */
  arm: string;
  /** The panel without its numeric factors (the chart's line, the summary's group), e.g. `arm=relu+he`. */
  series: string;
  /** The panel's numeric factors (the chart's panel), e.g. `depth=3`; `(all)` when none. */
  facet: string;
  /** The comparison at full labels (`data.labeled` 1 or null), or null when the study has none. */
  full: Comparison | null;
  /** Prediction 1: the gap at full labels is not below 0. */
  closes: Verdict | null;
  /** The fractions below 1, ascending. */
  few: FewLabels[];
}

const isFull = (v: unknown): boolean => v === null || v === 1;

/** Below 0: by the interval when there is one, else by the point estimate. */
export function belowZero(d: { difference: number; lo: number; hi: number }): Verdict {
  return Number.isFinite(d.hi) ? { holds: d.hi < 0, sure: true } : { holds: d.difference < 0, sure: false };
}

/** A comparison's difference and interval; no interval (NaN bounds) when an arm has fewer than two seeds (a bootstrap of one value is that value). */
export function comparisonInterval(c: Comparison): { difference: number; lo: number; hi: number } {
  const n = c.paired ? c.paired.seeds.length : Math.min(c.cell.test.n, c.baseline.test.n);
  return n >= 2 ? { difference: c.difference, lo: c.ci.lo, hi: c.ci.hi } : { difference: c.difference, lo: NaN, hi: NaN };
}

/** Prediction 1 on a full-label gap: not below 0 (the interval reaches 0 or lies above it). */
export function closesVerdict(full: Comparison): Verdict {
  const b = belowZero(comparisonInterval(full));
  return { holds: !b.holds, sure: b.sure };
}

/** Per-seed gaps of a comparison: the cell's test error minus the baseline's, on the seeds both finished. */
function seedGaps(cmp: Comparison): SeededValue[] {
  const base = new Map(cmp.baseline.test.seeds.map((s, i) => [s, cmp.baseline.test.values[i]!]));
  return cmp.cell.test.seeds.flatMap((s, i) => (base.has(s) ? [{ seed: s, value: cmp.cell.test.values[i]! - base.get(s)! }] : []));
}

/**
 * g(r) - g(1) over seeds: per-seed gaps (needing both arms on a seed) compared with `compareSeeded`
 * (paired by seed when they share two or more), bootstrap stream `rng`.
 */
export function gapDifference(few: Comparison, full: Comparison, rng: Rng, resamples = BOOTSTRAP_RESAMPLES): GapDifference {
  const a = seedGaps(few), b = seedGaps(full);
  if (a.length < 2 || b.length < 2) {
    const d = a.length && b.length ? a.reduce((s, x) => s + x.value, 0) / a.length - b.reduce((s, x) => s + x.value, 0) / b.length : NaN;
    return { difference: d, lo: NaN, hi: NaN, n: Math.min(a.length, b.length), paired: false };
  }
  const k = compareSeeded(a, b, { rng, resamples });
  return { difference: k.difference, lo: k.ci.lo, hi: k.ci.hi, n: k.design === 'paired' ? k.seeds.length : Math.min(a.length, b.length), paired: k.design === 'paired' };
}

/** The numeric-valued entries of a setting (e.g. depth), and the rest. */
function splitNumeric(s: Setting): { numeric: Setting; rest: Setting } {
  const numeric: Setting = {}, rest: Setting = {};
  for (const [k, v] of Object.entries(s)) (typeof v === 'number' ? numeric : rest)[k] = v;
  return { numeric, rest };
}

/**
 * The rows of the section from the study's comparisons (`compareCells`: each pre-trained cell vs the
 * baseline cell at the same other factors). Empty when `data.labeled` is not a scientific factor or
 * there is no comparison. Bootstrap streams of g(r) - g(1) are forked from `Rng(seed)` by row and fraction.
 */
export function gapRows(exp: ResolvedExperiment, comparisons: readonly Comparison[], opts: { seed?: number; resamples?: number } = {}): GapRow[] {
  const cmpFactor = exp.compare?.factor;
  if (!cmpFactor || !exp.scientific.some((f) => f.key === LABELED_KEY)) return [];
  const groups = new Map<string, { rest: Setting; arm: string; byLevel: Map<unknown, Comparison> }>();
  for (const c of comparisons) {
    if (!(LABELED_KEY in c.cell.cell)) continue;
    const { [LABELED_KEY]: level, [cmpFactor]: armLevel, ...rest } = c.cell.cell;
    const arm = typeof armLevel === 'string' ? armLevel : JSON.stringify(armLevel);
    const key = settingKey({ ...rest, [cmpFactor]: armLevel });
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { rest, arm, byLevel: new Map() }));
    g.byLevel.set(level, c);
  }
  const root = new Rng(opts.seed ?? 0).fork('gap-vs-labels');
  const out: GapRow[] = [];
  for (const { rest, arm, byLevel } of groups.values()) {
    const panel = settingLabel(rest);
    const { numeric, rest: named } = splitNumeric(rest);
    const full = [...byLevel].find(([l]) => isFull(l))?.[1] ?? null;
    const few = [...byLevel]
      .filter(([l]) => typeof l === 'number' && l < 1)
      .sort((x, y) => (x[0] as number) - (y[0] as number))
      .map(([l, gap]): FewLabels => {
        const vsFull = full ? gapDifference(gap, full, root.fork(panel, arm, String(l)), opts.resamples) : null;
        return { labeled: l as number, gap, stays: belowZero(comparisonInterval(gap)), vsFull, larger: vsFull ? belowZero(vsFull) : null };
      });
    out.push({ panel, arm, series: settingLabel(named), facet: settingLabel(numeric), full, closes: full ? closesVerdict(full) : null, few });
  }
  return out;
}

/** A fraction as a percentage: `1%`, `10%`, `100%`. */
export const fraction = (r: number): string => `${Number((100 * r).toPrecision(3))}%`;

const gapText = (d: { difference: number; lo: number; hi: number }): string => `${pp(d.difference)}${Number.isFinite(d.lo) ? ` [${pp(d.lo)}, ${pp(d.hi)}]` : ''}`;

/** A verdict: holds / does not hold, `*` when it rests on a point estimate (one seed). */
function verdictText(v: Verdict): Html {
  return html`<b class="${v.holds ? 'claim-yes' : 'claim-no'}">${v.holds ? 'holds' : 'does not hold'}</b>${v.sure ? '' : '*'}`;
}

/** Green when the interval lies below 0, red above (no shading without an interval). */
function shade(d: { lo: number; hi: number }): string {
  return d.hi < 0 ? ' better' : d.lo > 0 ? ' worse' : '';
}

/**
 * One table cell: a difference with its interval and, under it, the verdict of the prediction it
 * tests (`data-claim`, `data-holds`, `data-sure` for tests and scripts); `title` gives p and Holm p.
 */
function claimCell(claim: string, d: { difference: number; lo: number; hi: number } | null, v: Verdict | null, r: number | undefined, title = ''): Html {
  if (!d || !v) return html`<td class="num">-</td>`;
  return html`<td class="num diff${shade(d)}" data-claim="${claim}"${r !== undefined ? html` data-labeled="${String(r)}"` : ''} data-holds="${String(v.holds)}" data-sure="${String(v.sure)}"${title ? html` title="${title}"` : ''}>${gapText(d)}<br>${verdictText(v)}</td>`;
}

const pTitle = (c: Comparison): string => `${c.paired ? `paired on ${c.paired.seeds.length} seeds` : 'unpaired'}; p ${fmtP(c.p)}, Holm p ${fmtP(c.pHolm)}`;

function rowsTable(rows: readonly GapRow[], fractions: readonly number[], armName: string, base: string): Html {
  const several = new Set(rows.map((r) => r.arm)).size > 1;
  const body = rows.map((r) => {
    const cells = fractions.map((f) => {
      const x = r.few.find((y) => y.labeled === f);
      if (!x) return html`<td class="num">-</td><td class="num">-</td>`;
      return html`${claimCell('stays', comparisonInterval(x.gap), x.stays, f, pTitle(x.gap))}${claimCell('larger', x.vsFull, x.larger, f)}`;
    });
    return html`<tr data-panel="${r.panel}" data-arm="${r.arm}"><td>${r.panel}${several ? html`<br>${armName}=${r.arm}` : ''}</td>${claimCell('closes', r.full ? comparisonInterval(r.full) : null, r.closes, undefined, r.full ? pTitle(r.full) : '')}${cells}</tr>`;
  });
  const arm = several ? `${armName} arm` : `${armName}=${rows[0]?.arm ?? ''}`;
  return html`<div style="overflow-x: auto"><table class="gap-vs-labels" data-rows="${rows.length}"><thead><tr><th>cell</th><th class="num">gap at 100%: closes?</th>${fractions.map(
    (f) => html`<th class="num">gap at ${fraction(f)}: stays?</th><th class="num">gap at ${fraction(f)} - gap at 100%: larger?</th>`,
  )}</tr></thead><tbody>${body}</tbody></table></div><p class="note">gap: test error of ${arm} minus ${armName}=${base} at the same other factors and labelled fraction, in percentage points, mean over the evaluation seeds paired by seed, with the study's 95% bootstrap interval (expanded percentile); green: the interval lies below 0 (pre-training lowers the error), red: above 0. Under each number, the verdict of the prediction it tests.</p>`;
}

/** Per series (the panel without its numeric factors) and prediction: on how many of its rows the prediction holds. */
export interface GapTally {
  series: string;
  arm: string;
  rows: number;
  closes: number;
  /** Per fraction below 1: rows where the gap stays below 0, and where it is larger than at 100%. */
  few: { labeled: number; stays: number; larger: number }[];
}

/** Counts the verdicts of `rows` per (series, arm), series in order of first appearance. */
export function gapTallies(rows: readonly GapRow[]): GapTally[] {
  const out = new Map<string, GapTally>();
  for (const r of rows) {
    const key = JSON.stringify([r.series, r.arm]);
    let t = out.get(key);
    if (!t) out.set(key, (t = { series: r.series, arm: r.arm, rows: 0, closes: 0, few: [] }));
    t.rows++;
    if (r.closes?.holds) t.closes++;
    for (const x of r.few) {
      let f = t.few.find((y) => y.labeled === x.labeled);
      if (!f) t.few.push((f = { labeled: x.labeled, stays: 0, larger: 0 }));
      if (x.stays.holds) f.stays++;
      if (x.larger?.holds) f.larger++;
    }
  }
  return [...out.values()];
}

function tallyList(tallies: readonly GapTally[], hasFull: boolean): Html {
  const items = tallies.map((t) => {
    const parts = [
      ...(hasFull ? [`the gap closes at 100% in ${t.closes} of ${t.rows}`] : []),
      ...t.few.map((f) => `stays at ${fraction(f.labeled)} in ${f.stays} of ${t.rows}${hasFull ? `, larger there than at 100% in ${f.larger} of ${t.rows}` : ''}`),
    ];
    return html`<li data-series="${t.series}" data-arm="${t.arm}">${t.series === '(all)' ? '' : `${t.series}, `}${t.arm}: ${parts.join('; ')}.</li>`;
  });
  return html`<ul class="gap-tallies">${items}</ul>`;
}

/** Tableau 10, as the other charts. */
const SERIES_COLORS = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'];

/** The chart of the gap against the labelled fraction (null without a row that has data). */
export function gapChart(rows: readonly GapRow[], armName: string, base: string): Chart | null {
  const points = rows.flatMap((r) => {
    const at = [...(r.full ? [{ labeled: 1, d: r.full }] : []), ...r.few.map((x) => ({ labeled: x.labeled, d: x.gap }))];
    const many = new Set(rows.map((y) => y.arm)).size > 1;
    const series = many ? `${r.series === '(all)' ? '' : `${r.series} `}${armName}=${r.arm}` : r.series;
    return at
      .filter((p) => Number.isFinite(p.d.difference))
      .map((p) => ({ series, facet: r.facet, x: fraction(p.labeled), labeled: p.labeled, gap: 100 * p.d.difference, lo: 100 * p.d.ci.lo, hi: 100 * p.d.ci.hi, n: p.d.paired?.seeds.length ?? Math.min(p.d.cell.test.n, p.d.baseline.test.n) }));
  });
  if (points.length === 0) return null;
  const xs = [...new Set(points.map((p) => p.labeled))].sort((a, b) => a - b).map(fraction);
  const series = [...new Set(points.map((p) => p.series))];
  const facets = [...new Set(points.map((p) => p.facet))];
  const bars = points.filter((p) => Number.isFinite(p.lo) && Number.isFinite(p.hi));
  // A gap of tens of points (a deep sigmoid network stuck without pre-training) beside gaps of a few
  // tenths would flatten the small ones onto 0: then a symlog axis, linear within 1 point of 0.
  const magnitudes = [...points.map((p) => Math.abs(p.gap)), ...bars.flatMap((p) => [Math.abs(p.lo), Math.abs(p.hi)])];
  const symlog = Math.max(...magnitudes) > 10 && Math.min(...points.map((p) => Math.abs(p.gap))) < 2;
  const svg = plotToSvg({
    width: 860,
    height: 380,
    marginTop: 40,
    marginLeft: 60,
    marginBottom: 44,
    style: { fontSize: '12px' },
    fx: { label: null, domain: facets, axis: facets.length > 1 ? 'top' : null },
    x: { type: 'point', domain: xs, label: 'labelled fraction of the training set', padding: 0.4 },
    y: symlog
      ? { type: 'symlog', constant: 1, label: `test error, ${armName} minus ${base} (points, symlog scale)`, grid: true, ticks: [-50, -20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20, 50].filter((t) => t >= Math.min(0, ...points.map((p) => p.lo), ...points.map((p) => p.gap)) - 1 && t <= Math.max(0, ...points.map((p) => p.hi), ...points.map((p) => p.gap)) + 1) }
      : { label: `test error, ${armName} minus ${base} (points)`, grid: true, nice: true },
    color: { domain: series, range: series.map((_, i) => SERIES_COLORS[i % SERIES_COLORS.length]!), legend: series.length > 1 },
    marks: [
      Plot.ruleY([0], { stroke: '#59636e' }),
      Plot.ruleX(bars, { fx: 'facet', x: 'x', y1: 'lo', y2: 'hi', stroke: 'series', strokeWidth: 1.4, dx: 0 }),
      Plot.line(points, { fx: 'facet', x: 'x', y: 'gap', z: 'series', stroke: 'series', strokeWidth: 1.4, sort: { channel: 'x' } }),
      Plot.dot(points, { fx: 'facet', x: 'x', y: 'gap', fill: 'series', r: 3.5, className: 'm-gap', title: (p: (typeof points)[number]) => `${p.series}${p.facet === '(all)' ? '' : ` ${p.facet}`} at ${p.x}: ${p.gap.toFixed(2)} points [${p.lo.toFixed(2)}, ${p.hi.toFixed(2)}] (n=${p.n})` }),
    ],
  });
  return {
    id: 'chart-gap-vs-labels',
    title: 'Pre-training gap vs labelled fraction',
    caption: `Test error of ${armName} minus ${armName}=${base} (percentage points; below 0: pre-training helps) at each labelled fraction (data.labeled; the rest of the training images are pre-training's only), mean over the evaluation seeds paired by seed with its 95% bootstrap interval, one line per ${series.length > 1 ? 'series' : 'group'}${facets.length > 1 ? ', one panel per level of the numeric factors' : ''}.${symlog ? ' Symlog y axis (linear within 1 point of 0, logarithmic beyond): the gaps span from tenths of a point to tens of points.' : ''}`,
    svg,
    markSelector: '.m-gap circle',
    marks: points.length,
  };
}

/** The section: the two predictions in words and per row, the tallies, the table and the chart (null without rows). */
export function gapVsLabelsSection(exp: ResolvedExperiment, comparisons: readonly Comparison[]): { chart: Chart | null; body: Html; rows: GapRow[] } | null {
  const rows = gapRows(exp, comparisons);
  if (rows.length === 0 || !exp.compare) return null;
  const armName = shortKey(exp.compare.factor), base = String(exp.compare.baseline);
  const fractions = [...new Set(rows.flatMap((r) => r.few.map((x) => x.labeled)))].sort((a, b) => a - b);
  const hasFull = rows.some((r) => r.full);
  const chart = gapChart(rows, armName, base);
  const body = html`<section id="gap-vs-labels"><h2>Does pre-training still help? The gap by labelled fraction</h2>
<p class="note">The Q&amp;A seed's answer: "Pre-training is no longer necessary [...] we have ReLU, dropout and batch normalization [...] it still may improve performance in some cases where there are too many unsupervised (unlabeled) samples." Its two predictions, per row (pre-trained minus ${armName}=${base}): <b>closes at 100%</b>: with every label, the gap's 95% interval is not below 0 (holds when it reaches 0 or lies above; an interval that includes 0 is no evidence of a gap, not proof of none: read its width); <b>stays at r</b>: with a fraction r of the labels and every image for pre-training, the interval lies below 0; <b>larger at r</b>: the gap at r minus the gap at 100%, per seed, has an interval below 0.</p>
${tallyList(gapTallies(rows), hasFull)}${rowsTable(rows, fractions, armName, base)}
<p class="note">gap at r - gap at 100%: the per-seed gaps (both arms on the same seed) at the two fractions compared by seed, with a 95% bootstrap interval (expanded percentile, 10,000 resamples, seeded); the same seeds run every fraction, so the difference is paired. The verdicts read each row's unadjusted 95% interval; the summary table's Holm-adjusted p-values account for the study's many comparisons (a gap's p and Holm p show on hover).${rows.some((r) => r.closes?.sure === false || r.few.some((x) => !x.stays.sure)) ? ' A verdict marked * rests on a point estimate (fewer than two seeds: no interval).' : ''}</p></section>`;
  return { chart, body, rows };
}
