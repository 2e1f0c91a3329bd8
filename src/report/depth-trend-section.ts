/**
 * The `depth-trend` section: Figure 1's reading along depth as numbers (Erhan et al. 2010,
 * Section 6.1: "unsupervised pre-training allows classification error to go down steadily as we
 * move from 1 to 4 hidden layers, whereas without pre-training the error goes up after 2 hidden
 * layers"; "the variance and number of bad outliers grows sharply as we increase the number of
 * layers beyond 2" without pre-training, while with it "the variance stays at about the same level").
 *
 * Two tables, per panel (the levels of the other factors, e.g. the data set):
 * - the change of test error from each depth to the next, within each arm, paired by seed (every
 *   depth runs the same seeds): the mean difference in percentage points with a 95% bootstrap
 *   interval (expanded percentile, as the comparisons) and the paired t-test's p; an interval
 *   above 0 is a rise, below 0 a fall;
 * - the spread over seeds at each depth: each arm's standard deviation, and the ratio of the
 *   baseline arm's to each other arm's with a 95% percentile bootstrap interval (the seeds
 *   resampled with their pairs).
 * The bootstrap streams fork from `Rng(0)` by panel, arm and depth, so the numbers are reproducible.
 */
import { Rng } from '../rng/rng.ts';
import type { CellSummary } from '../experiments/select.ts';
import { quantile, std } from '../stats/index.ts';
import { fmtP } from './format.ts';
import { html, type Html } from './html.ts';
import { factorPoints, type FactorPoint } from './error-vs-factor.ts';
import { meanDifference, type MeanDifference } from './nll-trajectories.ts';
import type { SeedValue } from './online-results.ts';

/** The factor the section reads along. */
export const DEPTH_KEY = 'model.depth';
/** Resamples of the spread ratio's bootstrap. */
const RATIO_RESAMPLES = 10_000;

/** One arm's change from depth `from` to depth `to` (seed-paired). */
export interface DepthStep {
  panel: string;
  arm: string;
  from: number;
  to: number;
  /** Error at `to` minus error at `from` (fractions, not percent). */
  change: MeanDifference;
}

/** The spread of the arms at one depth: standard deviations and the baseline's over each other arm's. */
export interface DepthSpread {
  panel: string;
  depth: number;
  sd: Map<string, number>;
  /** arm -> baseline sd / arm sd with its 95% interval. */
  ratio: Map<string, { value: number; lo: number; hi: number; n: number }>;
}

const seedValues = (c: CellSummary): SeedValue[] => c.test.seeds.map((seed, i) => ({ seed, value: c.test.values[i]! }));

/** Baseline sd over arm sd, with a percentile bootstrap over the shared seeds (pairs resampled together). */
function spreadRatio(base: readonly SeedValue[], arm: readonly SeedValue[], rng: Rng): { value: number; lo: number; hi: number; n: number } {
  const other = new Map(arm.map((s) => [s.seed, s.value]));
  const pairs = base.filter((s) => other.has(s.seed)).map((s) => [s.value, other.get(s.seed)!] as const);
  const n = pairs.length;
  const value = std(pairs.map((p) => p[0])) / std(pairs.map((p) => p[1]));
  if (n < 3) return { value, lo: NaN, hi: NaN, n };
  const stats: number[] = [];
  for (let r = 0; r < RATIO_RESAMPLES; r++) {
    const idx = pairs.map(() => rng.int(n));
    const s2 = std(idx.map((i) => pairs[i]![1]));
    if (s2 > 0) stats.push(std(idx.map((i) => pairs[i]![0])) / s2);
  }
  stats.sort((a, b) => a - b);
  return { value, lo: quantile(stats, 0.025), hi: quantile(stats, 0.975), n };
}

/** The steps and spreads of every panel (see the module comment); empty when the cells have no numeric `depth` with two levels. */
export function depthTrend(cells: readonly CellSummary[], armFactor: string | null, baseline: unknown): { steps: DepthStep[]; spreads: DepthSpread[] } {
  const points = factorPoints(cells.filter((c) => c.test.n > 0), DEPTH_KEY, armFactor);
  const root = new Rng(0).fork('depth-trend');
  const steps: DepthStep[] = [];
  const spreads: DepthSpread[] = [];
  const base = typeof baseline === 'string' ? baseline : baseline === undefined ? undefined : JSON.stringify(baseline);
  for (const panel of [...new Set(points.map((p) => p.panel))]) {
    const inPanel = points.filter((p) => p.panel === panel);
    const arms = [...new Set(inPanel.map((p) => p.arm))];
    const at = (arm: string, x: number): FactorPoint | undefined => inPanel.find((p) => p.arm === arm && p.x === x);
    const depths = [...new Set(inPanel.map((p) => p.x))].sort((a, b) => a - b);
    for (const arm of arms) {
      const levels = depths.filter((d) => at(arm, d));
      for (let i = 0; i + 1 < levels.length; i++) {
        const from = levels[i]!, to = levels[i + 1]!;
        const change = meanDifference(seedValues(at(arm, to)!.cell), seedValues(at(arm, from)!.cell), root.fork(panel, arm, from));
        steps.push({ panel, arm, from, to, change });
      }
    }
    if (base === undefined || !arms.includes(base)) continue;
    for (const depth of depths) {
      const b = at(base, depth);
      if (!b) continue;
      const sd = new Map<string, number>();
      const ratio = new Map<string, { value: number; lo: number; hi: number; n: number }>();
      for (const arm of arms) {
        const a = at(arm, depth);
        if (!a) continue;
        sd.set(arm, a.cell.test.std);
        if (arm !== base) ratio.set(arm, spreadRatio(seedValues(b.cell), seedValues(a.cell), root.fork(panel, 'spread', arm, depth)));
      }
      spreads.push({ panel, depth, sd, ratio });
    }
  }
  return { steps, spreads };
}

const pp = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}` : '-');

function stepCell(s: DepthStep | undefined): Html {
  if (!s) return html`<td class="num">-</td>`;
  const c = s.change;
  const cls = c.lo > 0 ? 'worse' : c.hi < 0 ? 'better' : '';
  return html`<td class="num diff${cls ? ` ${cls}` : ''}" data-from="${s.from}" data-to="${s.to}" title="${c.paired ? `paired on ${c.n} seeds` : 'unpaired'}; p ${fmtP(c.p)}">${pp(c.difference)} [${pp(c.lo)}, ${pp(c.hi)}]<br><small>p ${fmtP(c.p)}</small></td>`;
}

/** The section's HTML, or null when there is nothing along depth. */
export function depthTrendSection(cells: readonly CellSummary[], armFactor: string | null, baseline: unknown): Html | null {
  const { steps, spreads } = depthTrend(cells, armFactor, baseline);
  if (steps.length === 0) return null;
  const panels = [...new Set(steps.map((s) => s.panel))];
  const body = panels.map((panel) => {
    const ps = steps.filter((s) => s.panel === panel);
    const arms = [...new Set(ps.map((s) => s.arm))];
    const transitions = [...new Map(ps.map((s) => [`${s.from}-${s.to}`, s] as const)).values()].sort((a, b) => a.from - b.from);
    const sp = spreads.filter((s) => s.panel === panel);
    const others = [...new Set(sp.flatMap((s) => [...s.ratio.keys()]))];
    const spreadTable = sp.length
      ? html`<table class="depth-spread" data-panel="${panel}"><thead><tr><th>depth</th>${arms.map((a) => html`<th class="num">sd ${a} (%)</th>`)}${others.map((a) => html`<th class="num">sd ratio ${String(baseline)} / ${a} [95% CI]</th>`)}</tr></thead><tbody>${sp.map(
          (s) =>
            html`<tr data-depth="${s.depth}"><td>${s.depth}</td>${arms.map((a) => html`<td class="num">${s.sd.has(a) ? (100 * s.sd.get(a)!).toFixed(3) : '-'}</td>`)}${others.map((a) => {
              const r = s.ratio.get(a);
              return r ? html`<td class="num ratio" data-arm="${a}">${r.value.toFixed(2)} [${Number.isFinite(r.lo) ? r.lo.toFixed(2) : '-'}, ${Number.isFinite(r.hi) ? r.hi.toFixed(2) : '-'}]</td>` : html`<td class="num">-</td>`;
            })}</tr>`,
        )}</tbody></table>`
      : '';
    return html`${panels.length > 1 ? html`<h3>${panel}</h3>` : ''}<table class="depth-steps" data-panel="${panel}"><thead><tr><th>arm</th>${transitions.map((t) => html`<th class="num">depth ${t.from} &rarr; ${t.to}, pp [95% CI]</th>`)}</tr></thead><tbody>${arms.map(
      (arm) => html`<tr data-arm="${arm}"><td>${arm}</td>${transitions.map((t) => stepCell(ps.find((s) => s.arm === arm && s.from === t.from && s.to === t.to)))}</tr>`,
    )}</tbody></table>${spreadTable}`;
  });
  return html`<section id="depth-trend"><h2>Along depth: the change from one depth to the next, and the spread over seeds</h2>${body}<p class="note">Each step is the test error at the deeper level minus the shallower one's, in percentage points, paired by seed (every depth ran the same seeds), with a 95% bootstrap interval over the seeds (expanded percentile) and the paired t-test's p: green a fall (interval below 0), red a rise (interval above 0). The spread table gives each arm's standard deviation over seeds and the ratio of ${String(baseline)}'s to each other arm's, with a 95% percentile bootstrap interval (seeds resampled with their pairs; ${RATIO_RESAMPLES.toLocaleString('en-US')} resamples, seeded). The paper (Section 6.1): with pre-training the error goes down from 1 to 4 layers and its variance stays about level; without, the error goes up after 2 layers and its variance grows sharply beyond 2, and 5-layer networks could not be trained.</p></section>`;
}
