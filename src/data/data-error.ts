/**
 * What went wrong with a data file. Tests (and callers) tell the cases apart by `code`:
 *
 * - `not-found`      the file does not exist or cannot be read
 * - `bad-gzip`       the file starts like gzip but does not decompress (truncated or corrupt)
 * - `bad-magic`      the first two bytes of an IDX file are not zero
 * - `bad-type`       the IDX element type byte is not one of 0x08 0x09 0x0B 0x0C 0x0D 0x0E, or does
 *                    not match the data size (float32 declared over uint8-sized data)
 * - `too-large`      the file (or what its header declares) exceeds the stated size limit
 * - `truncated`      the file is shorter than its header (or its dimensions) require
 * - `size-mismatch`  the file is longer than its dimensions imply (wrong dimensions)
 * - `bad-dims`       the number or size of dimensions is not what the reader expects (a zero
 *                    dimension; train and test files of different widths)
 * - `count-mismatch` images and labels files hold different numbers of examples
 * - `bad-label`      a label is not an integer in the allowed range (0 .. classes - 1)
 * - `no-label`       a CSV file's label column is not named and cannot be told (see `csv.ts`)
 * - `bad-header`     a CSV file's first line mixes names and numbers
 * - `bad-value`      a feature value is not a finite number
 * - `ragged-row`     a CSV row has a different number of columns from the first one
 * - `bad-syntax`     a CSV file's quoting is malformed (an unclosed or stray quote)
 * - `checksum`       a file's SHA-256 is not the expected one
 * - `empty`          no examples (or too few to split)
 */
export type DataErrorCode =
  | 'not-found'
  | 'bad-gzip'
  | 'bad-magic'
  | 'bad-type'
  | 'too-large'
  | 'truncated'
  | 'size-mismatch'
  | 'bad-dims'
  | 'count-mismatch'
  | 'bad-label'
  | 'no-label'
  | 'bad-header'
  | 'bad-value'
  | 'ragged-row'
  | 'bad-syntax'
  | 'checksum'
  | 'empty';

/**
 * An error in a data file. The message names the file, what was expected and what was found
 * (and the row, for text formats); `code` says which case it is.
 */
export class DataFileError extends Error {
  override name = 'DataFileError';
  constructor(
    readonly code: DataErrorCode,
    readonly file: string,
    message: string,
    /** 1-based row (CSV line) or 0-based example index, when the problem is in one row. */
    readonly row?: number,
  ) {
    super(`${file}: ${message}`);
  }
}
