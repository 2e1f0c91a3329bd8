/**
 * Exploring a study without the CLI: the run store's trial records (`trials/*.json`) dropped on the
 * page become a table of cells (the scientific factors' setting) with the test error's mean and
 * standard deviation over the cell's finished trials; a dropped `report.html` opens in a new tab
 * (a blob URL: the report is self-contained, so nothing is fetched).
 */

/** What the table needs of a trial record (`src/experiments/store.ts`, `TrialRecord`). */
interface RecordLike {
  experiment?: unknown;
  status?: unknown;
  cell?: unknown;
  result?: { final?: { test?: { error?: unknown } } } | null;
}

/** One row of the table. */
export interface CellSummary {
  experiment: string;
  cell: string;
  trials: number;
  diverged: number;
  mean: number;
  std: number;
}

/** A cell's setting as text: `depth=2, pretrain=sdae`. */
function cellText(cell: unknown): string {
  if (!cell || typeof cell !== 'object') return '(none)';
  return Object.entries(cell as Record<string, unknown>).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ') || '(none)';
}

/**
 * Summarises trial records by experiment and cell (sorted by experiment, then cell).
 * @param texts each file's name and JSON text
 * @throws Error naming the file when one is not JSON or not a trial record
 */
export function summariseTrials(texts: readonly { name: string; text: string }[]): CellSummary[] {
  const groups = new Map<string, { experiment: string; cell: string; errors: number[]; diverged: number }>();
  for (const { name, text } of texts) {
    let r: RecordLike;
    try {
      r = JSON.parse(text) as RecordLike;
    } catch (e) {
      throw new Error(`${name}: not JSON (${(e as Error).message}); drop the trials/*.json files of a run store`);
    }
    if (!r || typeof r !== 'object' || !('cell' in r) || !('status' in r)) throw new Error(`${name}: not a trial record (no 'cell' and 'status'); drop the trials/*.json files of a run store`);
    const experiment = String(r.experiment ?? '?'), cell = cellText(r.cell);
    const key = `${experiment}\u0000${cell}`;
    const g = groups.get(key) ?? { experiment, cell, errors: [], diverged: 0 };
    const err = r.result?.final?.test?.error;
    if (r.status === 'done' && typeof err === 'number') g.errors.push(err);
    else g.diverged++;
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => {
      const n = g.errors.length, mean = n ? g.errors.reduce((a, b) => a + b, 0) / n : NaN;
      const std = n > 1 ? Math.sqrt(g.errors.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
      return { experiment: g.experiment, cell: g.cell, trials: n, diverged: g.diverged, mean, std };
    })
    .sort((a, b) => a.experiment.localeCompare(b.experiment) || a.cell.localeCompare(b.cell));
}

/** The summary as an HTML table. */
export function trialsTable(rows: readonly CellSummary[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'trials';
  const head = table.insertRow();
  for (const h of ['experiment', 'cell', 'trials', 'diverged', 'test error (mean ± std)']) head.insertCell().textContent = h;
  const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : '–');
  for (const r of rows) {
    const tr = table.insertRow();
    for (const v of [r.experiment, r.cell, String(r.trials), String(r.diverged), `${pct(r.mean)} ± ${pct(r.std)}`]) tr.insertCell().textContent = v;
  }
  return table;
}
