/**
 * The wasm backend loads its relaxed-SIMD build by default; the plain SIMD128 build (what an
 * engine without relaxed SIMD gets) must conform too, so the whole conformance suite runs again
 * in a child process with PRETRAIN_LAB_WASM_SIMD=simd128.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBackend } from '../../src/backends/registry.ts';
import { wasmAvailability } from '../../src/backends/wasm/index.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const avail = wasmAvailability();
const skip = skipIfMissing('the wasm backend', avail.available ? undefined : avail.reason);

test('the wasm backend prefers the relaxed-SIMD build and says so', { skip }, async () => {
  const be = await createBackend('wasm');
  assert.match(be.description, /relaxed SIMD|SIMD128/);
});

test('the plain SIMD128 wasm build passes the conformance suite', { skip }, () => {
  const suite = fileURLToPath(new URL('./conformance.test.ts', import.meta.url));
  // NODE_TEST_CONTEXT (set by an enclosing test runner) would make the child report in its binary protocol.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', suite], {
    env: { ...env, PRETRAIN_LAB_WASM_SIMD: 'simd128' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `conformance failed under SIMD128:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /# fail 0/);
  assert.match(r.stdout, /backend 'wasm' conforms to reference/);
  assert.match(r.stdout, /# wasm: .*128-bit SIMD/, 'the child must have run the plain SIMD128 build');
});
