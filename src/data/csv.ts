/**
 * Labelled examples from a CSV file (RFC 4180, parsed by `csv-parse`): one example per record, one
 * column holding the integer class label, every other column a numeric feature. Blank lines are
 * skipped; a UTF-8 byte-order mark and LF, CRLF or CR line ends are accepted; cells may be quoted
 * (`"3"`, `"a, b"`, `"say ""hi"""`) and are trimmed of surrounding spaces.
 *
 * The header rule (`header: 'auto'`, the default): the first line is a header when none of its
 * cells is a number, data when all are; a first line that mixes names and numbers is refused
 * (`bad-header`), never guessed. `header: 'yes'` / `'no'` says it outright (e.g. a header of
 * numeric column names).
 *
 * The label rule: the label column is the one named by `label` (a 0-based index or a header name),
 * else the one header column named `label`, `class`, `y` or `target` (case-insensitive). Anything
 * else (no header, no such column, or more than one) is refused (`no-label`): a pixel column is
 * never taken for the label.
 *
 * Text only, no file access (the web page parses a dropped file with it); `readCsv` in
 * `csv-file.ts` reads a file.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { DataFileError } from './data-error.ts';
import { MAX_CLASSES } from './config.ts';

/** Options of `readCsv`. */
export interface CsvOptions {
  /**
   * The label column: a 0-based index or a header name. Default: the one header column named
   * `label`, `class`, `y` or `target` (case-insensitive); without one, an error.
   */
  label?: number | string;
  /** Whether the first line is a header: `auto` (default; see the module comment), `yes` or `no`. */
  header?: 'auto' | 'yes' | 'no';
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
  /** `[n]` the 1-based line of each example, for messages. */
  lines: Int32Array;
}

/** Header names taken for the label column when none is named (compared case-insensitively). */
export const LABEL_COLUMN_NAMES = ['label', 'class', 'y', 'target'] as const;

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
  const hasHeader = isHeader(firstRow, opts.header ?? 'auto', file);
  const header = hasHeader ? firstCells : undefined;
  const cols = firstCells.length;
  if (cols < 2) throw new DataFileError('bad-dims', file, `expected at least 2 columns (a label and a feature), found ${cols} on line ${firstRow.line}`, firstRow.line);
  const labelCol = resolveLabelColumn(opts.label, header, cols, file);
  const dim = cols - 1;
  const xs: number[] = [];
  const ys: number[] = [];
  const lines: number[] = [];
  for (const { cells, line } of hasHeader ? rows.slice(1) : rows) {
    lines.push(line);
    if (cells.length !== cols) {
      throw new DataFileError('ragged-row', file, `line ${line}: expected ${cols} columns like the first row, found ${cells.length}`, line);
    }
    for (let c = 0; c < cols; c++) {
      const s = cells[c]!;
      const v = s === '' ? NaN : Number(s);
      if (c === labelCol) {
        if (!Number.isInteger(v) || v < 0 || v >= MAX_CLASSES) {
          throw new DataFileError('bad-label', file, `line ${line}: expected an integer label in 0..${MAX_CLASSES - 1} in column ${labelCol + 1}${header ? ` (${clip(header[labelCol]!)})` : ''}, found "${clip(s)}"`, line);
        }
        ys.push(v);
      } else {
        // Features are stored as float32: a finite double beyond its range (|x| > 3.4e38) would become Infinity.
        if (!Number.isFinite(Math.fround(v))) {
          throw new DataFileError('bad-value', file, `line ${line}, column ${c + 1}${header ? ` (${clip(header[c]!)})` : ''}: expected a number (finite, |x| <= 3.4e38), found "${clip(s)}"`, line);
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
  const out: CsvExamples = { x, y: Int32Array.from(ys), n: ys.length, dim, lines: Int32Array.from(lines) };
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

/** A cell that reads as a finite number (`""` does not). */
function isNumber(cell: string): boolean {
  return cell !== '' && Number.isFinite(Number(cell));
}

/**
 * Applies the header rule (module comment) to the first record.
 * @throws DataFileError `bad-header` when `auto` meets a line of both names and numbers
 */
function isHeader(first: CsvRecord, mode: 'auto' | 'yes' | 'no', file: string): boolean {
  if (mode !== 'auto') return mode === 'yes';
  const numeric = first.cells.map(isNumber);
  if (numeric.every((v) => !v)) return true;
  if (numeric.every((v) => v)) return false;
  const text = numeric.indexOf(false), num = numeric.indexOf(true);
  throw new DataFileError(
    'bad-header',
    file,
    `line ${first.line} mixes names and numbers (column ${text + 1} is "${clip(first.cells[text]!)}", column ${num + 1} is ${clip(first.cells[num]!)}): a header line holds only names, a data line only numbers; fix the cell, or say which it is with ?header=yes or ?header=no`,
    first.line,
  );
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

/** The names of a header, shortened for a message. */
function headerSummary(header: readonly string[]): string {
  const shown = header.slice(0, 6).map((h) => `"${clip(h)}"`).join(', ');
  return header.length > 6 ? `${shown}, ... (${header.length} columns)` : shown;
}

function resolveLabelColumn(label: number | string | undefined, header: string[] | undefined, cols: number, file: string): number {
  const how = `name it with csv:${file}?label=<column name or 0-based index>`;
  if (label === undefined) {
    if (!header) throw new DataFileError('no-label', file, `no label column: the file has no header line, so no column is named ${LABEL_COLUMN_NAMES.join(', ')}; ${how}`);
    const found = header.flatMap((h, i) => ((LABEL_COLUMN_NAMES as readonly string[]).includes(h.toLowerCase()) ? [i] : []));
    if (found.length === 1) return found[0]!;
    throw new DataFileError(
      'no-label',
      file,
      found.length === 0
        ? `no label column: no header column is named ${LABEL_COLUMN_NAMES.join(', ')} (the header has ${headerSummary(header)}); ${how}`
        : `no label column: ${found.length} header columns could be the label (${found.map((i) => `"${header[i]}"`).join(', ')}); ${how}`,
    );
  }
  if (typeof label === 'number' || /^\d+$/.test(label)) {
    const i = Number(label);
    if (i >= cols) throw new DataFileError('bad-dims', file, `label column ${i} requested but rows have ${cols} columns (0-based indices 0..${cols - 1})`);
    return i;
  }
  const i = header ? header.indexOf(label) : -1;
  if (i < 0) {
    throw new DataFileError('bad-dims', file, header ? `no column named "${clip(label)}"; the header has ${headerSummary(header)}` : `label column "${clip(label)}" requested by name but the file has no header line`);
  }
  return i;
}
