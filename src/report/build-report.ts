/**
 * Builds `report.html` for one experiment's run store: summary table with the comparisons
 * (pre-trained vs not: paired tests or Welch, bootstrap intervals, Holm; comparison-columns.ts),
 * box plots and histograms of test error over seeds (Fig. 1-2), per-epoch curves, and first-layer filters (also written as PNG). Self-contained: every chart is
 * inline SVG, every image a data: URI, the stylesheet inline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFile } from '../io/atomic-write.ts';
import { settingLabel, shortKey, variedNuisanceKeys } from '../experiments/expand.ts';
import type { ResolvedExperiment } from '../experiments/define.ts';
import { summarize } from '../experiments/runner.ts';
import type { CellSummary, Comparison } from '../experiments/select.ts';
import { RunStore } from '../experiments/store.ts';
import { boxplotChart, curveChart, histogramChart, type Chart } from './charts.ts';
import { errorVsFactorSections } from './error-vs-factor-section.ts';
import { gapVsLabelsSection } from './gap-vs-labels-section.ts';
import { errorVsUpdatesSection } from './error-vs-updates-section.ts';
import { filterSection } from './filter-section.ts';
import { comparisonColumns, comparisonHeaders, comparisonNote, isBetter } from './comparison-columns.ts';
import { pct } from './format.ts';
import { landscapeSection } from './landscape-section.ts';
import { nllTrajectories } from './nll-trajectories.ts';
import { onlineErrorSection } from './online-error-section.ts';
import { orderingVarianceSection } from './ordering-variance-section.ts';
import { trainErrorBlocksSection } from './train-error-blocks-section.ts';
import { trainTestGapSection } from './train-test-gap-section.ts';
import { html, trustedHtml, REPORT_CSS, type Html } from './html.ts';
import { penaltySection } from './penalty-section.ts';
import { paperComparisonSection } from './paper-comparison-section.ts';
import { studyVariants, variantSection, type VariantGroup } from './variant-section.ts';
import { protocolSection, protocolSummary, type ProtocolSummary } from './protocol-section.ts';
import { depthTrendSection } from './depth-trend-section.ts';
import { unitPatternSection } from './unit-pattern-section.ts';
import { weightChangeSection } from './weight-change-section.ts';
import { trajectorySection } from './trajectory-section.ts';
import { transferModesSection } from './transfer-modes-section.ts';
import { failedTrialsSection } from './failed-trials-section.ts';

export interface ReportResult {
  /** Absolute path of report.html. */
  path: string;
  experiment: ResolvedExperiment;
  cells: CellSummary[];
  comparisons: Comparison[];
  charts: Chart[];
  /** PNG files written (filter grids). */
  images: string[];
  /** Trials planned and records found. */
  planned: number;
  found: number;
  /** The numeric variants that computed the records (one unless mixing was allowed). */
  variants: VariantGroup[];
  /** Which seeds chose and which are reported, and what the spread measures. */
  protocol: ProtocolSummary;
}

/** Error for a directory that is not a run store; says what to pass instead. */
export class ReportError extends Error {
  override name = 'ReportError';
}

function chartHtml(c: Chart, kind: string, notes?: Html): Html {
  // The SVG is Plot's, serialised by linkedom, which escapes every text node and attribute value.
  return html`<section><h2>${c.title}</h2><figure class="chart" id="${c.id}" data-chart="${kind}" data-mark-selector="${c.markSelector}" data-marks="${c.marks}">${trustedHtml(c.svg)}<figcaption>${c.caption}</figcaption></figure>${notes ?? ''}</section>`;
}

function summaryTable(exp: ResolvedExperiment, cells: readonly CellSummary[], comparisons: readonly Comparison[]): Html {
  const varied = new Set(variedNuisanceKeys(exp));
  const nuisanceKeys = [...new Set([...exp.nuisance.map((f) => f.key), ...varied])];
  const chosenLabel = (c: CellSummary): string => settingLabel(Object.fromEntries(Object.entries(c.chosen).filter(([k]) => varied.has(k))));
  const rows = cells.map((c) => {
    const cmp = comparisons.find((k) => k.cell === c);
    const better = isBetter(cmp);
    return html`<tr${better ? html` class="better"` : ''}><td>${c.label}</td><td class="num">${pct(c.test.mean)} &plusmn; ${pct(c.test.std)}</td><td class="num">${c.test.n}${c.nDiverged ? ` (+${c.nDiverged} diverged)` : ''}</td><td class="num">${pct(c.valid.mean)}</td>${
      varied.size ? html`<td>${chosenLabel(c)}</td>` : ''
    }${comparisonColumns(cmp)}</tr>`;
  });
  const vs = exp.compare ? `vs ${shortKey(exp.compare.factor)}=${String(exp.compare.baseline)}` : '';
  return html`<section id="summary"><h2>Test error per cell</h2><table id="summary-table" data-rows="${cells.length}"><thead><tr><th>cell</th><th class="num">test error % (mean &plusmn; std)</th><th class="num">n</th><th class="num">valid %</th>${
    varied.size ? html`<th>chosen on validation</th>` : ''
  }${comparisonHeaders(vs)}</tr></thead><tbody>${rows}</tbody></table>
<p class="note">${
    varied.size
      ? `For each cell the nuisance setting (${nuisanceKeys.join(', ')}) with the lowest mean validation error over the selection seeds was chosen (Section 5.3; see Protocol); the row reports test error of that setting over the evaluation seeds.`
      : `Each cell has one setting${nuisanceKeys.length ? ` of ${nuisanceKeys.join(', ')}` : ''}, so nothing was chosen on validation (see Protocol); the row reports test error over the evaluation seeds.`
  }</p>${comparisonNote(comparisons, vs)}${selectionDetails(cells)}</section>`;
}

function selectionDetails(cells: readonly CellSummary[]): Html {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  const items = cells.map(
    (c) =>
      html`<tr><td>${c.label}</td><td>${c.candidates.map((k, i) => {
        const text = `${settingLabel(k.nuisance)}: ${pct(k.meanValidError)}% (n=${k.n}${k.nMissing ? `, ${k.nMissing} missing` : ''})`;
        return html`${i > 0 ? html`<br>` : ''}${same(k.nuisance, c.chosen) ? html`<b>${text}</b>` : text}`;
      })}</td></tr>`,
  );
  const on = cells.some((c) => c.selection === 'fresh-seeds') ? ' (on the selection seeds)' : '';
  return html`<details><summary>Validation error of every nuisance setting${on}</summary><table><thead><tr><th>cell</th><th>setting: mean validation error</th></tr></thead><tbody>${items}</tbody></table></details>`;
}

/**
 * Reads the store at `storeDir` (`runs/<experiment>`), writes `report.html` (and PNG filter
 * grids in `figures/`) there, and returns what it drew. Uses only the trials of the current
 * manifest, so records of other configurations never enter the report.
 */
export function writeReport(storeDir: string, opts: { warn?: (m: string) => void } = {}): ReportResult {
  const dir = path.resolve(storeDir);
  const store = new RunStore(dir);
  const manifest = store.readManifest();
  if (!manifest) {
    const subs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'manifest.json'))) : [];
    throw new ReportError(
      `${dir} is not an experiment's run store (no manifest.json).` + (subs.length ? ` It holds: ${subs.map((s) => path.join(storeDir, s)).join(', ')}; pass one of those.` : ' Pass runs/<experiment>, e.g. runs/depth.'),
    );
  }
  const exp = manifest.experiment;
  const records = store.readMany(manifest.trials.map((t) => t.hash), opts.warn);
  const { cells, comparisons } = summarize(exp, manifest.trials as never, records);
  const factor = exp.compare?.factor ?? null;
  const withData = cells.filter((c) => c.test.n > 0);
  const charts: { kind: string; chart: Chart; inline?: boolean; notes?: Html; after?: Html }[] = [];
  const images: string[] = [];
  let filters: Html | null = null;
  let landscape: Html | null = null;
  const sections: Html[] = [];
  for (const kind of exp.figures) {
    if (withData.length === 0) break;
    if (kind === 'test-error-boxplot') charts.push({ kind, chart: boxplotChart(withData, factor) });
    else if (kind === 'test-error-histogram') charts.push({ kind, chart: histogramChart(withData, factor) });
    else if (kind === 'curves') {
      for (const [m, label] of [
        ['validError', 'validation error (%)'],
        ['trainNll', 'training NLL'],
      ] as const) {
        const c = curveChart(withData, m, label, factor);
        if (c) charts.push({ kind, chart: c });
      }
    } else if (kind === 'filters') filters = filterSection(dir, withData, factor, images);
    else if (kind === 'landscape') {
      const l = landscapeSection(dir, withData, factor);
      charts.push(...(l?.charts ?? []).map((chart) => ({ kind, chart })));
      landscape = l?.table ?? null;
    } else if (kind === 'unit-patterns') sections.push(html`<section id="unit-patterns"><h2>Unit patterns before and after fine-tuning</h2>${unitPatternSection(dir, withData, factor, images)}</section>`);
    else if (kind === 'weight-change') {
      const wc = weightChangeSection(withData, factor);
      sections.push(html`<section id="weight-change"><h2>Weight change during fine-tuning</h2>${wc.chart ? html`<figure class="chart" id="${wc.chart.id}" data-chart="${kind}" data-mark-selector="${wc.chart.markSelector}" data-marks="${wc.chart.marks}">${trustedHtml(wc.chart.svg)}<figcaption>${wc.chart.caption}</figcaption></figure>` : ''}${wc.body}</section>`);
      if (wc.chart) charts.push({ kind, chart: wc.chart, inline: true });
    } else if (kind === 'error-vs-factor') for (const s of errorVsFactorSections(exp, withData, comparisons)) charts.push({ kind, ...s });
    else if (kind === 'penalty-vs-pretraining') sections.push(penaltySection(exp, withData));
    else if (kind === 'trajectories') {
      const t = trajectorySection(dir, withData, factor, exp.compare?.baseline);
      sections.push(html`<section id="trajectories"><h2>Function-space trajectories</h2>${t.body}</section>`);
      for (const chart of t.charts) charts.push({ kind, chart, inline: true });
    } else if (kind === 'nll-trajectories') {
      const t = nllTrajectories(withData, factor, exp.compare?.baseline);
      if (t) charts.push({ kind, chart: t.chart, after: t.tables });
    } else if (kind === 'online-error' || kind === 'train-error-blocks') {
      const o = (kind === 'online-error' ? onlineErrorSection : trainErrorBlocksSection)(withData, factor, exp.compare?.baseline);
      if (o) charts.push({ kind, chart: o.chart, after: o.body });
    } else if (kind === 'gap-vs-labels') {
      const g = gapVsLabelsSection(exp, comparisons);
      if (g?.chart) charts.push({ kind, chart: g.chart, after: g.body });
      else if (g) sections.push(g.body);
    } else if (kind === 'error-vs-updates' || kind === 'train-test-gap') {
      const o = (kind === 'error-vs-updates' ? errorVsUpdatesSection : trainTestGapSection)(withData, factor, exp.compare?.baseline);
      if (o) charts.push({ kind, chart: o.chart, after: o.body });
    } else if (kind === 'ordering-variance') {
      const o = orderingVarianceSection(dir, withData, factor, exp.compare?.baseline, opts.warn);
      if (o?.chart) charts.push({ kind, chart: o.chart, after: o.body });
      else if (o) sections.push(html`<section id="ordering-variance"><h2>Variance of the final function across resampled blocks</h2>${o.body}</section>`);
    } else if (kind === 'depth-trend') {
      const d = depthTrendSection(withData, factor, exp.compare?.baseline);
      if (d) sections.push(d);
    } else if (kind === 'transfer-modes') {
      const t = transferModesSection(withData);
      if (t?.chart) charts.push({ kind, chart: t.chart, after: html`<section id="transfer-modes"><h2>Transfer modes: the claims, the differences, the weight change</h2>${t.body}</section>` });
      else if (t) sections.push(html`<section id="transfer-modes"><h2>Transfer modes</h2>${t.body}</section>`);
    }
  }
  const unique = new Set(manifest.trials.map((t) => t.hash));
  const found = [...unique].filter((h) => records.has(h)).length;
  const code = [...records.values()][0]?.code;
  const body: Html[] = [];
  body.push(html`<header><h1>${exp.id}</h1><p class="paper">${exp.paper}</p><p class="desc">${exp.description}</p><div class="meta">
<span>preset <b>${exp.preset ?? 'none'}</b></span><span>trials <b>${found}/${unique.size}</b></span><span>seeds <b>${exp.seeds.length}</b></span>
<span>factors <b>${exp.scientific.map((f) => `${f.key} ${JSON.stringify(f.values)}`).join(' x ')}</b></span>
${code ? html`<span>code <b>${code.package}${code.git ? ` ${code.git.slice(0, 10)}${code.dirty ? '+dirty' : ''}` : ''}</b></span>` : ''}
<span>generated <b>${new Date().toISOString().slice(0, 16).replace('T', ' ')}</b></span></div></header>`);
  if (found < unique.size) body.push(html`<p class="warn">${unique.size - found} of ${unique.size} trials have no record yet; statistics use the finished ones. Re-run the experiment to complete it.</p>`);
  const failures = store.readFailures();
  const failedSection = failedTrialsSection([...unique].filter((h) => !records.has(h) && failures.has(h)).map((h) => failures.get(h)!));
  if (failedSection) body.push(failedSection);
  const protocol = protocolSummary(exp, cells);
  body.push(protocolSection(protocol));
  body.push(summaryTable(exp, cells, comparisons));
  const beside = paperComparisonSection(exp.reported, cells, exp.preset);
  if (beside) body.push(beside);
  for (const { kind, chart, inline, notes, after } of charts) if (!inline) body.push(after ? html`${chartHtml(chart, kind, notes)}${after}` : chartHtml(chart, kind, notes));
  if (landscape) body.push(landscape);
  body.push(...sections);
  const variants = studyVariants(records.values());
  body.push(variantSection(variants));
  if (filters) body.push(html`<section id="filters"><h2>First-layer filters</h2>${filters}</section>`);
  const loaded = [...records.values()].filter((r) => r.result?.pretrainCache).length;
  const sharing = loaded > 0 ? html` ${loaded} of the ${records.size} trials loaded their pre-trained layers from the study's shared cache instead of training them again (the same numbers: the first trial of a seed and pre-training setting trained them; <code>--no-pretrain-cache</code> trains every one).` : '';
  body.push(html`<section><h2>Reproduce</h2><p class="note">Re-run (finished trials are skipped): <code>pretrain-lab run ${exp.id}${exp.preset ? ` --preset ${exp.preset}` : ''}</code>. Each trial's record in <code>trials/&lt;hash&gt;.json</code> holds its resolved config, code version, per-epoch metrics and a command reproducing it alone.${sharing}</p></section>`);
  const page = html`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${exp.id} - pretrain-lab report</title><style>${trustedHtml(REPORT_CSS)}</style></head><body><main>${body.map((b) => html`${b}
`)}</main></body></html>
`;
  const out = path.join(dir, 'report.html');
  atomicWriteFile(out, page.markup);
  return { path: out, experiment: exp, cells, comparisons, charts: charts.map((c) => c.chart), images, planned: unique.size, found, variants, protocol };
}
