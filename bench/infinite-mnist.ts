/**
 * InfiniteMNIST throughput: deformed digits generated per second on one core.
 *
 *   node --import tsx bench/infinite-mnist.ts [--json] [--count N]
 */
import { createInfiniteMnist, INFINITE_MNIST_ORIGINALS } from '../src/data/infinite-mnist.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const ci = args.indexOf('--count');
const count = ci >= 0 ? Number(args[ci + 1]) : 100000;

const stream = await createInfiniteMnist();
const batch = 1000;
const x = new Float32Array(batch * stream.dim);
const y = new Int32Array(batch);
// Warm-up (JIT), then time `count` digits in batches of 1000.
for (let s = 0; s < 5000; s += batch) stream.batch(INFINITE_MNIST_ORIGINALS + 10_000_000 + s, batch, x, y);
const t0 = performance.now();
let done = 0;
for (let s = INFINITE_MNIST_ORIGINALS; done < count; s += batch, done += batch) stream.batch(s, batch, x, y);
const seconds = (performance.now() - t0) / 1000;
const perSecond = done / seconds;
if (json) {
  console.log(JSON.stringify({ bench: 'infinite-mnist', digits: done, seconds: +seconds.toFixed(3), digitsPerSecond: Math.round(perSecond) }));
} else {
  console.log(`InfiniteMNIST: ${done} deformed digits in ${seconds.toFixed(2)} s = ${Math.round(perSecond)} digits/s (one core)`);
}
