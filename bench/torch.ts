/**
 * Runs `bench/torch_bench.py` with Debian's `/usr/bin/python3` (which has python3-torch),
 * one thread (`OPENBLAS_NUM_THREADS=1`, `OMP_NUM_THREADS=1`, `torch.set_num_threads(1)`),
 * and returns its figures, or null with the reason when torch cannot be imported.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** [M, K, N, transA, transB] of C = op(A) op(B). */
export type GemmShape = [number, number, number, boolean, boolean];

export interface TorchRequest {
  gemm: GemmShape[];
  mlp: { sizes: number[]; batches: number[] };
  /** Batch-1 online steps (forward, argmax, backward, SGD) of these layer widths, e.g. [784, 2000, 10]. */
  online?: number[][];
  /** SGD steps of the modern benchmark networks (`bench/network-step.ts`): [name, batch]. */
  networks?: [NetworkName, number][];
  budget_ms: number;
}

export interface TorchResults {
  version: string;
  gemmMs: Map<string, number>;
  mlpMs: Map<number, number>;
  /** ms per batch-1 online step by layer widths joined with '-' (e.g. `784-2000-10`): wall-clock median and CPU time. */
  onlineMs: Map<string, { wall: number; cpu: number }>;
  /** ms per SGD step of a modern benchmark network, by `networkKey(name, batch)`. */
  networkMs: Map<string, number>;
}

/** The modern benchmark networks, the same on both sides (`bench/network-step.ts`, `build_network` in torch_bench.py). */
export type NetworkName = 'conv' | 'bn-mlp' | 'gn-mlp';

export const networkKey = (name: string, batch: number): string => `${name}@${batch}`;

export const gemmKey = (m: number, k: number, n: number, tA = false, tB = false): string =>
  `${m}x${k}x${n}${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;

export function runTorch(req: TorchRequest, python = process.env['TORCH_PYTHON'] ?? '/usr/bin/python3'): TorchResults | { error: string } {
  if (!existsSync(python)) return { error: `${python} not found (set TORCH_PYTHON to a python with torch)` };
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const res = spawnSync(python, [script, JSON.stringify(req)], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    maxBuffer: 1 << 24,
  });
  if (res.status !== 0) {
    const why = /No module named 'torch'/.test(res.stderr) ? 'torch is not importable' : res.stderr.trim().split('\n').pop();
    return { error: `${python} ${script}: ${why ?? `exit ${res.status}`}` };
  }
  const out: TorchResults = { version: '?', gemmMs: new Map(), mlpMs: new Map(), onlineMs: new Map(), networkMs: new Map() };
  for (const line of res.stdout.split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as {
      kind: string; version?: string; network?: string; M?: number; K?: number; N?: number; transA?: boolean; transB?: boolean; batch?: number; ms?: number; sizes?: number[]; cpu_ms?: number;
    };
    if (r.kind === 'torch-info') out.version = r.version!;
    else if (r.kind === 'gemm') out.gemmMs.set(gemmKey(r.M!, r.K!, r.N!, r.transA, r.transB), r.ms!);
    else if (r.kind === 'mlp-step') out.mlpMs.set(r.batch!, r.ms!);
    else if (r.kind === 'online-step') out.onlineMs.set(r.sizes!.join('-'), { wall: r.ms!, cpu: r.cpu_ms! });
    else if (r.kind === 'network-step') out.networkMs.set(networkKey(r.network!, r.batch!), r.ms!);
  }
  return out;
}
