/**
 * Labelled examples from a CSV file: one example per line, one column holding the integer class
 * label, every other column a numeric feature. A header line is optional (detected when its cells
 * are not all numbers). Blank lines are skipped; cells may be quoted (`"3"`); `,` separates cells.
 */
import { DataFileError } from './data-error.ts';
import { readMaybeGzip } from './idx.ts';

/** Options of `readCsv`. */
export interface CsvOptions {
  /**
   * The label column: a 0-based index or a header name. Default: the column named `label`
   * (case-insensitive) when there is a header with one, else the first column.
   */
  label?: number | string;
  /**
   * Feature scaling: `none` keeps values as they are; `255` divides by 255; `auto` (default)
   * divides by 255 when every value is in [0, 255] and some value exceeds 1 (8-bit pixels).
   */
  scale?: 'auto' | 'none' | '255';
}

/** Parsed CSV examples. */
export interface CsvExamples {
  /** `[n, dim]` features, row-major. */
  x: Float32Array;
  /** `[n]` labels (integers >= 0). */
  y: Int32Array;
  n: number;
  dim: number;
  /** The header cells, when there was a header. */
  header?: string[];
}

/** Reads and validates a CSV file (optionally gzip). Errors name the file and the 1-based line. */
export function readCsv(file: string, opts: CsvOptions = {}): CsvExamples {
  return parseCsv(readMaybeGzip(file).toString('utf8'), file, opts);
}

/**
 * Parses CSV text (see the module comment). `file` names the source in errors.
 * @throws DataFileError `empty`, `ragged-row`, `bad-value`, `bad-label`, `bad-dims` (no such label column)
 */
export function parseCsv(text: string, file: string, opts: CsvOptions = {}): CsvExamples {
  const lines = text.split(/\r?\n/);
  let first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new DataFileError('empty', file, 'expected a CSV file with at least one example, found no data lines');
  const firstCells = splitCells(lines[first]!);
  const hasHeader = firstCells.some((c) => c === '' || !Number.isFinite(Number(c)));
  let header: string[] | undefined;
  if (hasHeader) {
    header = firstCells;
    first++;
  }
  const cols = firstCells.length;
  if (cols < 2) throw new DataFileError('bad-dims', file, `expected at least 2 columns (a label and a feature), found ${cols} on line ${first + (hasHeader ? 0 : 1)}`, first);
  const labelCol = resolveLabelColumn(opts.label, header, cols, file);
  const dim = cols - 1;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let li = first; li < lines.length; li++) {
    const line = lines[li]!;
    if (line.trim() === '') continue;
    const lineNo = li + 1;
    const cells = splitCells(line);
    if (cells.length !== cols) {
      throw new DataFileError('ragged-row', file, `line ${lineNo}: expected ${cols} columns like the first row, found ${cells.length}`, lineNo);
    }
    for (let c = 0; c < cols; c++) {
      const s = cells[c]!;
      const v = s === '' ? NaN : Number(s);
      if (c === labelCol) {
        if (!Number.isInteger(v) || v < 0) {
          throw new DataFileError('bad-label', file, `line ${lineNo}: expected an integer label >= 0 in column ${labelCol + 1}${header ? ` (${header[labelCol]})` : ''}, found "${s}"`, lineNo);
        }
        ys.push(v);
      } else {
        if (!Number.isFinite(v)) {
          throw new DataFileError('bad-value', file, `line ${lineNo}, column ${c + 1}${header ? ` (${header[c]})` : ''}: expected a number, found "${s}"`, lineNo);
        }
        xs.push(v);
      }
    }
  }
  if (ys.length === 0) throw new DataFileError('empty', file, 'expected at least one example after the header, found none');
  const x = Float32Array.from(xs);
  const scale = opts.scale ?? 'auto';
  let lo = Infinity, hi = -Infinity;
  for (const v of xs) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (scale === '255' || (scale === 'auto' && lo >= 0 && hi <= 255 && hi > 1)) {
    for (let i = 0; i < xs.length; i++) x[i] = xs[i]! / 255;
  }
  const out: CsvExamples = { x, y: Int32Array.from(ys), n: ys.length, dim };
  if (header) out.header = header;
  return out;
}

function resolveLabelColumn(label: number | string | undefined, header: string[] | undefined, cols: number, file: string): number {
  if (label === undefined) {
    const i = header ? header.findIndex((h) => h.toLowerCase() === 'label') : -1;
    return i >= 0 ? i : 0;
  }
  if (typeof label === 'number' || /^\d+$/.test(label)) {
    const i = Number(label);
    if (i >= cols) throw new DataFileError('bad-dims', file, `label column ${i} requested but rows have ${cols} columns (0-based indices 0..${cols - 1})`);
    return i;
  }
  const i = header ? header.indexOf(label) : -1;
  if (i < 0) {
    throw new DataFileError('bad-dims', file, header ? `no column named "${label}"; the header has: ${header.join(', ')}` : `label column "${label}" requested by name but the file has no header line`);
  }
  return i;
}

function splitCells(line: string): string[] {
  return line.split(',').map((c) => {
    const t = c.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}
