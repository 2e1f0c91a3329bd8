/**
 * One training epoch of the small conv net over the 60,000 MNIST training digits, one
 * thread, on one backend (default native): `conv 32 5x5 relu, pool 2, conv 64 5x5 relu, pool 2,
 * dense 256 relu`, softmax over 10, plain SGD, the digits in a seeded random order gathered into
 * minibatches exactly as `finetune` does (`epochOrder`, `gatherBatch`, `Mlp.trainStep`). Prints the
 * wall-clock and CPU seconds of the epoch per batch size (the bar: under two minutes).
 *
 *   node --import tsx bench/conv-epoch.ts [--backend native] [--batches 32,128] [--examples 60000] [--json]
 */
import { parseArgs } from 'node:util';
import { createBackend, type BackendName } from '../src/backends/index.ts';
import { Rng } from '../src/rng/index.ts';
import { loadMnistAll } from '../src/data/mnist.ts';
import { makeDataset, gatherBatch } from '../src/data/dataset.ts';
import { epochOrder } from '../src/data/batches.ts';
import { createNetworkStep } from './network-step.ts';

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    batches: { type: 'string', default: '32,128' },
    examples: { type: 'string', default: '60000' },
    json: { type: 'boolean', default: false },
  },
});

const be = await createBackend(opts.backend as BackendName);
const all = loadMnistAll();
const n = Math.min(Number(opts.examples), all.y.length);
const ds = makeDataset('mnist/train+valid', all.x.subarray(0, n * 784), all.y.subarray(0, n), 784, 10, { height: 28, width: 28 });
if (!opts.json) console.log(`backend ${be.name}: ${be.description}\nconv net epoch over ${n} MNIST digits, one thread`);
for (const batch of opts.batches.split(',').map(Number)) {
  const s = createNetworkStep(be, 'conv', batch, 0.01);
  const order = epochOrder(n, new Rng(1).fork('order'), 0);
  const x = be.zeros(batch, 784), y = new Int32Array(batch);
  const t0 = performance.now(), c0 = process.cpuUsage();
  let sum = 0, steps = 0;
  for (let b = 0; b + batch <= n; b += batch) {
    gatherBatch(ds, order.subarray(b, b + batch), x, y);
    sum += s.model.trainStep(x, y, s.optimizer);
    steps++;
  }
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const r = { kind: 'conv-epoch', backend: be.name, batch, examples: steps * batch, wallSeconds: wall, cpuSeconds: cpu, meanLoss: sum / steps };
  if (opts.json) console.log(JSON.stringify(r));
  else console.log(`batch ${String(batch).padStart(4)}: ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU for ${r.examples} examples (mean training loss ${r.meanLoss.toFixed(3)})`);
  x.dispose();
  s.dispose();
}
