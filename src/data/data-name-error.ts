/**
 * A data set name that cannot be used: an unknown name, or an `idx:` / `csv:` spec written wrong
 * (wrong number of paths, an unknown option). The message quotes the name (kept in `dataName`)
 * and says how to write it.
 * Files that the name points to are checked later; their problems are DataFileErrors.
 */
export class DataNameError extends Error {
  override name = 'DataNameError';
  constructor(readonly dataName: string, message: string) {
    super(message);
  }
}
