/**
 * Labelled examples from a CSV file (RFC 4180, parsed by `csv-parse`): one example per record, one
 * column holding the integer class label, every other column a numeric feature. A header line is
 * optional (detected when its cells are not all numbers). Blank lines are skipped; a UTF-8 byte-order
 * mark and CRLF line ends are accepted; cells may be quoted (`"3"`, `"a, b"`, `"say ""hi"""`) and
 * are trimmed of surrounding spaces.
 */
import { CsvError, parse } from 'csv-parse/sync';
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
 * @throws DataFileError `empty`, `bad-syntax` (malformed quoting), `ragged-row`, `bad-value`, `bad-label`,
 *   `bad-dims` (fewer than 2 columns, or no such label column)
 */
export function parseCsv(text: string, file: string, opts: CsvOptions = {}): CsvExamples {
  const rows = parseRecords(text, file);
  const firstRow = rows[0];
  if (firstRow === undefined) throw new DataFileError('empty', file, 'expected a CSV file with at least one example, found no data lines');
  const firstCells = firstRow.cells;
  const hasHeader = firstCells.some((c) => c === '' || !Number.isFinite(Number(c)));
  const header = hasHeader ? firstCells : undefined;
  const cols = firstCells.length;
  if (cols < 2) throw new DataFileError('bad-dims', file, `expected at least 2 columns (a label and a feature), found ${cols} on line ${firstRow.line}`, firstRow.line);
  const labelCol = resolveLabelColumn(opts.label, header, cols, file);
  const dim = cols - 1;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const { cells, line } of hasHeader ? rows.slice(1) : rows) {
    if (cells.length !== cols) {
      throw new DataFileError('ragged-row', file, `line ${line}: expected ${cols} columns like the first row, found ${cells.length}`, line);
    }
    for (let c = 0; c < cols; c++) {
      const s = cells[c]!;
      const v = s === '' ? NaN : Number(s);
      if (c === labelCol) {
        if (!Number.isInteger(v) || v < 0) {
          throw new DataFileError('bad-label', file, `line ${line}: expected an integer label >= 0 in column ${labelCol + 1}${header ? ` (${header[labelCol]})` : ''}, found "${s}"`, line);
        }
        ys.push(v);
      } else {
        // Features are stored as float32: a finite double beyond its range (|x| > 3.4e38) would become Infinity.
        if (!Number.isFinite(Math.fround(v))) {
          throw new DataFileError('bad-value', file, `line ${line}, column ${c + 1}${header ? ` (${header[c]})` : ''}: expected a number (finite, |x| <= 3.4e38), found "${s}"`, line);
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

/** One CSV record: its cells and the 1-based line it ends on. */
interface CsvRecord {
  cells: string[];
  line: number;
}

/**
 * The non-blank records of `text`, each with its line. Ragged rows are let through (`parseCsv`
 * names them); malformed quoting becomes a `bad-syntax` DataFileError naming the line.
 */
function parseRecords(text: string, file: string): CsvRecord[] {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    // With `info: true` each record comes as { record, info }, which csv-parse's types do not model.
    parsed = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof parsed;
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = typeof e['lines'] === 'number' ? e['lines'] : undefined;
    throw new DataFileError('bad-syntax', file, `${line !== undefined ? `line ${line}: ` : ''}malformed CSV: ${e.message}`, line);
  }
  // Spaces inside quotes are trimmed too, as before csv-parse: `" 3 "` is the number 3.
  return parsed.map(({ record, info }) => ({ cells: record.map((c) => c.trim()), line: info.lines }));
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
