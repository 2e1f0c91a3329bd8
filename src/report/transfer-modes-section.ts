/**
 * The report's "Transfer modes" section (issue 15, study 3; numbers from `transfer-arms.ts`): test
 * error by mode against the labelled fraction (a chart, one panel per network and pre-training), a
 * table per network and pre-training with every mode's error at each fraction and its difference
 * from full fine-tuning (95% intervals, paired by seed), the seeds' claims as verdicts with their
 * numbers, and how far fine-tuning moved each layer in each mode (`analysis.weightChange`).
 */
import * as Plot from '@observablehq/plot';
import type { CellSummary } from '../experiments/select.ts';
import type { Chart } from './charts.ts';
import { pp } from './difference-interval.ts';
import { fmtP, pct } from './format.ts';
import { html, type Html } from './html.ts';
import { plotToSvg } from './plot-svg.ts';
import { valueAxis, valueAxisMarks, valueScaleOptions } from './value-axis.ts';
import {
  layerMovement,
  measuredLayers,
  movementReadings,
  transferArms,
  transferClaims,
  transferGroups,
  type ArmDifference,
  type MovementReading,
  type TransferClaim,
  type TransferGroup,
  type Verdict,
} from './transfer-arms.ts';

/** Mode colours: scratch dark grey, the random-base controls light greys, pre-trained modes in colour. */
const MODE_COLORS: Record<string, string> = { scratch: '#59636e', 'random-frozen': '#9aa3ad', 'random-top': '#c3c9cf', frozen: '#4e79a7', top: '#f28e2c', full: '#59a14f' };

const fractionLabel = (f: number): string => `${+(100 * f).toPrecision(3)}%`;
const diffText = (d: ArmDifference): string => `${pp(d.difference)}${Number.isFinite(d.lo) ? ` [${pp(d.lo)}, ${pp(d.hi)}]` : ''}`;

/** One point of the chart: a mode's mean test error at one fraction in one group. */
interface ModePoint {
  facet: string;
  row: string;
  mode: string;
  fraction: number;
  error: number;
  std: number;
  n: number;
}

function modePoints(groups: readonly TransferGroup[]): ModePoint[] {
  return groups.flatMap((g) =>
    g.rows.flatMap((r) =>
      [...r.byFraction].map(([fraction, a]) => ({ facet: g.facet, row: r.name, mode: r.mode, fraction, error: 100 * a.cell.test.mean, std: 100 * a.cell.test.std, n: a.cell.test.n })),
    ),
  );
}

/** Test error against the labelled fraction, one line per mode, one panel per network and pre-training (null without points). */
export function transferModesChart(groups: readonly TransferGroup[]): Chart | null {
  const pts = modePoints(groups).filter((p) => Number.isFinite(p.error));
  if (pts.length === 0) return null;
  const facets = [...new Set(pts.map((p) => p.facet))];
  const rows = [...new Set(pts.map((p) => p.row))];
  const modeOf = new Map(pts.map((p) => [p.row, p.mode]));
  const axis = valueAxis(pts.map((p) => p.error), 'test error (%)');
  const fractions = [...new Set(pts.map((p) => p.fraction))].sort((a, b) => a - b);
  const cols = Math.min(2, facets.length);
  const fx = new Map(facets.map((f, i) => [f, i % cols])), fy = new Map(facets.map((f, i) => [f, Math.floor(i / cols)]));
  const nRows = Math.ceil(facets.length / cols);
  const dash = (row: string): string => (modeOf.get(row)?.startsWith('random') ? '4,3' : 'none');
  const svg = plotToSvg({
    width: 860,
    height: 60 + 260 * nRows,
    marginLeft: 56,
    marginRight: 20,
    marginTop: 30,
    style: { fontSize: '12px' },
    fx: { axis: null, domain: [...Array(cols).keys()] },
    fy: { axis: null, domain: [...Array(nRows).keys()] },
    x: { type: 'log', label: 'labelled fraction of the training set', ticks: fractions, tickFormat: (f: number) => fractionLabel(f), domain: [fractions[0]! / 1.3, fractions.at(-1)! * 1.3] },
    y: valueScaleOptions(axis),
    color: { domain: rows, range: rows.map((r) => MODE_COLORS[modeOf.get(r) ?? ''] ?? '#888'), legend: true },
    marks: [
      ...valueAxisMarks(axis, 'y'),
      Plot.text(facets, { fx: (f: string) => fx.get(f), fy: (f: string) => fy.get(f), frameAnchor: 'top', dy: -18, text: (f: string) => f, fontWeight: 'bold' }),
      ...rows.map((row) =>
        Plot.line(pts.filter((p) => p.row === row), { fx: (p: ModePoint) => fx.get(p.facet), fy: (p: ModePoint) => fy.get(p.facet), x: 'fraction', y: 'error', z: 'facet', stroke: () => row, strokeWidth: 1.6, strokeDasharray: dash(row) }),
      ),
      Plot.dot(pts, {
        fx: (p: ModePoint) => fx.get(p.facet), fy: (p: ModePoint) => fy.get(p.facet), x: 'fraction', y: 'error', fill: 'row', r: 3.5, className: 'm-transfer',
        title: (p: ModePoint) => `${p.facet}, ${p.row}, ${fractionLabel(p.fraction)} of the labels: test error ${p.error.toFixed(2)}% ± ${p.std.toFixed(2)} (${p.n} seeds)`,
      }),
    ],
  });
  return {
    id: 'chart-transfer-modes',
    title: 'Test error by transfer mode and labelled fraction',
    caption: 'Mean test error over the evaluation seeds of each mode at each labelled fraction (data.labeled), one panel per network and pre-training; dashed grey: the random-base controls (pretrain none with the same frozen layers). Scratch and the random controls are the same trials in both panels of a network.',
    svg,
    markSelector: '.m-transfer circle',
    marks: pts.length,
  };
}

/** A difference cell: shaded when its interval excludes 0 (green: lower error than full fine-tuning). */
function diffCell(d: ArmDifference | undefined): Html {
  if (!d) return html`<td class="num">-</td>`;
  const cls = d.hi < 0 ? 'better' : d.lo > 0 ? 'worse' : '';
  return html`<td class="num diff${cls ? ` ${cls}` : ''}" title="${d.paired ? `paired on ${d.n} seeds` : 'unpaired'}; p ${fmtP(d.p)}, Holm p ${fmtP(d.pHolm)}">${diffText(d)}</td>`;
}

function groupTable(g: TransferGroup): Html {
  const head = g.fractions.map((f) => html`<th class="num">${fractionLabel(f)}: test error %</th><th class="num">vs full (pp, 95% CI)</th>`);
  const rows = g.rows.map((r) => {
    const cells = g.fractions.map((f) => {
      const a = r.byFraction.get(f);
      return html`<td class="num">${a ? html`${pct(a.cell.test.mean)} &plusmn; ${pct(a.cell.test.std)}` : '-'}</td>${r.mode === 'full' ? html`<td class="num">(reference)</td>` : diffCell(g.vsFull.get(f)?.get(r.name))}`;
    });
    return html`<tr data-mode="${r.mode}"><td>${r.name}</td>${cells}</tr>`;
  });
  return html`<table class="transfer-table" data-panel="${g.panelName}" data-kind="${g.kind}" data-rows="${g.rows.length}"><caption>${g.panelName}, pre-trained by ${g.kindName}</caption><thead><tr><th>mode</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

const VERDICT_TEXT: Record<Verdict, string> = {
  holds: 'holds',
  reversed: 'does not hold: the reverse is significant',
  'not shown': 'not shown (not significant after Holm, or the interval contains 0)',
  'one seed': 'one seed: point estimate only',
};

const SHORT_VERDICT: Record<Verdict, string> = { holds: 'holds', reversed: 'reversed', 'not shown': 'not shown', 'one seed': 'one seed, no CI' };

/** The claims as a table: one row per claim, one column per network and pre-training. */
function claimTable(claims: readonly TransferClaim[], groups: readonly TransferGroup[]): Html {
  const ids = [...new Set(claims.map((c) => c.id))];
  const head = groups.map((g) => html`<th title="${g.panelName}, pre-trained by ${g.kindName}">${g.facet}</th>`);
  const rows = ids.map((id) => {
    const first = claims.find((c) => c.id === id)!;
    const cells = groups.map((g) => {
      const c = claims.find((k) => k.id === id && k.panel === g.panel && k.kind === g.kind);
      if (!c) return html`<td>-</td>`;
      const cls = c.verdict === 'holds' ? 'better' : c.verdict === 'reversed' ? 'worse' : '';
      return html`<td class="diff${cls ? ` ${cls}` : ''}" data-claim="${c.id}" data-panel="${c.panelName}" data-kind="${c.kind}" data-verdict="${c.verdict}" title="${c.a} minus ${c.b}; ${c.difference.paired ? `paired on ${c.difference.n} seeds` : 'unpaired'}; p ${fmtP(c.difference.p)}, Holm p ${fmtP(c.difference.pHolm)}">${diffText(c.difference)}<br><b class="${c.verdict === 'holds' ? 'claim-yes' : 'claim-no'}">${SHORT_VERDICT[c.verdict]}</b></td>`;
    });
    return html`<tr data-claim="${id}"><td style="min-width: 15em">${first.text} at ${fractionLabel(first.fraction)} of the labels<br><span class="note">${first.a} minus ${first.b}</span></td>${cells}</tr>`;
  });
  return html`<table id="transfer-claims" data-rows="${ids.length}"><thead><tr><th>claim (difference in test error, points, 95% CI)</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** Per group: every mode's mean relative change of each layer at each fraction (frozen layers: 0), and its bottom-vs-top reading. */
function movementTable(g: TransferGroup, movement: MovementReading | undefined): Html {
  const layers = [...new Set(g.rows.flatMap((r) => [...r.byFraction.values()].flatMap(measuredLayers)))].sort((a, b) => a - b);
  if (layers.length === 0) return html``;
  const anyArm = g.rows.flatMap((r) => [...r.byFraction.values()]).find((a) => measuredLayers(a).length > 0)!;
  const names = layers.map((l) => layerMovement(anyArm, l).name);
  const head = g.fractions.map((f) => html`${names.map((n) => html`<th class="num">${fractionLabel(f)}: ${n}</th>`)}`);
  const rows = g.rows.map((r) => {
    const cells = g.fractions.map((f) => {
      const a = r.byFraction.get(f);
      return html`${layers.map((l) => {
        if (!a) return html`<td class="num">-</td>`;
        const m = layerMovement(a, l);
        return html`<td class="num" title="signs changed ${(100 * m.signs).toFixed(2)}% (${m.n} seeds)">${m.n === 0 ? '-' : m.relative === 0 ? '0 (frozen)' : m.relative.toFixed(3)}</td>`;
      })}`;
    });
    return html`<tr data-mode="${r.mode}"><td>${r.name}</td>${cells}</tr>`;
  });
  const reading = movement
    ? html`<p class="reading" data-claim="bottom-moves-less" data-panel="${g.panelName}" data-kind="${g.kind}" data-verdict="${movement.verdict}">Full fine-tuning with ${fractionLabel(movement.fraction)} of the labels moves the bottom pre-trained layer less than the top one: relative change ${movement.bottom.toFixed(3)} vs ${movement.top.toFixed(3)}, difference ${movement.difference.difference.toFixed(3)}${Number.isFinite(movement.difference.lo) ? ` [${movement.difference.lo.toFixed(3)}, ${movement.difference.hi.toFixed(3)}]` : ''} (paired by seed; p ${fmtP(movement.difference.p)}, Holm p ${fmtP(movement.difference.pHolm)} over the networks and pre-trainings): <b class="${movement.verdict === 'holds' ? 'claim-yes' : 'claim-no'}">${VERDICT_TEXT[movement.verdict]}</b>.</p>`
    : '';
  return html`<table class="transfer-movement" data-panel="${g.panelName}" data-kind="${g.kind}" data-rows="${g.rows.length}"><caption>${g.panelName}, pre-trained by ${g.kindName}: ||W_after - W_before|| / ||W_before|| per layer</caption><thead><tr><th>mode</th>${head}</tr></thead><tbody>${rows}</tbody></table>${reading}`;
}

/** The section's chart and body, or null when no cell has a finished record. */
export function transferModesSection(cells: readonly CellSummary[]): { chart: Chart | null; body: Html; groups: TransferGroup[]; claims: TransferClaim[] } | null {
  const arms = transferArms(cells);
  if (arms.length === 0) return null;
  const groups = transferGroups(arms);
  if (groups.length === 0) return { chart: null, body: html`<p class="note">No pre-trained arm to compare (every cell has pretrain.kind none).</p>`, groups, claims: [] };
  const claims = transferClaims(groups);
  const readings = movementReadings(groups);
  const chart = transferModesChart(groups);
  const body = html`<p class="note">Modes: scratch is pretrain.kind none with every layer trained; frozen features train only a new softmax classifier on the pre-trained layers (finetune.trainTop 0), top k the classifier and the top k dense/conv layers, full fine-tuning every layer; the random-base rows freeze the same layers of a network that was never pre-trained. Unsupervised pre-training (SDAE, conv DAE) sees every training image of the target, its labels withheld; supervised pre-training trains the same network on the labelled source task. Only data.labeled of the target's training labels are used for fine-tuning; early stopping uses the whole validation split in every arm. Differences: mean test error of the row minus full fine-tuning at the same fraction, in percentage points, 95% bootstrap interval over seeds (paired by seed), Holm-adjusted p in the cell's title; green: lower than full fine-tuning, red: higher.</p>
${claimTable(claims, groups)}
<p class="note">Each cell: the difference in mean test error (points) with its 95% bootstrap interval over seeds, paired by seed. <b>holds</b>: the interval lies below 0 and the paired t-test, Holm-adjusted over the claims of this table, gives p &lt; 0.05 (green); <b>reversed</b>: the same above 0, the opposite is true (red); <b>not shown</b>: otherwise (the interval contains 0, or the difference does not survive Holm's adjustment; the interval shows its direction). The p-values (paired t, and Holm-adjusted over the claims of this table) are in each cell's title; the full network and source names in the column titles.</p>
${groups.map(groupTable)}
<h3>How far fine-tuning moves each layer, per mode</h3>
<p class="note">From the start of fine-tuning (the pre-trained, or random, weights) to the kept network: ||W_after - W_before|| / ||W_before|| of each dense and conv layer, mean over seeds (the percentage of weights whose sign changed in the title). A frozen layer is exactly 0. The softmax output is new in every mode and not shown. Without pre-training the relative change divides by the small norm of the random initialisation.</p>
${groups.map((g) => movementTable(g, readings.find((m) => m.group === g)))}`;
  return { chart, body, groups, claims };
}
