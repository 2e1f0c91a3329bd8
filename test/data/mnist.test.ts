import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, openSync, symlinkSync, writeSync, closeSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clearMnistMemo, loadMnist, mnistDataDir, MNIST_FILES, type MnistLoadInfo } from '../../src/data/mnist.ts';
import { readIdx } from '../../src/data/idx.ts';
import { DataFileError } from '../../src/data/data-error.ts';
import { binarizeDataset } from '../../src/data/binarize.ts';
import { headExamples } from '../../src/data/batches.ts';
import { Rng } from '../../src/rng/rng.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('loadMnist splits 50,000 / 10,000 / 10,000 of 784 pixels in [0, 1], as in Section 5.2', async () => {
  const s = await loadMnist();
  assert.deepEqual([s.train.n, s.valid.n, s.test.n], [50000, 10000, 10000]);
  for (const d of [s.train, s.valid, s.test]) {
    assert.equal(d.dim, 784);
    assert.equal(d.nClasses, 10);
    assert.deepEqual(d.image, { height: 28, width: 28 });
    let lo = Infinity, hi = -Infinity;
    for (const v of d.x) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    assert.equal(lo, 0);
    assert.equal(hi, 1);
  }
});

test('each split starts with the known MNIST labels (valid = training labels 50,000..)', async () => {
  const s = await loadMnist();
  assert.deepEqual([...s.train.y.subarray(0, 10)], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  assert.deepEqual([...s.test.y.subarray(0, 10)], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  const fileLabels = readIdx(join(mnistDataDir(), MNIST_FILES.trainLabels.name)).data;
  const validHead = [...fileLabels.subarray(50000, 50010)];
  assert.deepEqual(validHead, [3, 8, 6, 9, 6, 4, 5, 3, 8, 4]);
  assert.deepEqual([...s.valid.y.subarray(0, 10)], validHead);
});

test('pixels are the IDX bytes divided by 255', async () => {
  const s = await loadMnist();
  const raw = readIdx(join(mnistDataDir(), MNIST_FILES.testImages.name)).data;
  for (const i of [0, 151, 152, 783, 784 * 9999 + 400]) assert.equal(s.test.x[i], Math.fround(raw[i]! / 255));
});

test('a second load in the same process is served from memory', async () => {
  await loadMnist();
  let info: MnistLoadInfo | undefined;
  const t = performance.now();
  await loadMnist({ onInfo: (i) => (info = i) });
  assert.equal(info?.source, 'memo');
  assert.ok(performance.now() - t < 100);
});

test('binarize threshold gives {0,1} at 0.5; stochastic is seeded and has the mean of the pixels', async () => {
  const th = await loadMnist({ binarize: 'threshold' });
  const plain = await loadMnist();
  for (let i = 0; i < 784 * 20; i++) assert.equal(th.train.x[i], plain.train.x[i]! >= 0.5 ? 1 : 0);
  assert.equal(th.test.n, 10000);
  const head = headExamples(plain.valid, 1000);
  const a = binarizeDataset(head, 'stochastic', new Rng(3).fork('data', 'binarize'));
  const b = binarizeDataset(head, 'stochastic', new Rng(3).fork('data', 'binarize'));
  const c = binarizeDataset(head, 'stochastic', new Rng(4).fork('data', 'binarize'));
  assert.deepEqual(a.x, b.x);
  assert.notDeepEqual(a.x, c.x);
  let sa = 0, sp = 0;
  for (let i = 0; i < a.x.length; i++) {
    assert.ok(a.x[i] === 0 || a.x[i] === 1);
    sa += a.x[i]!;
    sp += head.x[i]!;
  }
  assert.ok(Math.abs(sa - sp) / sp < 0.01, `sample mass ${sa} vs mean-field mass ${sp}`);
  assert.equal(plain.train.x[0 + 152], plain.train.x[152], 'the shared MNIST copy is not mutated');
});

test('clearMnistMemo makes the next load decode the IDX files again, to the same values', async () => {
  const infos: MnistLoadInfo[] = [];
  const first = await loadMnist();
  clearMnistMemo();
  const again = await loadMnist({ onInfo: (i) => infos.push(i) });
  assert.equal(infos[0]!.source, 'idx');
  assert.notEqual(again.train.x, first.train.x, 'a fresh copy');
  assert.deepEqual(again.test.y, first.test.y);
  assert.equal(again.train.x[50000 * 784 - 300], first.train.x[50000 * 784 - 300]);
});

test('loading MNIST writes no decoded cache to disk', async () => {
  const cache = join(dirname(mnistDataDir()), '..', '.cache', 'pretrain-lab');
  const started = Date.now() - 1;
  clearMnistMemo();
  await loadMnist();
  const written = (existsSync(cache) ? readdirSync(cache) : []).filter((f) => statSync(join(cache, f)).mtimeMs >= started);
  assert.deepEqual(written, []);
});

test('a corrupted MNIST file fails its SHA-256 check with an error naming it', async () => {
  const d = tempDir();
  const src = mnistDataDir();
  for (const f of Object.values(MNIST_FILES)) {
    if (f.name === MNIST_FILES.trainLabels.name) {
      copyFileSync(join(src, f.name), join(d, f.name));
      const fd = openSync(join(d, f.name), 'r+');
      writeSync(fd, Buffer.from([9]), 0, 1, 100);
      closeSync(fd);
    } else {
      symlinkSync(join(src, f.name), join(d, f.name));
    }
  }
  await assert.rejects(loadMnist({ dir: d }), (e: unknown) => {
    assert.ok(e instanceof DataFileError);
    assert.equal(e.code, 'checksum');
    assert.ok(e.message.includes(MNIST_FILES.trainLabels.name));
    assert.ok(e.message.includes(MNIST_FILES.trainLabels.sha256));
    return true;
  });
});
