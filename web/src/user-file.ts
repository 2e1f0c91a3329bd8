/**
 * The user's own data, dropped on the page and parsed there (it never leaves the browser): one CSV
 * file (a label column and numeric features; `src/data/csv.ts`'s rules) or an IDX pair (images and
 * labels, raw or gzip; `src/data/idx-decode.ts`), split into train / valid / test by the lab's
 * convention for user data (`src/data/user-split.ts`: the last sixth is test, the sixth before it
 * valid). A bad file throws the lab's DataFileError, whose message names the file, the row and the
 * problem; the page shows it.
 */
import type { DataSplits } from '../../src/data/dataset.ts';
import { DataFileError } from '../../src/data/data-error.ts';
import { parseCsv } from '../../src/data/csv.ts';
import { decodeIdx, idxImageFeatures, idxLabels } from '../../src/data/idx-decode.ts';
import { csvExamplesAsRaw, splitUserData, type RawExamples } from '../../src/data/user-split.ts';
import { gunzipIfNeeded } from './mnist-subset.ts';

/** A file's name and bytes (a dropped `File`, or bytes in a test). */
export interface DroppedFile {
  name: string;
  bytes: Uint8Array;
}

/** The data set's name: the first file's name without its extensions. */
function dataName(files: readonly DroppedFile[]): string {
  return (files[0]?.name ?? 'data').replace(/\.gz$/i, '').replace(/\.(csv|idx\d?-?\w*|ubyte)$/i, '').replace(/-idx\d-ubyte$/, '');
}

/**
 * Parses the dropped files into splits.
 * @throws DataFileError naming the file (and the line of a CSV) on any problem, or when the files are neither one CSV nor an IDX pair
 */
export async function parseDroppedFiles(files: readonly DroppedFile[]): Promise<DataSplits> {
  const name = dataName(files);
  if (files.length === 1 && /\.csv(\.gz)?$/i.test(files[0]!.name)) {
    const f = files[0]!;
    const text = new TextDecoder().decode(await gunzipIfNeeded(f.bytes));
    return splitUserData(name, csvExamplesAsRaw(parseCsv(text, f.name), f.name));
  }
  if (files.length === 2) return splitUserData(name, await idxPair(files[0]!, files[1]!));
  const what = files.map((f) => f.name).join(', ') || 'nothing';
  throw new DataFileError('bad-dims', what, 'drop one CSV file (a label column and numeric features) or two IDX files (images and labels)');
}

/** An IDX images file and its labels file, in either order (told apart by their dimensions). */
async function idxPair(a: DroppedFile, b: DroppedFile): Promise<RawExamples> {
  const ta = decodeIdx(await gunzipIfNeeded(a.bytes), a.name), tb = decodeIdx(await gunzipIfNeeded(b.bytes), b.name);
  const [images, imagesFile, labels, labelsFile] = ta.dims.length === 1 ? [tb, b.name, ta, a.name] : [ta, a.name, tb, b.name];
  const im = idxImageFeatures(images, imagesFile);
  const y = idxLabels(labels, labelsFile);
  if (y.length !== im.n) {
    throw new DataFileError('count-mismatch', labelsFile, `expected ${im.n} labels, one per image of ${imagesFile}, found ${y.length}; the images and labels files do not belong together`);
  }
  const out: RawExamples = { x: im.x, y, n: im.n, dim: im.dim, source: imagesFile, labelsFile };
  if (im.image) out.image = im.image;
  return out;
}
