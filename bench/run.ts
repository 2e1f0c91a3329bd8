/**
 * `npm run bench` (`node --import tsx bench/run.ts [-- --json]`): single-thread sgemm GFLOP/s,
 * the MLP 784-1000-1000-1000-10 SGD step (`Mlp.trainStep`, `bench/mlp-step.ts`) and the
 * pre-training updates (`bench/pretrain-step.ts`) for every available fast backend, next to
 * PyTorch (`bench/torch_bench.py`, one thread) and the CPU's fp32 peak.
 *
 * Options: --json (JSON lines only), --backends wasm,native (default: every available
 * backend except the slow reference ones), --budget <ms per figure> (default 400),
 * --no-torch, --quick (fewer shapes, smaller budget), --no-relaxed.
 *
 * The wasm backend loads its relaxed-SIMD build by default (switching on Node 20's
 * --experimental-wasm-relaxed-simd at run time); the plain SIMD128 build is measured again in a
 * child process with PRETRAIN_LAB_WASM_SIMD=simd128 (variant 'simd128'); --no-relaxed skips that.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { availableBackends, createBackend, type BackendName } from '../src/backends/index.ts';
import type { Backend } from '../src/tensor/kernels.ts';
import { Rng } from '../src/rng/index.ts';
import { cpuPeak } from './cpu-peak.ts';
import { createMlpStep } from './mlp-step.ts';
import { createPretrainStep, type PretrainKind } from './pretrain-step.ts';
import { medianMs } from './timing.ts';
import { gemmKey, networkKey, runTorch, type GemmShape, type NetworkName, type TorchResults } from './torch.ts';
import { createNetworkStep, NETWORK_LAYERS } from './network-step.ts';

const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    backends: { type: 'string' },
    budget: { type: 'string', default: '400' },
    'no-torch': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    'no-relaxed': { type: 'boolean', default: false }, // skip the plain-SIMD128 re-run
    /** Internal: a child run measuring only the given backends, torch figures passed in. */
    child: { type: 'boolean', default: false },
  },
});
const budgetMs = Number(opts.quick ? 150 : opts.budget);

/** C = A B at the shapes, then the MLP's backward shapes (dW = x^T dy, dx = dy W^T). */
const GEMM_SHAPES: GemmShape[] = [
  [1, 784, 1000, false, false],
  [10, 784, 1000, false, false],
  [20, 1000, 1000, false, false],
  [128, 784, 1000, false, false],
  [128, 1000, 1000, false, false],
  [512, 1000, 1000, false, false],
  ...(opts.quick
    ? []
    : ([
        [1000, 1, 1000, true, false],
        [1000, 10, 1000, true, false],
        [1000, 128, 1000, true, false],
        [1, 1000, 1000, false, true],
        [10, 1000, 1000, false, true],
        [128, 1000, 1000, false, true],
      ] as GemmShape[])),
];
const MLP_SIZES = [784, 1000, 1000, 1000, 10];
const MLP_BATCHES = [1, 10, 128, 512];
/** The modern building blocks' networks (`bench/network-step.ts`) and batches: batch norm cannot train at batch 1. */
const NETWORKS: [NetworkName, number][] = [
  ['conv', 1],
  ['conv', 32],
  ['conv', 128],
  ['bn-mlp', 32],
  ['bn-mlp', 128],
  ['gn-mlp', 1],
  ['gn-mlp', 32],
  ['gn-mlp', 128],
];
/** Pre-training updates of the first 784-1000 layer (batch 1: the default; 10: common). */
const PRETRAIN: [PretrainKind, number][] = [['dae', 1], ['dae', 10], ['rbm', 1], ['rbm', 10]];

const emit = (o: object): void => {
  if (opts.json) console.log(JSON.stringify(o));
};
const say = (s: string): void => {
  if (!opts.json) console.log(s);
};
const fmt = (v: number | null | undefined, d = 1): string => (v == null ? '-' : v.toFixed(d));

function benchGemm(be: Backend, [m, k, n, tA, tB]: GemmShape): number {
  const rng = new Rng(7).fork('bench', 'gemm');
  const a = be.fromArray(tA ? k : m, tA ? m : k, rng.fillUniform(new Float32Array(m * k), -1, 1));
  const b = be.fromArray(tB ? n : k, tB ? k : n, rng.fillUniform(new Float32Array(k * n), -1, 1));
  const c = be.zeros(m, n);
  const ms = medianMs(() => be.gemm(tA, tB, 1, a, b, 0, c), { budgetMs });
  for (const x of [a, b, c]) x.dispose();
  return ms;
}

/** 'relaxed-simd' / 'simd128' for the wasm backend (from its description), else null. */
const variantOf = (be: Backend): string | null =>
  be.name !== 'wasm' ? null : /relaxed SIMD \(f32x4\.relaxed_madd\)/.test(be.description) ? 'relaxed-simd' : 'simd128';

/** Torch figures travel to the child run as JSON in this environment variable. */
const TORCH_ENV = 'PRETRAIN_LAB_BENCH_TORCH';

async function main(): Promise<void> {
  const peak = cpuPeak();
  if (!opts.child) {
    emit({ kind: 'cpu', model: peak.model, mhz: peak.mhz, flopPerCycle: peak.flopPerCycle, peakGflops: peak.gflops, formula: peak.formula });
    say(`CPU: ${peak.model}; single-core fp32 peak ~ ${peak.formula}`);
  }

  const avail = await availableBackends();
  const wanted = opts.backends?.split(',').map((s) => s.trim());
  const chosen = avail.filter((a) => a.available && (wanted ? wanted.includes(a.name) : !a.name.startsWith('reference')));
  if (!opts.child) {
    for (const a of avail.filter((x) => !x.available)) say(`(backend ${a.name} unavailable: ${a.reason})`);
    if (!wanted) say('(reference backends skipped: too slow for these shapes; pass --backends reference to include)');
  }

  let torch: TorchResults | null = null;
  let torchNote = '';
  if (opts.child) {
    const t = process.env[TORCH_ENV];
    if (t) {
      const j = JSON.parse(t) as { version: string; gemmMs: [string, number][]; mlpMs: [number, number][]; networkMs?: [string, number][] };
      torch = { version: j.version, gemmMs: new Map(j.gemmMs), mlpMs: new Map(j.mlpMs), onlineMs: new Map(), networkMs: new Map(j.networkMs ?? []) };
    }
  } else if (!opts['no-torch']) {
    say('running PyTorch (one thread)...');
    const r = runTorch({ gemm: GEMM_SHAPES, mlp: { sizes: MLP_SIZES, batches: MLP_BATCHES }, networks: NETWORKS, budget_ms: budgetMs });
    if ('error' in r) torchNote = r.error;
    else torch = r;
  } else torchNote = '--no-torch';
  if (!opts.child) {
    emit({ kind: 'torch', version: torch?.version ?? null, note: torchNote || undefined });
    say(torch ? `PyTorch ${torch.version}, torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1` : `PyTorch: not measured (${torchNote})`);
  }
  let plainChild = false;

  for (const a of chosen) {
    const be = await createBackend(a.name as BackendName);
    const variant = variantOf(be);
    if (variant === 'relaxed-simd' && !opts.child && !opts['no-relaxed']) plainChild = true;
    say(`\nbackend ${be.name}: ${be.description}`);
    say('sgemm C = alpha op(A) op(B), single thread, median of repeats');
    say('     M      K      N  op   ms      GFLOP/s  torch GFLOP/s  ours/torch');
    for (const shape of GEMM_SHAPES) {
      const [m, k, n, tA, tB] = shape;
      const ms = benchGemm(be, shape);
      const gflops = (2 * m * k * n) / ms / 1e6;
      const tMs = torch?.gemmMs.get(gemmKey(m, k, n, tA, tB));
      const torchGflops = tMs ? (2 * m * k * n) / tMs / 1e6 : null;
      emit({ kind: 'gemm', backend: be.name, variant, M: m, K: k, N: n, transA: tA, transB: tB, ms, gflops, torchGflops, peakGflops: peak.gflops });
      say(
        `${String(m).padStart(6)} ${String(k).padStart(6)} ${String(n).padStart(6)}  ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ` +
          `${fmt(ms, 3).padStart(8)} ${fmt(gflops).padStart(10)} ${fmt(torchGflops).padStart(14)} ${fmt(torchGflops ? gflops / torchGflops : null, 2).padStart(11)}`,
      );
    }
    say(`MLP ${MLP_SIZES.join('-')} SGD step (sigmoid hidden, softmax cross-entropy, forward + backward + update)`);
    say('  batch   ms/step   examples/s   torch ms   torch ex/s   speed-up vs torch');
    for (const batch of MLP_BATCHES) {
      const mlp = createMlpStep(be, MLP_SIZES, batch);
      const ms = medianMs(() => mlp.step(), { budgetMs: Math.max(budgetMs, 600), minRepeats: 5 });
      mlp.dispose();
      const torchMs = torch?.mlpMs.get(batch) ?? null;
      emit({ kind: 'mlp-step', backend: be.name, variant, batch, ms, examplesPerSec: (batch * 1000) / ms, torchMs, speedup: torchMs ? torchMs / ms : null });
      say(
        `${String(batch).padStart(7)} ${fmt(ms, 2).padStart(9)} ${fmt((batch * 1000) / ms, 0).padStart(12)} ` +
          `${fmt(torchMs, 2).padStart(10)} ${fmt(torchMs ? (batch * 1000) / torchMs : null, 0).padStart(12)} ${fmt(torchMs ? torchMs / ms : null, 2).padStart(19)}`,
      );
    }
    say('pre-training update of a 784-1000 layer (tied DAE cross-entropy step; RBM CD-1), plain SGD');
    say('  model  batch   ms/step   examples/s');
    for (const [kind, batch] of PRETRAIN) {
      const s = createPretrainStep(be, kind, 784, 1000, batch);
      const ms = medianMs(() => s.step(), { budgetMs, minRepeats: 5 });
      s.dispose();
      emit({ kind: 'pretrain-step', backend: be.name, variant, model: kind, batch, ms, examplesPerSec: (batch * 1000) / ms });
      say(`${kind.padStart(7)} ${String(batch).padStart(6)} ${fmt(ms, 3).padStart(9)} ${fmt((batch * 1000) / ms, 0).padStart(12)}`);
    }
    say('modern networks: SGD step in training mode (conv: ' + NETWORK_LAYERS.conv + ' on 28x28x1; bn-mlp / gn-mlp: 784-1000x3-10 with batch / group norm)');
    say('  network  batch   ms/step   examples/s   torch ms   ours/torch time');
    for (const [name, batch] of NETWORKS) {
      const s = createNetworkStep(be, name, batch);
      const ms = medianMs(() => s.step(), { budgetMs: Math.max(budgetMs, 600), minRepeats: 5 });
      s.dispose();
      const torchMs = torch?.networkMs.get(networkKey(name, batch)) ?? null;
      emit({ kind: 'network-step', backend: be.name, variant, network: name, batch, ms, examplesPerSec: (batch * 1000) / ms, torchMs, timeRatio: torchMs ? ms / torchMs : null });
      say(`${name.padStart(9)} ${String(batch).padStart(6)} ${fmt(ms, 3).padStart(9)} ${fmt((batch * 1000) / ms, 0).padStart(12)} ${fmt(torchMs, 3).padStart(10)} ${fmt(torchMs ? ms / torchMs : null, 2).padStart(17)}`);
    }
  }
  if (plainChild) runPlainSimdChild(torch);
}

/** Measures the wasm backend's plain SIMD128 build in a child process (output passes through). */
function runPlainSimdChild(torch: TorchResults | null): void {
  const script = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', script, '--child', '--backends', 'wasm', '--budget', String(budgetMs)];
  if (opts.json) args.push('--json');
  if (opts.quick) args.push('--quick');
  const env: NodeJS.ProcessEnv = { ...process.env, PRETRAIN_LAB_WASM_SIMD: 'simd128' };
  if (torch) env[TORCH_ENV] = JSON.stringify({ version: torch.version, gemmMs: [...torch.gemmMs], mlpMs: [...torch.mlpMs], networkMs: [...torch.networkMs] });
  say('\n(again with PRETRAIN_LAB_WASM_SIMD=simd128, for the plain SIMD128 build)');
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
  if (r.status !== 0) say(`(plain SIMD128 run failed with exit ${r.status})`);
}

await main();
