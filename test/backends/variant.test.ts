import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableBackends, BACKEND_NAMES, createBackend, createReferenceBackend } from '../../src/backends/index.ts';
import { formatVariant, numericKey, sameNumerics } from '../../src/backends/variant.ts';
import { ConfigError, resolveTrialConfig } from '../../src/train/config.ts';

test('the backend names live in a leaf module that imports nothing, and the config schema accepts exactly them', () => {
  const src = readFileSync(fileURLToPath(new URL('../../src/backends/names.ts', import.meta.url)), 'utf8');
  assert.doesNotMatch(src, /^import /m);
  for (const name of BACKEND_NAMES) assert.equal(resolveTrialConfig({ backend: name }).backend, name);
  assert.throws(() => resolveTrialConfig({ backend: 'gpu' }), ConfigError);
});

test('the reference backends name their precision and are reproducible', () => {
  const f32 = createReferenceBackend('float32').variant, f64 = createReferenceBackend('float64').variant;
  assert.deepEqual([f32.backend, f32.precision, f32.reproducible], ['reference', 'float32', true]);
  assert.deepEqual([f64.backend, f64.precision], ['reference64', 'float64']);
  assert.equal(sameNumerics(f32, f64), false);
  assert.equal(f32.cpu.arch, process.arch);
  assert.ok(f32.cpu.model.length > 0);
});

test('each available fast backend names its build as fields: wasm its SIMD build, native its OpenBLAS version and core type as OpenBLAS reports them', async (t) => {
  for (const a of await availableBackends()) {
    if (a.name !== 'wasm' && a.name !== 'native') continue;
    if (!a.available) {
      if (process.env['CI']) assert.fail(`${a.name} unavailable in CI: ${a.reason}`);
      console.error(`\n*** variant of ${a.name} NOT CHECKED: ${a.reason} ***\n`);
      continue;
    }
    const be = await createBackend(a.name);
    const v = be.variant;
    assert.equal(v.backend, a.name);
    if (a.name === 'wasm') {
      assert.ok(v.wasmBuild === 'simd128' || v.wasmBuild === 'relaxed-simd');
      assert.equal(v.reproducible, v.wasmBuild === 'simd128');
    } else {
      assert.ok(v.blas, 'native names its BLAS');
      assert.ok(v.blas.config.includes(v.blas.version) && v.blas.config.includes(v.blas.coreType), `${v.blas.config} names version ${v.blas.version} and core ${v.blas.coreType}`);
      assert.match(formatVariant(v), new RegExp(`core ${v.blas.coreType}`));
    }
  }
  t.diagnostic('checked the available fast backends');
});

test('numericKey leaves out what does not change numbers: the CPU model and the runtime', () => {
  const v = createReferenceBackend().variant;
  assert.deepEqual(numericKey({ ...v, cpu: { model: 'other', arch: v.cpu.arch }, runtime: 'node v99' }), numericKey(v));
});
