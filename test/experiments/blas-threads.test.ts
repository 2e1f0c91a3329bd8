import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAvailability } from '../../src/backends/native/index.ts';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { reproduceCommand } from '../../src/experiments/reproduce.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';
import { cli } from '../helpers/run-cli.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';

const SYNTH = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'experiments', 'synthetic-trial.ts');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-threads-'));

function needNative(t: { skip(m: string): void }): boolean {
  const a = nativeAvailability();
  if (a.available) return true;
  if (process.env['CI']) assert.fail(`native backend unavailable in CI: ${a.reason}`);
  console.error(`\n*** BLAS thread pinning NOT CHECKED: ${a.reason} ***\n`);
  t.skip(a.reason ?? 'native backend unavailable');
  return false;
}

test("a sweep's BLAS threads never follow the number of workers: 1 per worker unless --threads says otherwise", { timeout: 120_000 }, async (t) => {
  if (!needNative(t)) return;
  const exp = resolveExperiment(toy, { overrides: { depth: [1], pretrain: ['none'], lr: [0.1], seeds: 2 }, backend: 'native' });
  for (const workers of [1, 2]) {
    const s = await runExperiment(exp, { runsDir: tmp(), workers, trial: { module: SYNTH } });
    for (const r of s.records.values()) assert.equal(r.variant.blas?.threads, 1, `workers ${workers}`);
  }
  const two = await runExperiment(exp, { runsDir: tmp(), workers: 1, threads: 2, trial: { module: SYNTH } });
  for (const r of two.records.values()) {
    assert.equal(r.variant.blas?.threads, 2);
    assert.match(r.command, /--threads=2/, 'the command that reproduces it names its thread count');
  }
});

test('reproduceCommand names the BLAS thread count of a native variant, and none for wasm', () => {
  const cfg = resolveTrialConfig({ seed: 3 });
  const native = { backend: 'native', precision: 'f32', reproducible: false, blas: { library: 'OpenBLAS', version: '0.3.21', coreType: 'Haswell', threads: 1, config: '' } } as never;
  assert.match(reproduceCommand(cfg, native), /--threads=1$/);
  const wasm = { backend: 'wasm', precision: 'f32', reproducible: false, wasmBuild: 'simd128' } as never;
  assert.doesNotMatch(reproduceCommand(cfg, wasm), /--threads/);
});

test('train alone uses every core for BLAS by default (auto), and --threads 1 pins one', { timeout: 120_000 }, async (t) => {
  if (!needNative(t)) return;
  const args = ['train', '--backend', 'native', '--data.trainSize=100', '--data.validSize=100', '--data.testSize=100', '--model.hidden=8', '--finetune.epochs=1', '--json'];
  const auto = await cli(...args);
  assert.equal(auto.code, 0, auto.stderr);
  const last = (s: string): { variant: { blas: { threads: number } } } => JSON.parse(s.trim().split('\n').at(-1)!);
  assert.equal(last(auto.stdout).variant.blas.threads, os.availableParallelism());
  const one = await cli(...args, '--threads', '1');
  assert.equal(last(one.stdout).variant.blas.threads, 1);
  const bad = await cli(...args, '--threads', '0');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--threads must be an integer >= 1 or auto/);
});
