import { ConfigError } from './config-error.ts';
import { makeDataset, type DataSplits, type Dataset } from './dataset.ts';

/**
 * The task restricted to some classes (`data.labels`, e.g. digits 0-4 as a source task and 5-9
 * as a target, the transfer setting of the modern studies): every split keeps the examples whose
 * label is in `labels`, relabelled by position (`labels[i]` becomes class i), in their original
 * order. Image shapes are kept.
 * @throws ConfigError when a label is repeated or is not a class of the data set
 */
export function keepLabels(s: DataSplits, labels: readonly number[], dataName: string): DataSplits {
  const n = s.train.nClasses;
  const bad = labels.filter((l) => l >= n);
  if (bad.length) throw new ConfigError(`data.labels lists ${bad.join(', ')} but ${dataName} has classes 0..${n - 1}; list classes of the data set`);
  if (new Set(labels).size !== labels.length) throw new ConfigError(`data.labels lists a class twice (${labels.join(', ')}); list each class once`);
  const index = new Int32Array(n).fill(-1);
  labels.forEach((l, i) => (index[l] = i));
  const keep = (ds: Dataset): Dataset => {
    let m = 0;
    for (let i = 0; i < ds.n; i++) if (index[ds.y[i]!]! >= 0) m++;
    const x = new Float32Array(m * ds.dim), y = new Int32Array(m);
    let j = 0;
    for (let i = 0; i < ds.n; i++) {
      const c = index[ds.y[i]!]!;
      if (c < 0) continue;
      x.set(ds.x.subarray(i * ds.dim, (i + 1) * ds.dim), j * ds.dim);
      y[j++] = c;
    }
    return makeDataset(`${ds.name}{${labels.join(',')}}`, x, y, ds.dim, labels.length, ds.image);
  };
  return { train: keep(s.train), valid: keep(s.valid), test: keep(s.test) };
}
