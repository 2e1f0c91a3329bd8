/** Reading a CSV data file (raw or gzip) into labelled examples; the parsing is `csv.ts`'s. */
import { parseCsv, type CsvExamples, type CsvOptions } from './csv.ts';
import { readMaybeGzip } from './idx.ts';

/** Reads and validates a CSV file (optionally gzip). Errors name the file and the 1-based line. */
export function readCsv(file: string, opts: CsvOptions = {}): CsvExamples {
  return parseCsv(readMaybeGzip(file).toString('utf8'), file, opts);
}
