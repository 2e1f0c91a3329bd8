/**
 * Fuzzing users' data set names (`idx:<images>,<labels>[,...]`, `csv:<file>[,<test>][?label=..&scale=..]`)
 * over a pool of good, broken and missing files: the splits come out consistent, or the error is one
 * of ours naming the spec or one of its files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadData, parseCsvSpec } from '../../src/data/load.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { DataFileError } from '../../src/data/data-error.ts';
import { DataNameError } from '../../src/data/data-name-error.ts';
import { encodeIdx } from '../../src/data/idx.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { assertFiniteIn, fuzzParams, memoryBound, validOrTyped, validOrTypedAsync } from './fuzz-check.ts';

const dir = tempDir('pl-fuzz-spec-');
const put = (name: string, data: Uint8Array | string): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
};

const images = (n: number, dims = [n, 2, 2]): Uint8Array => encodeIdx({ type: 'uint8', dims, data: Uint8Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => (i * 37) % 256) });
const labels = (n: number): Uint8Array => encodeIdx({ type: 'uint8', dims: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 3) });

/** Files a spec may name: matching pairs, mismatched counts, a wrong kind of file, broken bytes, CSVs, a missing path. */
const POOL = [
  put('train-images.idx', images(12)),
  put('train-labels.idx', labels(12)),
  put('test-images.idx', images(6)),
  put('test-labels.idx', labels(6)),
  put('few-labels.idx', labels(5)),
  put('wide-images.idx', images(6, [6, 3, 1])),
  put('float-labels.idx', encodeIdx({ type: 'float32', dims: [12], data: new Float32Array(12) })),
  put('garbage.idx', Uint8Array.from([0, 0, 8, 3, 255, 255])),
  put('digits.csv', ['label,a,b', ...Array.from({ length: 12 }, (_, i) => `${i % 3},${i},${255 - i}`)].join('\n')),
  put('digits-test.csv', ['label,a,b', ...Array.from({ length: 6 }, (_, i) => `${i % 3},${i},${i}`)].join('\r\n')),
  put('other.csv', 'label,a\n1,2\n'),
  path.join(dir, 'missing.idx'),
];

const fileRef = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...POOL) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });
const query = fc.oneof(
  fc.constant(''),
  fc.array(fc.oneof(fc.constantFrom('label=label', 'label=0', 'label=2', 'label=a', 'label=zz', 'scale=auto', 'scale=none', 'scale=255', 'scale=9', 'x=1', 'label=', '&', '=', '%zz'), fc.string({ maxLength: 5 })), { maxLength: 3 }).map((q) => `?${q.join('&')}`),
);
const idxSpec = fc.array(fileRef, { maxLength: 5 }).map((fs) => `idx:${fs.join(',')}`);
const csvSpec = fc.tuple(fc.array(fileRef, { maxLength: 3 }), query).map(([fs, q]) => `csv:${fs.join(',')}${q}`);

function checkSplit(d: Dataset, dim: number, nClasses: number): void {
  assert.equal(d.dim, dim);
  assert.equal(d.nClasses, nClasses);
  assert.equal(d.x.length, d.n * d.dim);
  assert.ok(d.n >= 1, `${d.name} has ${d.n} examples`);
  for (const v of d.y) assert.ok(Number.isInteger(v) && v >= 0 && v < nClasses, `${d.name}: label ${v} in [0, ${nClasses})`);
  assertFiniteIn(d.x, d.name);
  if (d.image) assert.equal(d.image.height * d.image.width, d.dim);
}

test('an idx: spec with an empty path (idx:,labels.idx) is a DataNameError naming the spec, not a read error of the file "" (found by fuzzing)', async () => {
  const name = `idx:,${POOL[1]}`;
  await assert.rejects(loadData({ name, trainSize: null, validSize: null, testSize: null, binarize: 'none' }, 0), (e: Error) => e instanceof DataNameError && e.message.includes(`"${name}"`) && /1 empty/.test(e.message));
});

test('parseCsvSpec(any text) gives 1-2 file names and known options, or a DataNameError naming the spec', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 40 }), csvSpec.map((s) => s.slice(4))), (spec) => {
      const r = validOrTyped(() => parseCsvSpec(spec), [DataNameError], [`csv:${spec}`], memoryBound(spec.length));
      if (!r) return;
      assert.ok(r.files.length >= 1 && r.files.length <= 2 && r.files.every((f) => f !== ''));
      assert.ok(r.opts.scale === undefined || ['auto', 'none', '255'].includes(r.opts.scale));
    }),
    fuzzParams(400),
  );
});

test('loadData(idx:... and csv:... over good, broken and missing files) gives consistent splits, or our error naming the spec or a file', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(idxSpec, csvSpec), async (name) => {
      const cfg = { name, trainSize: null, validSize: null, testSize: null, binarize: 'none' } as const;
      const paths = name.startsWith('csv:') ? name.slice(4).split('?')[0]! : name.slice(4);
      const named = [name, ...paths.split(',').map((f) => f.trim()).filter((f) => f !== '')];
      const s = await validOrTypedAsync(() => loadData(cfg, 0), [DataFileError, DataNameError], [named], memoryBound(4096));
      if (!s) return;
      const { dim, nClasses } = s.train;
      for (const d of [s.train, s.valid, s.test]) checkSplit(d, dim, nClasses);
    }),
    fuzzParams(300),
  );
});
