/** The page's MNIST subset (written by the build) holds exactly the CLI's digits and pixel values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMnistSubset, gunzipIfNeeded, MNIST_SUBSET_FILE } from '../../web/src/mnist-subset.ts';
import { loadMnistAll } from '../../src/data/mnist.ts';
import { WEB_DIR } from '../../src/cli/commands/serve.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const FILE = join(WEB_DIR, MNIST_SUBSET_FILE);

test('the built subset holds MNIST training digits 0.., validation digits 50,000.. and test digits 0.., pixels as loadMnist gives them', { skip: skipIfMissing('the built page (dist/web)', existsSync(FILE) ? undefined : 'not built; run: npm run build') }, async () => {
  const s = decodeMnistSubset(await gunzipIfNeeded(new Uint8Array(readFileSync(FILE))), 1000);
  assert.deepEqual([s.train.n, s.valid.n, s.test.n], [1000, 1000, 2000]);
  const all = loadMnistAll();
  const check = (name: string, x: Float32Array, y: Int32Array, from: number, rows: number[]) => {
    for (const r of rows) {
      assert.deepEqual([...x.subarray(r * 784, (r + 1) * 784)], [...all.x.subarray((from + r) * 784, (from + r + 1) * 784)], `${name} digit ${r}`);
      assert.equal(y[r], all.y[from + r], `${name} label ${r}`);
    }
  };
  check('train', s.train.x, s.train.y, 0, [0, 1, 999]);
  check('valid', s.valid.x, s.valid.y, 50000, [0, 999]);
  check('test', s.test.x, s.test.y, 60000, [0, 1999]);
});

test('decodeMnistSubset refuses a file that is not a subset, saying to rebuild', () => {
  assert.throws(() => decodeMnistSubset(new Uint8Array(32), 10), /not an MNIST subset file.*npm run build/);
});
