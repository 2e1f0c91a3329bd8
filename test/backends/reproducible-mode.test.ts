/**
 * Reproducible mode (`--reproducible`, PRETRAIN_LAB_REPRODUCIBLE=1): the variant it selects is the
 * one asked for, separate processes give bit-identical numbers, and those numbers are the golden
 * values pinned for the reproducible variants (test/golden/golden-values.json).
 */
// This process loads OpenBLAS with kernels other than the reproducible baseline (the last test
// relies on it); the child processes do not inherit the variable.
process.env['OPENBLAS_CORETYPE'] = 'Sandybridge';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableBackends, BackendUnavailableError, createBackend } from '../../src/backends/index.ts';
import { REPRODUCIBLE_ENV } from '../../src/backends/reproducible.ts';
import type { NumericVariant } from '../../src/tensor/numeric-variant.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '..', '..', 'bin', 'pretrain-lab.js');
const GOLDEN = JSON.parse(readFileSync(path.join(here, '..', 'golden', 'golden-values.json'), 'utf8')) as Record<string, Record<string, Record<string, number>>>;

/** The golden trial `mlp-l2` (test/golden/trials.ts) as `train` flags. */
const MLP_L2 = [
  '--seed=5', '--data.trainSize=600', '--data.validSize=200', '--data.testSize=300', '--model.depth=2', '--model.hidden=40',
  '--finetune.epochs=4', '--finetune.lr=0.5', '--finetune.batchSize=10', '--finetune.patience=null', '--finetune.l2=0.001',
];

interface TrainResult {
  train: { nll: number };
  valid: { nll: number };
  test: { nll: number; error: number };
  variant: NumericVariant;
}
interface TrainOutput {
  code: number;
  stderr: string;
  result?: TrainResult;
}

/** `pretrain-lab train <args> --json` in a fresh process, with `env` added to this one's. */
function train(args: string[], env: Record<string, string | undefined> = {}): Promise<TrainOutput> {
  const childEnv = { ...process.env, ...env };
  for (const k of [REPRODUCIBLE_ENV, 'PRETRAIN_LAB_WASM_SIMD', 'OPENBLAS_CORETYPE']) if (!(k in env)) delete childEnv[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'train', ...args, '--json'], { env: childEnv, timeout: 120_000 }, (err, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      const line = last.startsWith('{') ? (JSON.parse(last) as TrainResult & { event: string }) : null;
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr, ...(line?.event === 'result' ? { result: line } : {}) });
    });
  });
}

const golden = (r: TrainResult) => ({ train: r.train.nll, valid: r.valid.nll, test: r.test.nll, testError: r.test.error });

/** Says loudly why a backend cannot be tested here; fails instead when CI is set. */
async function unavailable(t: TestContext, name: 'wasm' | 'native'): Promise<boolean> {
  const a = (await availableBackends()).find((b) => b.name === name)!;
  let why = a.available ? null : (a.reason ?? 'unavailable');
  if (!why && name === 'native' && arch() !== 'x64') why = `the pinned core type is checked on x86-64 only (this is ${arch()})`;
  if (!why) return false;
  if (process.env['CI']) assert.fail(`${name} backend unavailable in CI: ${why}`);
  console.error(`\n*** reproducible ${name} NOT CHECKED: ${why} ***\n`);
  t.skip(why);
  return true;
}

test('train --reproducible with backend auto runs the plain SIMD128 wasm build, and two processes give the golden numbers bit for bit', async (t) => {
  if (await unavailable(t, 'wasm')) return;
  const [a, b] = await Promise.all([train([...MLP_L2, '--reproducible']), train([...MLP_L2, '--reproducible'])]);
  assert.ok(a.result && b.result, `train failed: ${a.stderr}${b.stderr}`);
  assert.equal(a.result.variant.backend, 'wasm');
  assert.equal(a.result.variant.wasmBuild, 'simd128');
  assert.equal(a.result.variant.reproducible, true);
  assert.deepEqual(golden(a.result), golden(b.result));
  assert.deepEqual(golden(a.result), GOLDEN['wasm-simd128']!['mlp-l2']);
});

test('train --backend native --reproducible pins OpenBLAS Haswell whatever the CPU would pick, and reproduces the golden numbers', async (t) => {
  if (await unavailable(t, 'native')) return;
  const a = await train([...MLP_L2, '--backend=native', '--reproducible']);
  assert.ok(a.result, `train failed: ${a.stderr}`);
  const v = a.result.variant;
  assert.equal(v.backend, 'native');
  assert.equal(v.blas?.library, 'OpenBLAS');
  assert.equal(v.blas?.coreType, 'Haswell');
  assert.match(v.blas?.version ?? '', /^\d+\.\d+\.\d+/);
  assert.ok(v.nativeBuild?.compiler && v.nativeBuild.isa.startsWith('x86-64'), JSON.stringify(v.nativeBuild));
  assert.ok(v.cpu.model.length > 0 && v.cpu.arch === 'x64');
  assert.equal(v.reproducible, true);
  assert.deepEqual(golden(a.result), GOLDEN['native-openblas-haswell']!['mlp-l2']);
});

test('--reproducible refuses an environment that pins another OpenBLAS core type, saying which', async (t) => {
  if (arch() !== 'x64') return t.skip(`the baseline core type differs on ${arch()}`);
  const r = await train([...MLP_L2, '--reproducible'], { OPENBLAS_CORETYPE: 'Cooperlake' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /OPENBLAS_CORETYPE=Haswell.*OPENBLAS_CORETYPE=Cooperlake/);
});

test('in reproducible mode a native backend whose OpenBLAS already loaded with other kernels is refused, not used', async (t) => {
  if (await unavailable(t, 'native')) return;
  try {
    const before = await createBackend('native');
    assert.equal(before.variant.blas?.coreType, 'Sandybridge');
    assert.equal(before.variant.reproducible, false);
    delete process.env['OPENBLAS_CORETYPE'];
    process.env[REPRODUCIBLE_ENV] = '1';
    await assert.rejects(createBackend('native'), (e: Error) => e instanceof BackendUnavailableError && /OPENBLAS_CORETYPE=Haswell/.test(e.message) && /Sandybridge/.test(e.message));
  } finally {
    for (const k of [REPRODUCIBLE_ENV, 'PRETRAIN_LAB_WASM_SIMD', 'OPENBLAS_CORETYPE']) delete process.env[k];
  }
});
