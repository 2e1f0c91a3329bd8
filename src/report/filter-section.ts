/**
 * The report's "First-layer filters" section (Erhan et al. 2010, Fig. 3-4): for each level of the
 * other factors (e.g. `depth=2`), the arms of the comparison (e.g. `pretrain=none` and `sdae`)
 * side by side in one row, from the same seed when every arm has a checkpoint for it, drawn at the
 * same pixel scale. Each grid is also written as a PNG in `figures/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFile } from '../io/atomic-write.ts';
import { settingLabel } from '../experiments/expand.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { TrialRecord } from '../experiments/store.ts';
import { readCheckpoint } from '../train/checkpoint.ts';
import { splitCell } from './charts.ts';
import { filterGridPng } from './filter-grid.ts';
import { html, type Html } from './html.ts';

/** The checkpoint of a finished record, also when the store was moved (null: none on disk). */
function findCheckpoint(storeDir: string, r: TrialRecord): string | null {
  const p = r.result?.checkpoint;
  if (!p || r.status !== 'done') return null;
  if (fs.existsSync(p)) return p;
  const alt = path.join(storeDir, 'checkpoints', r.hash, path.basename(p));
  return fs.existsSync(alt) ? alt : null;
}

/** One arm's tile: the filter grid of one cell at one seed. */
interface Tile {
  cell: CellSummary;
  arm: string;
  seed: number;
  png: Buffer;
  count: number;
  nOut: number;
}

function renderTile(storeDir: string, cell: CellSummary, arm: string, rec: TrialRecord): Tile | null {
  try {
    const ck = readCheckpoint(findCheckpoint(storeDir, rec)!);
    const w = ck.tensors.get('hidden.0.W');
    if (!w || w.shape.length !== 2) return null;
    const [nIn, nOut] = w.shape as [number, number];
    const side = Math.round(Math.sqrt(nIn));
    if (side * side !== nIn) return null;
    const { png, count } = filterGridPng(w.data, nIn, nOut, { height: side, width: side, max: 64, scale: 2 });
    return { cell, arm, seed: rec.seed, png, count, nOut };
  } catch {
    return null; // an unreadable checkpoint only loses its tile
  }
}

/**
 * Groups cells into rows of arms: cells that differ only in `factor` share a row. Without a
 * comparison factor every cell is its own arm of one row.
 */
export function pairArms(cells: readonly CellSummary[], factor: string | null): { key: string; arms: { arm: string; cell: CellSummary }[] }[] {
  const rows = new Map<string, { arm: string; cell: CellSummary }[]>();
  for (const cell of cells) {
    const { group, x } = factor ? splitCell(cell.cell, factor) : { group: cell.label, x: '' };
    const row = rows.get(x) ?? [];
    row.push({ arm: group, cell });
    rows.set(x, row);
  }
  return [...rows].map(([key, arms]) => ({ key, arms }));
}

/** The lowest seed with a checkpoint in every arm, or null when the arms share none. */
function commonSeed(storeDir: string, cells: readonly CellSummary[]): number | null {
  const seeds = cells.map((c) => new Set(c.records.filter((r) => findCheckpoint(storeDir, r)).map((r) => r.seed)));
  const shared = [...(seeds[0] ?? [])].filter((s) => seeds.every((set) => set.has(s))).sort((a, b) => a - b);
  return shared[0] ?? null;
}

/**
 * The section's body; pushes each PNG written to `images`. `factor` is the comparison's factor
 * (e.g. `pretrain.kind`), whose levels are shown side by side.
 */
export function filterSection(storeDir: string, cells: readonly CellSummary[], factor: string | null, images: string[]): Html {
  const figDir = path.join(storeDir, 'figures');
  const rows: Html[] = [];
  for (const { key, arms } of pairArms(cells, factor)) {
    const seed = commonSeed(storeDir, arms.map((a) => a.cell));
    const tiles: Tile[] = [];
    for (const { arm, cell } of arms) {
      const rec = cell.records.find((r) => findCheckpoint(storeDir, r) && (seed === null || r.seed === seed));
      const tile = rec ? renderTile(storeDir, cell, arm, rec) : null;
      if (tile) tiles.push(tile);
    }
    if (tiles.length === 0) continue;
    const figures = tiles.map((t) => {
      const slug = settingLabel(t.cell.cell).replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase() || 'all';
      const file = path.join(figDir, `filters-${slug}.png`);
      atomicWriteFile(file, t.png);
      images.push(file);
      const caption = `${factor ? settingLabel({ [factor]: t.arm }) : t.cell.label}${seed === null ? `, seed ${t.seed}` : ''}: ${t.count} of ${t.nOut} filters`;
      return html`<figure class="filter-grid" data-cell="${t.cell.label}" data-arm="${t.arm}" data-seed="${t.seed}" data-filters="${t.count}"><img alt="first-layer filters, ${t.cell.label}, seed ${t.seed}" src="data:image/png;base64,${t.png.toString('base64')}"><figcaption>${caption}</figcaption></figure>`;
    });
    const title = [key, seed === null ? '' : `seed ${seed}`].filter(Boolean).join(', ');
    rows.push(
      html`<div class="filter-pair" data-pair="${key}" style="--arms: ${factor ? arms.length : Math.min(arms.length, 3)}">${title ? html`<h3>${title}</h3>` : ''}<div class="filter-arms">${figures}</div></div>`,
    );
  }
  if (rows.length === 0) return html`<p class="note">No checkpoints with a first layer of square images were found, so no filters are shown.</p>`;
  const pairing = factor ? html` Each row pairs the levels of <code>${factor}</code> at equal other factors, from the same seed where both have a checkpoint, at the same pixel scale.` : '';
  return html`<p class="note">Columns of the first layer's weight matrix <code>hidden.0.W</code> after fine-tuning, each scaled to its own range (cf. Erhan et al. 2010, Fig. 3-4).${pairing} Also saved as PNG in <code>figures/</code>.</p><div class="filters">${rows}</div>`;
}
