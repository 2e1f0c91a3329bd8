import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { renderExampleGrid, resolveDataSource, writeExampleGrid } from '../../src/data/show.ts';
import { makeDataset } from '../../src/data/dataset.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('writeExampleGrid writes a PNG grid with one labelled cell per example', async () => {
  const dir = tempDir();
  // Four 2x2 images: black, white, and two greys; labels 0..3.
  const x = Float32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25]);
  const ds = makeDataset('t', x, Int32Array.from([0, 1, 2, 3]), 4, 4, { height: 2, width: 2 });
  const out = join(dir, 'grid.png');
  await writeExampleGrid(ds, out, { cols: 2, scale: 10 });
  const png = PNG.sync.read(readFileSync(out));
  // 2 columns of 20 px + padding; the second cell's pixels are white, the first's black.
  assert.equal(png.width, 2 + 2 * 22);
  const px = (r: number, c: number) => [...png.data.subarray(4 * (r * png.width + c), 4 * (r * png.width + c) + 3)];
  assert.deepEqual(px(5, 5), [0, 0, 0]);
  assert.deepEqual(px(5, 2 + 22 + 5), [255, 255, 255]);
  let yellow = 0;
  for (let p = 0; p < png.data.length; p += 4) if (png.data[p] === 255 && png.data[p + 1] === 220) yellow++;
  assert.ok(yellow > 4 * 5, 'labels are drawn');
  assert.deepEqual(readdirSync(dir), ['grid.png'], 'no temporary file is left behind');
});

test('resolveDataSource gives datasets and the InfiniteMNIST stream by name; grids start at generated digits', async () => {
  const test10k = await resolveDataSource('mnist/test');
  assert.ok('n' in test10k && test10k.n === 10000);
  const stream = await resolveDataSource('infinite-mnist');
  assert.ok(!('n' in stream));
  const a = renderExampleGrid(stream, { count: 4 });
  const b = renderExampleGrid(stream, { count: 4, start: 70000 });
  const c = renderExampleGrid(stream, { count: 4, start: 0 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const shapes = await resolveDataSource('shapeset-3x2/test');
  assert.ok('n' in shapes && shapes.dim === 1024);
});
