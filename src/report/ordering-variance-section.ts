/**
 * Fig. 13 of Erhan et al. 2010 (Section 8.2, Experiment 7): how much each part of the training
 * sequence shapes the final function. Trials differ only in which block of the sequence is
 * resampled (`online.resample.block`) and in the draw (`online.resample.draw`); each saved its
 * softmax outputs on the fixed test set (`online.saveTestOutputs`, a side file in its checkpoint
 * directory). For each arm (pre-training or none), block and initialisation seed, the variance across
 * draws of those outputs, averaged over test examples and classes (`meanOutputVariance`); then per
 * arm and block the mean over seeds with its 95% t-interval.
 *
 * The paper's readings, as yes/no with their numbers: early blocks influence the function more than
 * late ones (the mean variance of the first half of the blocks above that of the second half, its
 * last block left out: constant-rate SGD makes the last examples count again); pre-training lowers
 * the variance (pre-trained minus none, averaged over blocks, below 0); and the pre-trained network's
 * variance at its first supervised examples (the block holding the 0.25 mark) is below the
 * variance of the network without pre-training at 0.0.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as Plot from '@observablehq/plot';
import { meanOutputVariance, readTestOutputs, type TestOutputs } from '../analysis/output-variance.ts';
import { Rng } from '../rng/rng.ts';
import { mean } from '../stats/descriptive.ts';
import { meanConfidenceInterval, type MeanCi } from '../stats/mean-ci.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { Chart } from './charts.ts';
import { html, type Html } from './html.ts';
import type { MeanDifference } from './nll-trajectories.ts';
import { ARM_CHANNEL, armName, armRecords, ARM_COLORS, below, claimVerdict, onlineSummary, orderArms, seedDifference, type SeedValue } from './online-results.ts';
import { plotToSvg } from './plot-svg.ts';
import { valueAxis, valueAxisMarks, valueScaleOptions } from './value-axis.ts';

/** The factors of the resampled-block design (TrialConfig keys). */
export const BLOCK_KEY = 'online.resample.block';
export const DRAW_KEY = 'online.resample.draw';

/** One arm's variance at one block. */
export interface BlockVariance {
  arm: string;
  /** 0-based resampled block. */
  block: number;
  /** Blocks the sequence is cut into. */
  blocks: number;
  /** One value per initialisation seed: the mean output variance across its draws. */
  perSeed: SeedValue[];
  /** Mean over seeds with its 95% t-interval. */
  estimate: MeanCi;
  /** Draws per seed (the smallest). */
  draws: number;
}

/** The first supervised block of a pre-trained arm and the claims' numbers. */
export interface OrderingClaims {
  /** Per arm: mean variance of the early half minus the late half (last block left out), over seeds. */
  earlyVsLate: { arm: string; difference: MeanCi; holds: boolean; sure: boolean }[];
  /** Per pre-trained arm: its variance minus the baseline's, averaged over blocks, and the blocks where it is lower. */
  lower: { arm: string; difference: MeanDifference; lowerBlocks: number; blocks: number; holds: boolean; sure: boolean }[];
  /** Per pre-trained arm: its variance at the block holding the first supervised example vs the baseline's at block 0. */
  firstSupervised: { arm: string; block: number; difference: MeanDifference; holds: boolean; sure: boolean }[];
}

/**
 * The variances of every (arm, block) of `cells` in `storeDir`: cells must have the block and draw
 * factors. `warn` hears about records without a side file.
 */
export function orderingVariances(storeDir: string, cells: readonly CellSummary[], factor: string | null, warn: (m: string) => void = () => {}): BlockVariance[] {
  const groups = new Map<string, { arm: string; block: number; blocks: number; seed: number; files: string[] }>();
  for (const c of armRecords(cells, factor)) {
    const cell = cells.find((x) => x.label === c.label)!.cell;
    const block = cell[BLOCK_KEY], draw = cell[DRAW_KEY];
    if (typeof block !== 'number' || typeof draw !== 'number') continue;
    for (const r of c.records) {
      const name = onlineSummary(r.result)?.testOutputs;
      const file = name ? path.join(storeDir, 'checkpoints', r.hash, name) : null;
      if (!file || !fs.existsSync(file)) {
        warn(`${c.label} seed ${r.seed}: no saved test outputs${file ? ` at ${file}` : ' (online.saveTestOutputs off?)'}`);
        continue;
      }
      const key = `${c.arm}\u0000${block}\u0000${r.seed}`;
      const g = groups.get(key) ?? { arm: c.arm, block, blocks: r.config.online?.resample?.blocks ?? NaN, seed: r.seed, files: [] };
      g.files.push(file);
      groups.set(key, g);
    }
  }
  const byArmBlock = new Map<string, BlockVariance>();
  for (const g of groups.values()) {
    if (g.files.length < 2) continue;
    const outputs: TestOutputs[] = g.files.map(readTestOutputs);
    const key = `${g.arm}\u0000${g.block}`;
    const bv = byArmBlock.get(key) ?? { arm: g.arm, block: g.block, blocks: g.blocks, perSeed: [], estimate: meanConfidenceInterval([]), draws: Infinity };
    bv.perSeed.push({ seed: g.seed, value: meanOutputVariance(outputs) });
    bv.draws = Math.min(bv.draws, outputs.length);
    byArmBlock.set(key, bv);
  }
  const out = [...byArmBlock.values()].sort((a, b) => (a.arm < b.arm ? -1 : a.arm > b.arm ? 1 : a.block - b.block));
  for (const bv of out) {
    bv.perSeed.sort((a, b) => a.seed - b.seed);
    bv.estimate = meanConfidenceInterval(bv.perSeed.map((s) => s.value));
  }
  return out;
}

/** Per seed, the mean of `f` over the blocks an arm has in `blocks` (seeds that lack one are left out). */
function perSeedMean(rows: readonly BlockVariance[], keep: (b: number) => boolean): SeedValue[] {
  const chosen = rows.filter((r) => keep(r.block));
  if (chosen.length === 0) return [];
  const seeds = chosen[0]!.perSeed.map((s) => s.seed).filter((s) => chosen.every((r) => r.perSeed.some((x) => x.seed === s)));
  return seeds.map((seed) => ({ seed, value: mean(chosen.map((r) => r.perSeed.find((x) => x.seed === seed)!.value)) }));
}

/**
 * The paper's three readings (see the module comment). `pretrainFraction` of the pre-trained arms
 * places their first supervised block (`floor(fraction * blocks)`); bootstrap streams fork from `Rng(0)`.
 */
export function orderingClaims(v: readonly BlockVariance[], baseline: unknown, pretrainFraction: number): OrderingClaims {
  const root = new Rng(0).fork('ordering-variance');
  const arms = orderArms(v.map((r) => r.arm), baseline);
  const of = (arm: string): BlockVariance[] => v.filter((r) => r.arm === arm);
  const earlyVsLate = arms.flatMap((arm) => {
    const rows = of(arm);
    const blocks = rows[0]?.blocks ?? NaN;
    const half = Math.floor(blocks / 2);
    const early = perSeedMean(rows, (b) => b < half), late = perSeedMean(rows, (b) => b >= half && b < blocks - 1);
    const seeds = early.filter((e) => late.some((l) => l.seed === e.seed));
    if (seeds.length === 0) return [];
    const d = meanConfidenceInterval(seeds.map((e) => e.value - late.find((l) => l.seed === e.seed)!.value));
    const sure = Number.isFinite(d.lo);
    return [{ arm, difference: d, holds: sure ? d.lo > 0 : d.mean > 0, sure }];
  });
  const base = String(baseline);
  const baseRows = of(base);
  const pretrained = arms.filter((a) => a !== base && baseRows.length > 0);
  const lower = pretrained.map((arm) => {
    const rows = of(arm);
    const shared = (b: number): boolean => rows.some((r) => r.block === b) && baseRows.some((r) => r.block === b);
    const difference = seedDifference(perSeedMean(rows, shared), perSeedMean(baseRows, shared), root.fork(arm, 'all'));
    const blocks = rows.filter((r) => shared(r.block));
    const lowerBlocks = blocks.filter((r) => r.estimate.mean < baseRows.find((x) => x.block === r.block)!.estimate.mean).length;
    const b = below(difference);
    return { arm, difference, lowerBlocks, blocks: blocks.length, holds: b.holds, sure: b.sure };
  });
  const firstSupervised = pretrained.flatMap((arm) => {
    const rows = of(arm);
    const block = Math.floor(pretrainFraction * (rows[0]?.blocks ?? NaN));
    const a = rows.find((r) => r.block === block), b0 = baseRows.find((r) => r.block === 0);
    if (!a || !b0) return [];
    const difference = seedDifference(a.perSeed, b0.perSeed, root.fork(arm, 'first'));
    const b = below(difference);
    return [{ arm, block, difference, holds: b.holds, sure: b.sure }];
  });
  return { earlyVsLate, lower, firstSupervised };
}

/** The Fig. 13 chart: variance against the resampled block's start (fraction of the sequence), one line per arm. */
export function orderingChart(v: readonly BlockVariance[], baseline: unknown): Chart | null {
  const pts = v.filter((r) => Number.isFinite(r.estimate.mean)).map((r) => ({ arm: r.arm, block: r.block, x: r.block / r.blocks, y: r.estimate.mean, y1: r.estimate.lo, y2: r.estimate.hi, n: r.estimate.n }));
  if (pts.length === 0) return null;
  const arms = orderArms(pts.map((p) => p.arm), baseline);
  const bars = pts.filter((p) => Number.isFinite(p.y1) && p.y1 > 0);
  const axis = valueAxis([...pts.map((p) => p.y), ...bars.flatMap((p) => [p.y1, p.y2])], 'variance of the test outputs across draws');
  const xs = [...new Set(pts.map((p) => p.x))].sort((a, b) => a - b);
  const svg = plotToSvg({
    width: 860,
    height: 360,
    marginLeft: 70,
    style: { fontSize: '12px' },
    x: { label: 'start of the resampled block (fraction of the training sequence)', ticks: xs, tickFormat: (x: number) => String(+x.toFixed(3)) },
    y: axis.type === 'log' ? valueScaleOptions(axis) : { label: axis.label, grid: true, zero: true },
    color: { domain: arms, range: arms.map((_, i) => ARM_COLORS[i % ARM_COLORS.length]!), legend: true },
    marks: [
      ...valueAxisMarks(axis, 'y'),
      Plot.ruleX(bars, { x: 'x', y1: 'y1', y2: 'y2', stroke: ARM_CHANNEL, strokeOpacity: 0.6 }),
      Plot.line(pts, { x: 'x', y: 'y', z: 'arm', stroke: ARM_CHANNEL, strokeWidth: 1.6 }),
      Plot.dot(pts, { x: 'x', y: 'y', fill: ARM_CHANNEL, r: 3.5, className: 'm-variance', title: (p: (typeof pts)[number]) => `${p.arm}, block ${p.block}: ${p.y.toExponential(3)}` }),
    ],
  });
  const seeds = Math.max(...pts.map((p) => p.n));
  return {
    id: 'chart-ordering-variance',
    title: 'Variance of the final function across resampled blocks',
    caption: `For each block of the training sequence in turn, that block alone is redrawn (fresh stream examples) and everything else kept, the initialisation included; the dot is the variance across draws of the softmax outputs on the fixed test set, averaged over test examples and classes${seeds > 1 ? `, mean over ${seeds} initialisation seeds with its 95% t-interval (bars)` : ', one initialisation seed'}. Cf. Erhan et al. 2010, Fig. 13: the 0.25 mark is where pre-training ends.`,
    svg,
    markSelector: '.m-variance circle',
    marks: pts.length,
  };
}

const sci = (x: number): string => (Number.isFinite(x) ? x.toExponential(3) : '-');
const ciText = (e: { mean: number; lo: number; hi: number }): string => `${sci(e.mean)}${Number.isFinite(e.lo) ? ` [${sci(e.lo)}, ${sci(e.hi)}]` : ''}`;
const diffText = (d: MeanDifference): string => `${sci(d.difference)}${Number.isFinite(d.lo) ? ` [${sci(d.lo)}, ${sci(d.hi)}]` : ''}`;

function varianceTable(v: readonly BlockVariance[], baseline: unknown): Html {
  const arms = orderArms(v.map((r) => r.arm), baseline);
  const base = String(baseline);
  const others = arms.filter((a) => a !== base && v.some((r) => r.arm === base));
  const root = new Rng(0).fork('ordering-variance-table');
  const blocks = [...new Set(v.map((r) => r.block))].sort((a, b) => a - b);
  const rows = blocks.map((b) => {
    const at = (arm: string): BlockVariance | undefined => v.find((r) => r.arm === arm && r.block === b);
    const n = at(arms[0]!)?.blocks ?? NaN;
    const diff = (arm: string): Html => {
      const a = at(arm), z = at(base);
      if (!a || !z) return html`<td class="num">-</td>`;
      const d = seedDifference(a.perSeed, z.perSeed, root.fork(arm, b));
      const good = below(d);
      return html`<td class="num diff${good.holds && good.sure ? ' better' : ''}">${diffText(d)}</td>`;
    };
    return html`<tr><td class="num">${b}</td><td class="num">${(b / n).toFixed(2)}-${((b + 1) / n).toFixed(2)}</td>${arms.map((arm) => html`<td class="num">${at(arm) ? ciText(at(arm)!.estimate) : '-'}</td>`)}${others.map(diff)}<td class="num">${Math.min(...arms.map((arm) => at(arm)?.draws ?? Infinity))}</td></tr>`;
  });
  return html`<table id="ordering-variance-table" data-rows="${blocks.length}"><thead><tr><th class="num">block</th><th class="num">fraction</th>${arms.map((a) => html`<th class="num">${a} variance</th>`)}${others.map((a) => html`<th class="num">${a} - ${base}</th>`)}<th class="num">draws</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function claimsHtml(c: OrderingClaims, baseline: unknown): Html {
  return html`<ul id="ordering-claims">${c.earlyVsLate.map(
    (e) => html`<li data-claim="early-more" data-arm="${e.arm}" data-holds="${String(e.holds)}">${e.arm}: the first half of the sequence influences the final function more than the second half, its last block left out (mean variance early minus late ${ciText(e.difference)}): ${claimVerdict(e.holds, e.sure)}.</li>`,
  )}${c.lower.map(
    (l) => html`<li data-claim="pretraining-lowers" data-arm="${l.arm}" data-holds="${String(l.holds)}">${l.arm} has a lower variance than ${String(baseline)} (averaged over blocks: ${diffText(l.difference)}; lower on ${l.lowerBlocks} of ${l.blocks} blocks): ${claimVerdict(l.holds, l.sure)}.</li>`,
  )}${c.firstSupervised.map(
    (f) => html`<li data-claim="first-supervised" data-arm="${f.arm}" data-holds="${String(f.holds)}">${f.arm}'s variance at its first supervised examples (block ${f.block}) is below ${String(baseline)}'s at the start (block 0) (difference ${diffText(f.difference)}): ${claimVerdict(f.holds, f.sure)}.</li>`,
  )}</ul>`;
}

/** The section's chart, table and claims, or a note saying what is missing. */
export function orderingVarianceSection(storeDir: string, cells: readonly CellSummary[], factor: string | null, level: unknown, warn?: (m: string) => void): { chart: Chart | null; body: Html; variances: BlockVariance[]; claims: OrderingClaims | null } | null {
  if (!cells.some((c) => BLOCK_KEY in c.cell && DRAW_KEY in c.cell)) return null;
  const baseline = armName(factor, level);
  const variances = orderingVariances(storeDir, cells, factor, warn);
  const chart = orderingChart(variances, baseline);
  if (!chart) return { chart: null, body: html`<p class="note">No (arm, block, seed) has the saved test outputs of two or more draws yet, so no variance can be computed.</p>`, variances, claims: null };
  const fraction = cells.flatMap((c) => c.records).find((r) => r.config.pretrain.kind !== 'none')?.config.online?.pretrainFraction ?? 0.25;
  const claims = orderingClaims(variances, baseline, fraction);
  const body = html`<p class="note">Variance across draws of the softmax outputs on the test set, mean over test examples and classes; per block the mean over initialisation seeds [95% t-interval], and pre-trained minus none [bootstrap interval, paired by seed].</p>${claimsHtml(claims, baseline)}<details open><summary>Variance per resampled block</summary>${varianceTable(variances, baseline)}</details>`;
  return { chart, body, variances, claims };
}
