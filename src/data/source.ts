/**
 * A data set or stream by name, for commands that look at data (`pretrain-lab data show`).
 *
 * Names: `mnist` (= `mnist/train`), `mnist/valid`, `mnist/test`; `infinite-mnist` (the stream);
 * `shapeset`, `shapeset-3x2` (train split, or `/valid`, `/test`); user data `idx:...` and `csv:...`
 * as in `loadData` (train split, or append `/valid` or `/test`).
 */
import type { Dataset, ExampleStream } from './dataset.ts';
import { createInfiniteMnist } from './infinite-mnist.ts';
import { loadData } from './load.ts';

/**
 * Resolves a name to a Dataset or an ExampleStream.
 * @param seed data seed of generated sets (InfiniteMNIST stream seed, Shapeset generation seed);
 *   0, the default, gives the fixed data sets that `loadData` uses
 */
export async function resolveDataSource(name: string, seed = 0): Promise<Dataset | ExampleStream> {
  if (name === 'infinite-mnist') return createInfiniteMnist({ seed });
  const m = /^(.*)\/(train|valid|test)$/.exec(name);
  const base = m ? m[1]! : name;
  const split = (m ? m[2]! : 'train') as 'train' | 'valid' | 'test';
  if (seed !== 0 && base.startsWith('shapeset')) {
    const { generateShapeset, SHAPESET_3X2_DEFAULTS } = await import('./shapeset.ts');
    return generateShapeset(base === 'shapeset-3x2' ? { ...SHAPESET_3X2_DEFAULTS, seed } : { seed })[split];
  }
  const splits = await loadData({ name: base, trainSize: null, validSize: null, testSize: null, binarize: 'none' }, seed);
  return splits[split];
}

/** True when `s` is an in-memory Dataset (has `x` and `y`), false for an ExampleStream. */
export function isDataset(s: Dataset | ExampleStream): s is Dataset {
  return 'x' in s && 'y' in s && 'n' in s;
}
