/**
 * The report's "Function-space trajectories" section (Erhan et al. 2010, Section 6.3, Figs. 5-6):
 * every network's probe outputs after every epoch (`analysis.probe`), embedded together in 2-D by
 * t-SNE and Isomap (one line per network, coloured by initialisation, dark at the start and light
 * at the end, a square at epoch 0 and a triangle at the last epoch), and the per-epoch distances
 * within and between the groups in the original output space with 95% bootstrap intervals, plus
 * the paper's two claims as yes/no with their numbers. The embedding is cached in
 * `<store>/embeddings/` (`cachedEmbedding`), so rebuilding a report is fast.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as Plot from '@observablehq/plot';
import { cachedEmbedding } from '../analysis/embedding-cache.ts';
import type { EmbedMethod, Embedding } from '../analysis/embed-points.ts';
import { functionDistances, type EpochDistances, type Estimate } from '../analysis/function-distances.ts';
import { PROBE_FILE } from '../analysis/probe-recorder.ts';
import { loadTrajectories, type TrajectorySet, type TrajectorySource } from '../analysis/trajectory-set.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { Chart } from './charts.ts';
import { splitCell } from './charts.ts';
import { html, trustedHtml, type Html } from './html.ts';
import { plotToSvg } from './plot-svg.ts';

/** Seed of the embeddings and of the bootstrap (fixed: the figure is a pure function of the store). */
export const TRAJECTORY_SEED = 1;

/** Each group's colours: start (dark) and end (light) of its trajectories, as in the paper's dark-blue-to-cyan. */
const PALETTES: readonly [string, string][] = [
  ['#7a0c0c', '#f7a35c'], // baseline (no pre-training): dark red to light orange
  ['#08306b', '#3fd4e6'], // pre-trained: dark blue to cyan
  ['#2b4a12', '#a8dd6a'],
];

export interface TrajectorySectionResult {
  body: Html;
  charts: Chart[];
  distances: EpochDistances[];
  embedding: (Embedding & { cached: boolean }) | null;
}

/** The probe files of the chosen records of `cells`, grouped by the comparison factor's level. */
export function trajectorySources(storeDir: string, cells: readonly CellSummary[], factor: string | null): TrajectorySource[] {
  const out: TrajectorySource[] = [];
  for (const c of cells) {
    const { group } = splitCell(c.cell, factor);
    for (const r of c.records) {
      const file = path.join(storeDir, 'checkpoints', r.hash, PROBE_FILE);
      if (r.status === 'done' && fs.existsSync(file)) out.push({ id: r.hash, group, seed: r.seed, path: file });
    }
  }
  return out;
}

function mix(a: string, b: string, t: number): string {
  const p = (h: string, i: number): number => parseInt(h.slice(1 + 2 * i, 3 + 2 * i), 16);
  const c = [0, 1, 2].map((i) => Math.round(p(a, i) + (p(b, i) - p(a, i)) * t).toString(16).padStart(2, '0'));
  return `#${c.join('')}`;
}

const METHOD_TITLE: Record<EmbedMethod, { title: string; fig: string; focus: string }> = {
  tsne: { title: 't-SNE embedding of the trajectories', fig: 'Fig. 5', focus: 'local structure' },
  isomap: { title: 'Isomap embedding of the trajectories', fig: 'Fig. 6', focus: 'global structure' },
};

function embeddingChart(set: TrajectorySet, e: Embedding, method: EmbedMethod, groups: readonly string[]): Chart {
  const xy = e.coords[method]!;
  const pts = set.trajectories.flatMap((t) => {
    const g = Math.max(0, groups.indexOf(t.group));
    const [dark, light] = PALETTES[g % PALETTES.length]!;
    const last = t.epochs.at(-1)! || 1;
    const own = t.epochs
      .map((epoch, r) => ({ id: t.id, group: t.group, seed: t.seed, epoch, x: xy[2 * (t.offset + r)]!, y: xy[2 * (t.offset + r) + 1]!, color: mix(dark, light, epoch / last), line: mix(dark, light, 0.45), first: false, end: false }))
      .filter((p) => Number.isFinite(p.x)); // rows this method left out
    if (own.length) {
      own[0]!.first = true;
      own.at(-1)!.end = true;
    }
    return own;
  });
  const starts = pts.filter((p) => p.first);
  const ends = pts.filter((p) => p.end);
  const firstEpoch = Math.min(...starts.map((p) => p.epoch));
  const svg = plotToSvg({
    width: 860,
    height: 620,
    style: { fontSize: '12px' },
    x: { axis: null },
    y: { axis: null },
    marks: [
      Plot.line(pts, { x: 'x', y: 'y', z: 'id', stroke: 'line', strokeOpacity: 0.45, strokeWidth: 1, className: 'm-trajectory' }),
      Plot.dot(pts, { x: 'x', y: 'y', fill: 'color', r: 1.8, title: (p: (typeof pts)[number]) => `${p.group} seed ${p.seed}, epoch ${p.epoch}` }),
      Plot.dot(starts, { x: 'x', y: 'y', symbol: 'square', stroke: 'color', fill: 'white', r: 3.2, strokeWidth: 1.2 }),
      Plot.dot(ends, { x: 'x', y: 'y', symbol: 'triangle', fill: 'color', stroke: 'black', strokeWidth: 0.5, r: 4 }),
    ],
  });
  const m = METHOD_TITLE[method];
  const params = method === 'tsne' ? `perplexity ${e.params.perplexity}, ${e.params.iterations} iterations` : `${e.params.neighbors} nearest neighbours, ${e.params.bridges ? `${e.params.bridges} shortest edge${e.params.bridges > 1 ? 's' : ''} joining the graph's components` : 'the graph already one component'} (one connected component, as in the paper), shortest paths, classical MDS`;
  const points = pts.length / Math.max(1, set.trajectories.length);
  const left = firstEpoch > 0 ? ` Epoch${firstEpoch > 1 ? `s 0-${firstEpoch - 1}` : ' 0'} left out: before fine-tuning every network outputs nearly the uniform distribution, and that one long jump would take Isomap's first axis and squash the rest (the distance table keeps it).` : '';
  return {
    id: `chart-trajectories-${method}`,
    title: m.title,
    caption: `${set.trajectories.length} networks x ${points} points (${firstEpoch === 0 ? 'epoch 0 = before fine-tuning, then after each epoch' : `after each fine-tuning epoch from epoch ${firstEpoch}`}), each point the softmax outputs on ${set.nProbe} test examples (${set.dim} numbers), embedded together by ${method === 'tsne' ? 't-SNE (druidjs' : 'Isomap (MDS by druidjs'}, ${params}, seed ${e.params.seed}) after PCA to ${e.pcaDims} dimensions keeping ${(100 * e.explainedVariance).toFixed(1)}% of the variance; ${m.focus}, cf. Erhan et al. 2010, ${m.fig}. One line per network; colour: initialisation, dark at the start and light at the end; square: epoch ${firstEpoch}; triangle: last epoch.${left}`,
    svg,
    markSelector: '.m-trajectory path',
    marks: set.trajectories.length,
  };
}

function distanceChart(d: readonly EpochDistances[], groups: readonly [string, string]): Chart {
  const series = [
    { name: `within ${groups[0]}`, color: PALETTES[0]![0], get: (r: EpochDistances) => r.within[groups[0]]! },
    { name: `within ${groups[1]}`, color: PALETTES[1]![0], get: (r: EpochDistances) => r.within[groups[1]]! },
    { name: 'between groups', color: '#555555', get: (r: EpochDistances) => r.between },
  ];
  const rows = series.flatMap((s) => d.map((r) => ({ series: s.name, color: s.color, epoch: r.epoch, ...s.get(r) })));
  const svg = plotToSvg({
    width: 860,
    height: 340,
    style: { fontSize: '12px' },
    x: { label: 'epoch (0 = before fine-tuning)', grid: true },
    y: { label: 'mean distance between networks', grid: true, zero: true },
    marks: [
      Plot.areaY(rows, { x: 'epoch', y1: 'lo', y2: 'hi', z: 'series', fill: 'color', fillOpacity: 0.18 }),
      Plot.line(rows, { x: 'epoch', y: 'mean', z: 'series', stroke: 'color', strokeWidth: 1.8, className: 'm-distance' }),
    ],
  });
  return {
    id: 'chart-trajectories-distances',
    title: 'Distances between networks in function space, per epoch',
    caption: `Lines: ${series.map((x, i) => `${['dark red', 'dark blue', 'grey'][i]} ${x.name}`).join(', ')}. Mean distance between two networks of the same group and between one network of each group, in the original output space (root mean over probe examples of the squared distance between softmax vectors), with 95% bootstrap intervals over networks (bands).`,
    svg,
    markSelector: '.m-distance path',
    marks: series.length,
  };
}

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '-');
const ci = (e: Estimate): string => `${f3(e.mean)} [${f3(e.lo)}, ${f3(e.hi)}]`;

function distanceTable(d: readonly EpochDistances[], groups: readonly [string, string]): Html {
  const [a, b] = groups;
  const rows = d.map(
    (r) =>
      html`<tr><td class="num">${r.epoch}</td><td class="num">${r.n[a]} + ${r.n[b]}</td><td class="num">${ci(r.within[a]!)}</td><td class="num">${ci(r.within[b]!)}</td><td class="num">${ci(r.between)}</td><td class="num">${ci(r.gap[a]!)}</td><td class="num">${ci(r.gap[b]!)}</td><td class="num">${ci(r.spread)}</td><td class="num">${(100 * r.crossNearest).toFixed(0)}%</td></tr>`,
  );
  return html`<table id="trajectory-distances" data-rows="${d.length}"><thead><tr><th class="num">epoch</th><th class="num">networks</th><th class="num">within ${a}</th><th class="num">within ${b}</th><th class="num">between</th><th class="num">between - within ${a}</th><th class="num">between - within ${b}</th><th class="num">within ${b} - within ${a}</th><th class="num">nearest is other group</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The paper's two claims, decided on the bootstrap intervals. */
export function trajectoryClaims(d: readonly EpochDistances[], groups: readonly [string, string]): { apart: boolean; apartEpochs: number; notApart: number[]; smaller: boolean; last: EpochDistances | undefined } {
  const notApart = d.filter((r) => !groups.every((g) => r.gap[g]!.lo > 0)).map((r) => r.epoch);
  const last = d.at(-1);
  return { apart: d.length > 0 && notApart.length === 0, apartEpochs: d.length - notApart.length, notApart, smaller: last !== undefined && last.spread.hi < 0, last };
}

/**
 * Builds the section from the probe files of `cells` in `storeDir`. `factor` is the comparison
 * factor and `baseline` its level without pre-training; the section needs exactly two groups.
 */
export function trajectorySection(storeDir: string, cells: readonly CellSummary[], factor: string | null, baseline: unknown): TrajectorySectionResult {
  const none = (msg: string): TrajectorySectionResult => ({ body: html`<p class="note">${msg}</p>`, charts: [], distances: [], embedding: null });
  const sources = trajectorySources(storeDir, cells, factor);
  const groupNames = [...new Set(sources.map((s) => s.group))];
  if (sources.length === 0) return none('No probe outputs were found (the trials need analysis.probe), so no trajectories are shown.');
  if (groupNames.length !== 2) return none(`Trajectories compare two groups; the probe outputs found fall into ${groupNames.length} (${groupNames.join(', ')}).`);
  const base = String(baseline);
  const groups = (groupNames.includes(base) ? [base, groupNames.find((g) => g !== base)!] : groupNames.sort()) as [string, string];
  const set = loadTrajectories(sources.sort((x, y) => groups.indexOf(x.group) - groups.indexOf(y.group) || x.seed - y.seed));
  const distances = functionDistances(set, { groups, seed: TRAJECTORY_SEED });
  // Isomap without epoch 0 (see the chart's caption) when enough points remain.
  const trained = set.trajectories.flatMap((t) => t.epochs.flatMap((e, r) => (e > 0 ? [t.offset + r] : [])));
  const isomapRows = trained.length >= 3 ? trained : undefined;
  const embedding = set.nPoints >= 3 ? cachedEmbedding(path.join(storeDir, 'embeddings'), set.points, set.nPoints, set.dim, { seed: TRAJECTORY_SEED, ...(isomapRows ? { isomapRows } : {}) }) : null;
  const charts: Chart[] = [];
  if (embedding) for (const m of ['tsne', 'isomap'] as const) if (embedding.coords[m]) charts.push(embeddingChart(set, embedding, m, groups));
  if (distances.length > 0) charts.push(distanceChart(distances, groups));
  const claims = trajectoryClaims(distances, groups);
  const last = claims.last;
  const verdict = (ok: boolean): Html => (ok ? html`<b class="claim-yes">holds</b>` : html`<b class="claim-no">does not hold</b>`);
  const claimHtml = last
    ? html`<ul id="trajectory-claims"><li data-claim="apart" data-holds="${String(claims.apart)}">The two groups stay apart at every epoch (between-group distance above both within-group distances, 95% interval of the difference above 0): ${verdict(claims.apart)} (${claims.apartEpochs} of ${distances.length} epochs${claims.notApart.length ? `; not at epoch ${claims.notApart.join(', ')}` : ''}).</li><li data-claim="smaller" data-holds="${String(claims.smaller)}">The ${groups[1]} group ends in a smaller region (within-group distance at epoch ${last.epoch}: ${ci(last.within[groups[1]]!)} vs ${ci(last.within[groups[0]]!)} for ${groups[0]}; difference ${ci(last.spread)}): ${verdict(claims.smaller)}.</li></ul>`
    : html`<p class="note">Fewer than two networks per group: no distances.</p>`;
  const timing = embedding
    ? `Embedding ${embedding.cached ? 'read from the cache' : `computed in ${embedding.seconds.total.toFixed(1)} s (PCA ${embedding.seconds.pca.toFixed(1)} s, t-SNE ${embedding.seconds.tsne.toFixed(1)} s beside Isomap ${embedding.seconds.isomap.toFixed(1)} s)`} (embeddings/).`
    : '';
  const chartHtml = charts.map(
    (c) =>
      html`<figure class="chart" id="${c.id}" data-chart="trajectories" data-mark-selector="${c.markSelector}" data-marks="${c.marks}"><h3>${c.title}</h3>${trustedHtml(c.svg)}<figcaption>${c.caption}</figcaption></figure>`,
  );
  const body = html`<p class="note">Each network's softmax outputs on the first ${set.nProbe} test examples, recorded before fine-tuning (epoch 0) and after every epoch, are one point in function space (Erhan et al. 2010, Section 6.3); all ${set.nPoints} points of the ${set.trajectories.length} networks are embedded together. ${timing}</p>${claimHtml}${chartHtml}<details open><summary>Distances per epoch (mean [95% bootstrap interval over networks])</summary>${distanceTable(distances, groups)}</details>`;
  return { body, charts, distances, embedding };
}
