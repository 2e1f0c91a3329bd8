/**
 * A disk cache for `embedPoints` (t-SNE and Isomap take tens of seconds on a full study): the
 * result is stored as JSON in `<dir>/embedding-<key>.json`, where the key is the sha256 of the
 * points' bytes, their shape, the options and the druidjs version, so any change of inputs
 * computes afresh and a report rebuilt on the same store reuses the embedding.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { version as druidVersion } from '@saehrimnir/druidjs';
import { atomicWriteFile } from '../io/atomic-write.ts';
import { embedPoints, type Embedding, type EmbedOptions } from './embed-points.ts';

/** The cache key of an embedding of `points` (`[n, dim]`) with `opts` (hex sha256). */
export function embeddingKey(points: Float32Array, n: number, dim: number, opts: EmbedOptions): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ n, dim, opts, druid: druidVersion, format: 3 }));
  h.update(new Uint8Array(points.buffer, points.byteOffset, points.byteLength));
  return h.digest('hex');
}

/** `embedPoints` through the cache in `dir` (created when missing); `cached` says whether it was read back. */
export function cachedEmbedding(dir: string, points: Float32Array, n: number, dim: number, opts: EmbedOptions): Embedding & { cached: boolean; file: string } {
  const file = path.join(dir, `embedding-${embeddingKey(points, n, dim, opts).slice(0, 24)}.json`);
  if (fs.existsSync(file)) {
    try {
      const j = JSON.parse(fs.readFileSync(file, 'utf8')) as Omit<Embedding, 'coords'> & { coords: Record<string, (number | null)[]> };
      const coords: Embedding['coords'] = {};
      for (const [k, v] of Object.entries(j.coords)) coords[k as keyof Embedding['coords']] = Float64Array.from(v, (x) => x ?? NaN); // JSON writes NaN as null
      return { ...j, coords, cached: true, file };
    } catch {
      // an unreadable cache file is recomputed and rewritten
    }
  }
  const e = embedPoints(points, n, dim, opts);
  const json = { ...e, coords: Object.fromEntries(Object.entries(e.coords).map(([k, v]) => [k, Array.from(v)])) };
  fs.mkdirSync(dir, { recursive: true });
  atomicWriteFile(file, JSON.stringify(json));
  return { ...e, cached: false, file };
}
