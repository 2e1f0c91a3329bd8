/**
 * Streamed pre-training throughput (Section 8's online setting): `pretrainStream` on InfiniteMNIST
 * at batch 1, examples per second over the whole stack, and the share of it spent generating the
 * stream (the same digits generated alone, timed separately).
 *
 *   node --import tsx bench/stream-pretrain.ts [--kind dbn|sdae] [--sizes 2000|1000,1000,1000]
 *     [--examples N per layer] [--batch B] [--backend native] [--json]
 */
import { parseArgs } from 'node:util';
import { createBackend, type BackendName } from '../src/backends/index.ts';
import { createInfiniteMnist } from '../src/data/infinite-mnist.ts';
import { Rng } from '../src/rng/index.ts';
import { pretrainConfigSchema } from '../src/train/config.ts';
import { pretrainStream } from '../src/train/stream-pretrain.ts';

const { values: opts } = parseArgs({
  options: {
    kind: { type: 'string', default: 'dbn' },
    sizes: { type: 'string', default: '2000' },
    examples: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'native' },
    json: { type: 'boolean', default: false },
  },
});
const sizes = opts.sizes.split(',').map(Number);
const perLayer = Number(opts.examples), B = Number(opts.batch);
const backend = await createBackend(opts.backend as BackendName);
const stream = await createInfiniteMnist();
const start = stream.firstTrainIndex ?? 0;
const cfg = pretrainConfigSchema.parse({ kind: opts.kind, lr: 0.01, batchSize: B });

// The stream alone: the same digits, generated as pretrainStream asks for them (B at a time).
const x = new Float32Array(B * stream.dim);
const tg = performance.now();
for (let p = 0; p < sizes.length * perLayer; p += B) stream.batch!(start + p, B, x, null);
const genSeconds = (performance.now() - tg) / 1000;

const r = await pretrainStream({ backend, stream, sizes, cfg, rng: new Rng(1).fork('pretrain'), examplesPerLayer: perLayer, start, blockSize: perLayer });
const total = r.examplesUsed;
const out = {
  bench: 'stream-pretrain', backend: backend.name, kind: opts.kind, sizes, batch: B, examplesPerLayer: perLayer,
  seconds: +r.seconds.toFixed(2), examplesPerSecond: Math.round(total / r.seconds),
  streamSeconds: +genSeconds.toFixed(2), streamShare: +(genSeconds / r.seconds).toFixed(3),
  reconstruction: r.history.map((m) => +m.values.reconstruction!.toFixed(3)),
};
if (opts.json) console.log(JSON.stringify(out));
else {
  console.log(`pretrainStream ${opts.kind} ${sizes.join('x')} batch ${B} on ${backend.name}: ${total} examples in ${out.seconds} s = ${out.examplesPerSecond} examples/s`);
  console.log(`  of which stream generation ~${out.streamSeconds} s (${(100 * out.streamShare).toFixed(1)}%); reconstruction per layer ${out.reconstruction.join(', ')}`);
}
