/**
 * The report's "Unit patterns" section (Erhan et al. 2010, Figs. 3-4): for each level of the other
 * factors (e.g. `data.name=mnist`), one grid per hidden layer (rows) and per network and phase
 * (columns): a pre-trained arm after pre-training (Fig. 3 top) and after fine-tuning (Fig. 3
 * bottom), the arm without pre-training after training (Fig. 4). Layer 1 shows weights, layers 2
 * and up activation-maximization inputs, read from each trial's `unit-patterns.safetensors`
 * (`src/analysis/unit-patterns.ts`), from the lowest seed that has one. Each grid is also written
 * as a PNG in `figures/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFile } from '../io/atomic-write.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { TrialRecord } from '../experiments/store.ts';
import { readUnitPatterns, UNIT_PATTERNS_FILE, type LayerPatterns, type UnitPatternFile } from '../analysis/unit-patterns.ts';
import { pairArms } from './filter-section.ts';
import { filterGridPng } from './filter-grid.ts';
import { html, type Html } from './html.ts';

/** The unit-patterns side file of a finished record, also when the store was moved (null: none). */
export function unitPatternFile(storeDir: string, r: TrialRecord): string | null {
  if (r.status !== 'done') return null;
  const ck = r.result?.checkpoint;
  const candidates = [...(ck ? [path.join(path.dirname(ck), UNIT_PATTERNS_FILE)] : []), path.join(storeDir, 'checkpoints', r.hash, UNIT_PATTERNS_FILE)];
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}

/** Column headings of the phases. */
const PHASE_LABEL = { pretrained: 'after pre-training', finetuned: 'after fine-tuning' } as const;

/** Image height and width of the patterns: the file's, else a square when nIn is one. */
function imageShape(file: UnitPatternFile, nIn: number): { height: number; width: number } | null {
  if (file.image && file.image.height * file.image.width === nIn) return file.image;
  const side = Math.round(Math.sqrt(nIn));
  return side * side === nIn ? { height: side, width: side } : null;
}

/** `[units, nIn]` -> `[nIn, units]`, the layout `filterGridPng` draws column by column. */
function transpose(p: LayerPatterns, nIn: number): Float32Array {
  const k = p.units.length, out = new Float32Array(nIn * k);
  for (let u = 0; u < k; u++) for (let i = 0; i < nIn; i++) out[i * k + u] = p.patterns[u * nIn + i]!;
  return out;
}

const slug = (s: string): string => s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase() || 'all';

/** One grid image with its caption; pushes the PNG written to `images`. */
function patternFigure(figDir: string, cell: CellSummary, arm: string, seed: number, file: UnitPatternFile, p: LayerPatterns, images: string[]): Html | null {
  const nIn = p.patterns.length / p.units.length;
  const shape = imageShape(file, nIn);
  if (!shape) return null;
  const { png, count } = filterGridPng(transpose(p, nIn), nIn, p.units.length, { ...shape, max: p.units.length, scale: 2 });
  const out = path.join(figDir, `patterns-${slug(cell.label)}-${p.phase}-layer${p.layer}.png`);
  atomicWriteFile(out, png);
  images.push(out);
  const agree = p.layer > 1 ? `, starts agree ${(p.agreement.reduce((s, v) => s + v, 0) / p.agreement.length).toFixed(2)}` : '';
  return html`<figure class="unit-pattern" data-cell="${cell.label}" data-arm="${arm}" data-phase="${p.phase}" data-layer="${p.layer}" data-units="${count}" data-seed="${seed}" style="margin:0"><img alt="layer ${p.layer} unit patterns, ${cell.label} ${PHASE_LABEL[p.phase]}, seed ${seed}" src="data:image/png;base64,${png.toString('base64')}" style="width:100%;image-rendering:pixelated;border:1px solid #e3e6ec;border-radius:4px"><figcaption>${count} units${agree}</figcaption></figure>`;
}

/** The section's body (see the module comment); `factor` is the comparison's factor (e.g. `pretrain.kind`). */
export function unitPatternSection(storeDir: string, cells: readonly CellSummary[], factor: string | null, images: string[]): Html {
  const figDir = path.join(storeDir, 'figures');
  const blocks: Html[] = [];
  for (const { key, arms } of pairArms(cells, factor)) {
    const columns: { heading: string; byLayer: Map<number, Html> }[] = [];
    for (const { arm, cell } of arms) {
      const rec = cell.records.find((r) => unitPatternFile(storeDir, r));
      if (!rec) continue;
      let file: UnitPatternFile;
      try {
        file = readUnitPatterns(unitPatternFile(storeDir, rec)!);
      } catch {
        continue; // an unreadable side file only loses its column
      }
      for (const phase of ['pretrained', 'finetuned'] as const) {
        const entries = file.entries.filter((e) => e.phase === phase);
        if (entries.length === 0) continue;
        const heading = `${factor ? arm : cell.label} ${phase === 'finetuned' && !file.entries.some((e) => e.phase === 'pretrained') ? 'trained from scratch' : PHASE_LABEL[phase]} (seed ${rec.seed})`;
        const byLayer = new Map<number, Html>();
        for (const e of entries) {
          const fig = patternFigure(figDir, cell, arm, rec.seed, file, e, images);
          if (fig) byLayer.set(e.layer, fig);
        }
        if (byLayer.size) columns.push({ heading, byLayer });
      }
    }
    if (columns.length === 0) continue;
    const layers = [...new Set(columns.flatMap((c) => [...c.byLayer.keys()]))].sort((a, b) => a - b);
    const head = html`<tr><th></th>${columns.map((c) => html`<th style="text-transform:none">${c.heading}</th>`)}</tr>`;
    const rows = layers.map((l) => html`<tr data-layer="${l}"><th>layer ${l}${l === 1 ? ' (weights)' : ''}</th>${columns.map((c) => html`<td style="vertical-align:top">${c.byLayer.get(l) ?? ''}</td>`)}</tr>`);
    blocks.push(html`<div class="unit-pattern-block" data-pair="${key}">${key ? html`<h3 style="font-size:14px;margin:12px 0 6px">${key}</h3>` : ''}<table class="unit-pattern-grid" style="table-layout:fixed"><thead>${head}</thead><tbody>${rows}</tbody></table></div>`);
  }
  if (blocks.length === 0) return html`<p class="note">No trial has unit patterns of image-shaped inputs (<code>${UNIT_PATTERNS_FILE}</code>; switch them on with <code>analysis.actmax.enabled</code>), so none are shown.</p>`;
  return html`<p class="note">What the first units of each hidden layer respond to (cf. Erhan et al. 2010, Figs. 3-4): layer 1 by its weights, layers 2-3 by activation maximization, the input of fixed norm (the mean norm of the training inputs) that maximizes the unit's pre-sigmoid activation, found by projected gradient ascent from several random starts (the best kept; "starts agree" is the mean pairwise cosine of the starts' solutions, 1 when all find the same input). The same units, from the same starts, before and after fine-tuning. Each tile scaled to its own range. Also saved as PNG in <code>figures/</code>.</p>${blocks}`;
}
