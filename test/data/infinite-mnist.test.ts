import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInfiniteMnist, InfiniteMnist, INFINITE_MNIST_ORIGINALS, loadMnist, loadMnistAll, DEFAULT_DEFORM } from '../../src/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const PROBE = [70000, 70001, 123457, 10_000_000, 2 ** 40 + 3];

function hashExamples(s: InfiniteMnist, indices: number[]): string {
  const h = createHash('sha256');
  const x = new Float32Array(784);
  for (const i of indices) {
    const y = s.example(i, x);
    h.update(Buffer.from(x.buffer)).update(String(y));
  }
  return h.digest('hex');
}

test('indices below 70,000 are the original MNIST digits: test first, then training', async () => {
  const s = await createInfiniteMnist();
  const m = await loadMnist();
  const x = new Float32Array(784);
  for (const [i, ds, row] of [[0, m.test, 0], [9999, m.test, 9999], [10000, m.train, 0], [10007, m.train, 7], [60000, m.valid, 0], [69999, m.valid, 9999]] as const) {
    const y = s.example(i, x);
    assert.deepEqual(x, ds.x.subarray(row * 784, (row + 1) * 784), `example ${i}`);
    assert.equal(y, ds.y[row]);
  }
});

test('example i is the same from two generators and in any order, and depends on the seed', async () => {
  const a = await createInfiniteMnist(), b = await createInfiniteMnist();
  const c = await createInfiniteMnist({ seed: 5 });
  const first = hashExamples(a, PROBE);
  assert.equal(hashExamples(b, [...PROBE].reverse().concat(PROBE).slice(PROBE.length)), first);
  assert.equal(hashExamples(a, PROBE), first, 'scratch reuse leaves no trace');
  assert.notEqual(hashExamples(c, PROBE), first);
});

test('example i is the same in another process', async () => {
  const dir = tempDir();
  const script = join(dir, 'child.mts');
  const mod = pathToFileURL(join(import.meta.dirname, '../../src/data/infinite-mnist.ts')).href;
  writeFileSync(
    script,
    `import { createHash } from 'node:crypto';
     import { createInfiniteMnist } from '${mod}';
     const s = await createInfiniteMnist();
     const h = createHash('sha256'); const x = new Float32Array(784);
     for (const i of ${JSON.stringify(PROBE)}) { const y = s.example(i, x); h.update(Buffer.from(x.buffer)).update(String(y)); }
     console.log(h.digest('hex'));`,
  );
  const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', cwd: join(import.meta.dirname, '../..') });
  assert.equal(out.trim(), hashExamples(await createInfiniteMnist(), PROBE));
});

test('batch(start, count) equals example(i) one by one, labels included', async () => {
  const s = await createInfiniteMnist();
  const n = 7, xb = new Float32Array(n * 784), yb = new Int32Array(n);
  s.batch(69997, n, xb, yb);
  const x = new Float32Array(784);
  for (let r = 0; r < n; r++) {
    assert.equal(yb[r], s.example(69997 + r, x));
    assert.deepEqual(xb.subarray(r * 784, (r + 1) * 784), x);
  }
  assert.throws(() => s.batch(0, 3, new Float32Array(784), null), /need 3 x 784/);
});

test('deformed digits differ from their source but keep most of its ink', async () => {
  const s = await createInfiniteMnist();
  const { x: src } = loadMnistAll();
  const x = new Float32Array(784);
  const ratios: number[] = [];
  for (let k = 0; k < 300; k++) {
    const i = INFINITE_MNIST_ORIGINALS + 1000 * k + 13;
    const y = s.example(i, x);
    const row = s.sourceRow(i);
    assert.equal(row, (i - 10000) % 60000);
    assert.equal(y, loadMnistAll().y[row]);
    let ink = 0, inkSrc = 0, diff = 0;
    for (let p = 0; p < 784; p++) {
      const a = x[p]!, b = src[row * 784 + p]!;
      assert.ok(a >= 0 && a <= 1);
      ink += a;
      inkSrc += b;
      diff += Math.abs(a - b);
    }
    assert.ok(diff > 0.1 * inkSrc, `example ${i} differs from its source (L1 ${diff.toFixed(1)}, ink ${inkSrc.toFixed(1)})`);
    ratios.push(ink / inkSrc);
  }
  ratios.sort((a, b) => a - b);
  const median = ratios[150]!;
  assert.ok(ratios[0]! > 0.5 && ratios[299]! < 2, `ink ratio range [${ratios[0]}, ${ratios[299]}]`);
  assert.ok(median > 0.85 && median < 1.35, `median ink ratio ${median}`);
});

test('the deformation parameters drawn stay in their configured ranges', async () => {
  const s = await createInfiniteMnist();
  const o = DEFAULT_DEFORM;
  for (let i = 70000; i < 70200; i++) {
    const d = s.explain(i)!;
    assert.ok(Math.abs(d.rotation) <= (o.rotationDeg * Math.PI) / 180);
    assert.ok(Math.abs(Math.log(d.scaleX)) <= o.scale && Math.abs(Math.log(d.scaleY)) <= o.scale);
    assert.ok(Math.abs(d.shear) <= o.shear && Math.abs(d.tx) <= o.translate && Math.abs(d.ty) <= o.translate);
    assert.ok(d.thickness >= o.thickness[0] && d.thickness <= o.thickness[1]);
  }
  assert.equal(s.explain(5), null);
});

test('a nearest-centroid classifier fit on MNIST still reads deformed digits far above chance', async () => {
  const m = await loadMnist();
  const s = await createInfiniteMnist();
  // Class means of the 50,000 training digits.
  const mean = new Float64Array(10 * 784), count = new Float64Array(10);
  for (let i = 0; i < m.train.n; i++) {
    const c = m.train.y[i]!;
    count[c]!++;
    for (let p = 0; p < 784; p++) mean[c * 784 + p]! += m.train.x[i * 784 + p]!;
  }
  for (let c = 0; c < 10; c++) for (let p = 0; p < 784; p++) mean[c * 784 + p]! /= count[c]!;
  const classify = (x: Float32Array): number => {
    let best = 0, bestD = Infinity;
    for (let c = 0; c < 10; c++) {
      let d = 0;
      for (let p = 0; p < 784; p++) d += (x[p]! - mean[c * 784 + p]!) ** 2;
      if (d < bestD) [best, bestD] = [c, d];
    }
    return best;
  };
  // Deformations of validation digits (sources 50,000..59,999): stream indices 120,000.. .
  const x = new Float32Array(784);
  let okDeformed = 0, okOriginal = 0;
  const n = 1500;
  for (let k = 0; k < n; k++) {
    const i = 120000 + k;
    assert.ok(s.sourceRow(i) >= 50000 && s.sourceRow(i) < 60000);
    const y = s.example(i, x);
    if (classify(x) === y) okDeformed++;
    if (classify(m.valid.x.subarray(k * 784, (k + 1) * 784)) === m.valid.y[k]) okOriginal++;
  }
  const accD = okDeformed / n, accO = okOriginal / n;
  assert.ok(accD > 0.4, `accuracy on deformed digits ${accD} (chance 0.1, originals ${accO})`);
  console.log(`# nearest centroid: deformed ${accD}, original ${accO}`);
  assert.ok(accD > accO - 0.3, `deformed ${accD} vs original ${accO}`);
});
