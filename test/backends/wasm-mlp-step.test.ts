/** End to end on the wasm backend: the benchmark's MLP SGD step tracks the reference backend. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { createWasmBackend, wasmAvailability } from '../../src/backends/wasm/index.ts';
import { createMlpStep } from '../../bench/mlp-step.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const avail = wasmAvailability();

test('five MLP SGD steps on wasm give the reference losses, and the loss goes down', { skip: skipIfMissing('the wasm backend', avail.available ? undefined : avail.reason) }, async () => {
  const sizes = [37, 33, 17, 5];
  for (const batch of [1, 7, 40]) {
    const ref = createMlpStep(createReferenceBackend('float32'), sizes, batch, 0.5, 3);
    const wasm = createMlpStep(await createWasmBackend(), sizes, batch, 0.5, 3);
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = ref.step(), b = wasm.step();
      assert.ok(Math.abs(a - b) <= 1e-4 * (1 + Math.abs(a)), `batch ${batch} step ${i}: wasm loss ${b} vs reference ${a}`);
      losses.push(b);
    }
    assert.ok(losses[4]! < losses[0]!, `batch ${batch}: loss did not decrease (${losses.join(', ')})`);
    ref.dispose();
    wasm.dispose();
  }
});
