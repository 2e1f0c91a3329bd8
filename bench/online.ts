/**
 * Online supervised training from InfiniteMNIST (Erhan et al. 2010, Section 8: batch 1, every
 * example seen once), examples per second for the paper's two architectures (1 x 2000 and
 * 3 x 1000 sigmoid units), one thread:
 *
 * - `trainOnline`: the product's loop (stream generation, the training step that also predicts, the
 *   online-error tally);
 * - `measuring pass`: the same loop as it was before `Mlp.trainStep` returned its predictions (a
 *   test-mode forward pass and argmax before each step), for the before/after comparison;
 * - `step only`: `trainStep` with predictions on one fixed example (no stream);
 * - `stream only`: generating the same examples (`stream.batch`), whose share of `trainOnline`'s time
 *   is reported;
 * - PyTorch (`bench/torch_bench.py`, one thread), with `--torch`: the same batch-1 step (forward,
 *   argmax of the logits, cross-entropy, backward, SGD) on a fixed random example, by CPU time
 *   (the wall-clock median is in the JSON as `torchStepPerSecWall`); compare with `step only`.
 * With `--rss`, one long `trainOnline` run of the first architecture instead, reporting the resident
 * set size every 100,000 examples up to `--examples` (e.g. 1,000,000): memory stays flat.
 *
 * The machine may be shared: times are this process's CPU time (`process.cpuUsage`, one BLAS thread),
 * the kinds are measured in interleaved rounds and the fastest of each kept.
 *
 *   node --import tsx bench/online.ts [--backend native] [--examples 20000] [--rounds 3] [--arch 1x2000,3x1000] [--torch] [--rss] [--json]
 */
import { parseArgs } from 'node:util';
import { createBackend, type BackendName } from '../src/backends/index.ts';
import type { Backend } from '../src/tensor/kernels.ts';
import { Rng } from '../src/rng/index.ts';
import { createInfiniteMnist, type InfiniteMnist } from '../src/data/infinite-mnist.ts';
import { Mlp } from '../src/models/mlp.ts';
import { Sgd } from '../src/nn/sgd.ts';
import { trainOnline } from '../src/train/online.ts';
import { runTorch } from './torch.ts';

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    examples: { type: 'string', default: '20000' },
    arch: { type: 'string', default: '1x2000,3x1000' },
    torch: { type: 'boolean', default: false },
    rss: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(opts.examples);
const ROUNDS = Number(opts.rounds);
const LR = 0.1;
const emit = (o: Record<string, unknown>): void => {
  if (opts.json) console.log(JSON.stringify(o));
};
const say = (s: string): void => {
  if (!opts.json) console.log(s);
};

/** `1x2000` -> hidden [2000]; `3x1000` -> [1000, 1000, 1000]. */
function hiddenOf(arch: string): number[] {
  const [depth, units] = arch.split('x').map(Number) as [number, number];
  return Array.from({ length: depth }, () => units);
}

function network(be: Backend, hidden: number[]): { model: Mlp; opt: Sgd } {
  const model = Mlp.create(be, { nIn: 784, hidden, nClasses: 10, activation: 'sigmoid', init: 'uniform-fanin' }, new Rng(1).fork('init'));
  return { model, opt: new Sgd(be, model.parameters(), { lr: LR, momentum: 0, lrDecay: 0, l1: 0, l2: 0 }) };
}

const START = 70_000;

/** CPU seconds (user + system) of this process since `from` (`process.cpuUsage()`): on a shared machine, closer to the cost than wall time. */
const cpuSince = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
};

/** Seconds of `trainOnline` over `n` stream examples from `first`. */
async function timeTrainOnline(be: Backend, stream: InfiniteMnist, hidden: number[], first: number, n: number): Promise<number> {
  const { model, opt } = network(be, hidden);
  opt.dispose();
  const c0 = process.cpuUsage();
  await trainOnline({ model, stream, start: START, first, updates: n, lr: LR, blockSize: n, window: Math.min(n, 100_000), selectWindow: n });
  const s = cpuSince(c0);
  model.dispose();
  return s;
}

/** Seconds of the loop as it was with a separate measuring pass (forward in test mode, argmax, then the step). */
function timeMeasuringPass(be: Backend, stream: InfiniteMnist, hidden: number[], first: number, n: number): number {
  const { model, opt } = network(be, hidden);
  const x = be.zeros(1, 784), y = new Int32Array(1), pred = new Int32Array(1);
  let wrong = 0;
  const c0 = process.cpuUsage();
  for (let u = 0; u < n; u++) {
    stream.batch(START + first + u, 1, x.data, y);
    be.argmaxRows(model.forward(x, false), pred);
    model.trainStep(x, y, opt);
    wrong += pred[0] !== y[0] ? 1 : 0;
  }
  const s = cpuSince(c0);
  if (wrong < 0) console.log(wrong);
  x.dispose();
  opt.dispose();
  model.dispose();
  return s;
}

/** Seconds of `n` training steps with predictions on one fixed example (no stream). */
function timeStepOnly(be: Backend, stream: InfiniteMnist, hidden: number[], n: number): number {
  const { model, opt } = network(be, hidden);
  const x = be.zeros(1, 784), y = new Int32Array(1), pred = new Int32Array(1);
  stream.batch(START, 1, x.data, y);
  const c0 = process.cpuUsage();
  for (let u = 0; u < n; u++) model.trainStep(x, y, opt, pred);
  const s = cpuSince(c0);
  x.dispose();
  opt.dispose();
  model.dispose();
  return s;
}

/** Seconds to generate `n` examples one at a time, as the batch-1 loop does. */
function timeStreamOnly(stream: InfiniteMnist, first: number, n: number): number {
  const x = new Float32Array(784), y = new Int32Array(1);
  const c0 = process.cpuUsage();
  for (let u = 0; u < n; u++) stream.batch(START + first + u, 1, x, y);
  return cpuSince(c0);
}

const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);

async function rssRun(be: Backend, stream: InfiniteMnist, hidden: number[]): Promise<void> {
  const { model, opt } = network(be, hidden);
  opt.dispose();
  const marks: { examples: number; rssMb: number; heapMb: number; seconds: number }[] = [];
  const t0 = performance.now();
  const mark = (examples: number): void => {
    const m = process.memoryUsage();
    marks.push({ examples, rssMb: mb(m.rss), heapMb: mb(m.heapUsed), seconds: (performance.now() - t0) / 1000 });
    say(`  after ${examples} examples: RSS ${mb(m.rss)} MB, JS heap ${mb(m.heapUsed)} MB (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  };
  mark(0);
  const blockSize = 100_000;
  await trainOnline({ model, stream, updates: N, lr: LR, blockSize: Math.min(blockSize, N), hooks: { onEpoch: (m) => mark(m.values['examplesSeen']!) } });
  emit({ bench: 'online-rss', backend: be.name, hidden, examples: N, marks });
  model.dispose();
}

const be = await createBackend(opts.backend as BackendName);
const stream = await createInfiniteMnist();
say(`online training from InfiniteMNIST, batch 1, lr ${LR}, backend ${be.name} (${be.description}), ${N} examples per measurement, fastest of ${ROUNDS} interleaved rounds, CPU time of this process`);
const archs = opts.arch.split(',');
if (opts.rss) {
  say(`RSS of one trainOnline run, ${archs[0]} sigmoid, ${N} examples:`);
  await rssRun(be, stream, hiddenOf(archs[0]!));
} else {
  const torch = opts.torch
    ? runTorch({ gemm: [], mlp: { sizes: [], batches: [] }, online: archs.map((a) => [784, ...hiddenOf(a), 10]), budget_ms: 3000 })
    : null;
  if (torch && 'error' in torch) say(`PyTorch: not measured (${torch.error})`);
  else if (torch) {
    say(`PyTorch ${torch.version}, one thread`);
    emit({ bench: 'online-torch', version: torch.version });
  }
  say('  arch      trainOnline ex/s   measuring pass ex/s   speed-up   step only ex/s   stream only ex/s   stream share   torch step ex/s');
  let first = 0;
  const best = (xs: number[]): number => Math.min(...xs);
  for (const arch of archs) {
    const hidden = hiddenOf(arch);
    await timeTrainOnline(be, stream, hidden, first, Math.min(2000, N)); // warm-up (JIT, buffers)
    first += 2000;
    // Interleaved rounds, the fastest of each kind kept: the machine is shared, and the least disturbed run is the closest to the cost.
    const t = { online: [] as number[], measuring: [] as number[], step: [] as number[], gen: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      t.online.push(await timeTrainOnline(be, stream, hidden, first, N));
      first += N;
      t.measuring.push(timeMeasuringPass(be, stream, hidden, first, N));
      first += N;
      t.step.push(timeStepOnly(be, stream, hidden, N));
      t.gen.push(timeStreamOnly(stream, first, N));
      first += N;
    }
    const online = best(t.online), measuring = best(t.measuring), step = best(t.step), gen = best(t.gen);
    const torchMs = torch && !('error' in torch) ? torch.onlineMs.get([784, ...hidden, 10].join('-')) ?? null : null; // { wall, cpu } ms per step
    const row = {
      bench: 'online', backend: be.name, arch, examples: N, rounds: ROUNDS,
      trainOnlinePerSec: N / online, measuringPassPerSec: N / measuring, stepOnlyPerSec: N / step, streamOnlyPerSec: N / gen,
      streamShare: gen / online, torchStepPerSec: torchMs ? 1000 / torchMs.cpu : null, torchStepPerSecWall: torchMs ? 1000 / torchMs.wall : null,
      allSeconds: t,
    };
    emit(row);
    const f = (v: number | null, w: number, d = 0): string => (v === null ? '-' : v.toFixed(d)).padStart(w);
    say(`  ${arch.padEnd(8)}${f(row.trainOnlinePerSec, 18)}${f(row.measuringPassPerSec, 22)}${f(measuring / online, 11, 2)}${f(row.stepOnlyPerSec, 17)}${f(row.streamOnlyPerSec, 19)}${f(100 * row.streamShare, 14, 1)}%${f(row.torchStepPerSec, 17)}`);
  }
}
