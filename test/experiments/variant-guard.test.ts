import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createReferenceBackend } from '../../src/backends/index.ts';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { RunStore, type TrialRecord } from '../../src/experiments/store.ts';
import { MixedVariantError, StudyVariant } from '../../src/experiments/variant-guard.ts';
import type { NumericVariant } from '../../src/tensor/numeric-variant.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-variant-'));
const reference = createReferenceBackend().variant;
const native = (coreType: string, model = 'AMD EPYC'): NumericVariant => ({
  backend: 'native', precision: 'float32',
  blas: { library: 'OpenBLAS', version: '0.3.21', coreType, threads: 1, config: `OpenBLAS 0.3.21 DYNAMIC_ARCH ${coreType}` },
  nativeBuild: { compiler: 'gcc 12.2.0', isa: 'x86-64+sse4.2' },
  cpu: { model, arch: 'x64' }, runtime: 'node v20.20.2', reproducible: coreType === 'Haswell',
});
const recordOf = (variant: NumericVariant): TrialRecord => ({ hash: 'a'.repeat(64), variant }) as TrialRecord;

test('a study admits trials of its own variant, also from another CPU model and thread count', () => {
  const guard = new StudyVariant([recordOf(native('Haswell', 'AMD EPYC'))], false);
  assert.equal(guard.admit(native('Haswell', 'Intel Xeon Gold 6248'), 'trial b'), false);
  assert.equal(guard.admit({ ...native('Haswell'), blas: { ...native('Haswell').blas!, threads: 4 } }, 'trial c'), false);
});

test('a study refuses a trial of another OpenBLAS core type, naming both variants and the flag that allows it', () => {
  const guard = new StudyVariant([recordOf(native('Haswell'))], false);
  assert.throws(
    () => guard.admit(native('Cooperlake'), 'trial b'),
    (e: Error) => e instanceof MixedVariantError && /core Haswell/.test(e.message) && /core Cooperlake/.test(e.message) && /--allow-mixed-variants/.test(e.message),
  );
});

test('relaxed-SIMD wasm trials from different CPU models are different variants; plain SIMD128 ones are not', () => {
  const wasm = (wasmBuild: 'simd128' | 'relaxed-simd', model: string): NumericVariant => ({
    backend: 'wasm', precision: 'float32', wasmBuild, cpu: { model, arch: 'x64' }, runtime: 'node v20', reproducible: wasmBuild === 'simd128',
  });
  assert.equal(new StudyVariant([recordOf(wasm('simd128', 'A'))], false).admit(wasm('simd128', 'B'), 't'), false);
  assert.throws(() => new StudyVariant([recordOf(wasm('relaxed-simd', 'A'))], false).admit(wasm('relaxed-simd', 'B'), 't'), MixedVariantError);
  assert.throws(() => new StudyVariant([recordOf(wasm('simd128', 'A'))], false).admit(wasm('relaxed-simd', 'A'), 't'), MixedVariantError);
});

test('with mixing allowed another variant is admitted and reported as mixed', () => {
  const guard = new StudyVariant([recordOf(native('Haswell'))], true);
  assert.equal(guard.admit(native('Cooperlake'), 'trial b'), true);
});

/** Rewrites every record of the store as if another machine (`variant`) had computed it. */
function forgeVariant(storeDir: string, variant: NumericVariant): void {
  const store = new RunStore(storeDir);
  for (const h of store.listHashes()) store.write({ ...store.read(h)!, variant });
}

test('runExperiment refuses, before running anything, to add trials of another variant to a study', async () => {
  const runsDir = tmp();
  const small = resolveExperiment(toy, { preset: 'quick', seeds: 1 });
  const first = await runExperiment(small, { runsDir, trial: synthetic });
  assert.ok([...first.records.values()].every((r) => JSON.stringify(r.variant) === JSON.stringify(reference)), 'records name the reference variant');
  forgeVariant(first.storeDir, native('Cooperlake'));
  let started = 0;
  await assert.rejects(
    runExperiment(resolveExperiment(toy, { preset: 'quick', seeds: 2 }), { runsDir, trial: synthetic, events: { onTrialStart: () => void started++ } }),
    (e: Error) => e instanceof MixedVariantError && /core Cooperlake/.test(e.message) && /reference float32/.test(e.message),
  );
  assert.equal(started, 0, 'no trial ran');
});

test('with --allow-mixed-variants the new trials run and their records are marked mixedVariant', async () => {
  const runsDir = tmp();
  const first = await runExperiment(resolveExperiment(toy, { preset: 'quick', seeds: 1 }), { runsDir, trial: synthetic });
  forgeVariant(first.storeDir, native('Cooperlake'));
  const second = await runExperiment(resolveExperiment(toy, { preset: 'quick', seeds: 2 }), { runsDir, trial: synthetic, allowMixedVariants: true });
  const records = [...second.records.values()];
  assert.ok(second.ran > 0);
  assert.equal(records.filter((r) => r.mixedVariant).length, second.ran);
  assert.equal(records.filter((r) => r.variant.backend === 'native').length, records.length - second.ran);
});
