/**
 * Users' own data sets read from files: an IDX images+labels pair (raw or .gz) or a CSV file;
 * how they are split and their labels checked is `user-split.ts` (re-exported here).
 */
import { basename } from 'node:path';
import { DataFileError } from './data-error.ts';
import { idxExampleCount, readIdxImages, readIdxLabels } from './idx.ts';
import type { CsvOptions } from './csv.ts';
import { readCsv } from './csv-file.ts';
import { csvExamplesAsRaw, type RawExamples } from './user-split.ts';

export * from './user-split.ts';

/**
 * Reads an IDX images file and its labels file, checking they hold the same number of examples.
 * @throws DataFileError `count-mismatch` (naming both files), or any IDX error
 */
export function readIdxPair(imagesFile: string, labelsFile: string): RawExamples {
  // The counts come from the headers alone, so a mismatched pair is refused before any pixel is decoded.
  const nImages = idxExampleCount(imagesFile, 'images');
  const nLabels = idxExampleCount(labelsFile, 'labels');
  if (nLabels !== nImages) {
    throw new DataFileError('count-mismatch', labelsFile, `expected ${nImages} labels, one per image of ${imagesFile}, found ${nLabels}; the images and labels files do not belong together`);
  }
  const im = readIdxImages(imagesFile);
  const y = readIdxLabels(labelsFile);
  const out: RawExamples = { x: im.x, y, n: im.n, dim: im.dim, source: imagesFile, labelsFile };
  if (im.image) out.image = im.image;
  return out;
}

/** Reads a CSV file of labelled examples (see `csv.ts`); square feature counts are taken as square images (`csvExamplesAsRaw`). */
export function readCsvExamples(file: string, opts: CsvOptions = {}): RawExamples {
  return csvExamplesAsRaw(readCsv(file, opts), file);
}

/** A short name for a user data set from its file path (`digits.csv` -> `digits`). */
export function userDataName(file: string): string {
  return basename(file).replace(/(\.gz)?$/, '').replace(/\.(csv|idx\d?-?\w*|ubyte)$/i, '').replace(/-idx\d-ubyte$/, '');
}
