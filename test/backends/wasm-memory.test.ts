/**
 * The wasm backend's memory contract: matrices live in linear memory, stay valid when it
 * grows, are freed and reused, and matrices of other backends are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { createWasmBackend, wasmAvailability, WasmMatrix } from '../../src/backends/wasm/index.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const avail = wasmAvailability();
const skip = skipIfMissing('the wasm backend', avail.available ? undefined : avail.reason);

test('wasmAvailability names the build command when kernels.wasm is missing, else reports available', () => {
  if (avail.available) assert.match(avail.description ?? '', /WebAssembly/);
  else assert.match(avail.reason ?? '', /build-wasm\.mjs|npm install/);
});

test('createWasmBackend shares one instance and says which SIMD level it uses', { skip }, async () => {
  const [a, b] = await Promise.all([createWasmBackend(), createWasmBackend()]);
  assert.equal(a, b);
  assert.match(a.description, /relaxed SIMD|128-bit SIMD/);
  const m = a.fromArray(1, 3, [1, 2, 3]);
  assert.equal(b.sum(m), 6); // a matrix of one is usable by the other
  m.dispose();
});

test('matrices keep their contents when wasm memory grows (views are re-created)', { skip }, async () => {
  const be = await createWasmBackend();
  const olds = [17, 1000, 3].map((n, i) => be.fromArray(n, 5, Float32Array.from({ length: n * 5 }, (_, j) => i * 1e4 + j)));
  const firstView = olds[0]!.data;
  const big = [];
  // Allocate 4 MiB blocks until the memory has grown (its old ArrayBuffer is then detached).
  while (firstView.buffer.byteLength !== 0) {
    big.push(be.zeros(1024, 1024));
    assert.ok(big.length < 2000, 'memory never grew');
  }
  assert.notEqual(olds[0]!.data.buffer, firstView.buffer);
  olds.forEach((m, i) => {
    const d = m.data;
    assert.equal(d.length, m.rows * 5);
    for (let j = 0; j < d.length; j++) assert.equal(d[j], i * 1e4 + j);
  });
  // Kernels see the same numbers after growth.
  const c = be.zeros(17, 17);
  be.gemm(false, true, 1, olds[0]!, olds[0]!, 0, c);
  assert.equal(c.get(0, 0), [0, 1, 2, 3, 4].reduce((s, v) => s + v * v, 0));
  for (const m of [...big, ...olds, c]) m.dispose();
});

test('dispose returns memory: allocating and freeing 4 MiB 200 times does not grow memory by more than 8 MiB', { skip }, async () => {
  const be = await createWasmBackend();
  const probe = be.zeros(1, 1);
  const before = probe.data.buffer.byteLength;
  for (let i = 0; i < 200; i++) be.zeros(1024, 1024).dispose();
  assert.ok(probe.data.buffer.byteLength <= before + 8 * 2 ** 20, `memory grew from ${before} to ${probe.data.buffer.byteLength}`);
  probe.dispose();
});

test('zeros is zero even on reused memory, and a freed block is handed out again', { skip }, async () => {
  const be = await createWasmBackend();
  const a = be.zeros(33, 31);
  be.fill(a, 7);
  const ptr = (a as WasmMatrix).ptr;
  a.dispose();
  const b = be.zeros(33, 31);
  assert.equal((b as WasmMatrix).ptr, ptr);
  assert.ok(b.data.every((v) => v === 0));
  b.dispose();
});

test('matrices of another backend are rejected with a message naming both backends', { skip }, async () => {
  const be = await createWasmBackend();
  const ref = createReferenceBackend('float32');
  const x = ref.zeros(2, 3), y = be.zeros(2, 3);
  assert.throws(() => be.add(x, y, y), /add: a matrix of backend 'reference' was passed to backend 'wasm'/);
  assert.throws(() => be.gemm(false, false, 1, y, be.zeros(3, 2), 0, ref.zeros(2, 2)), /gemm: .*'reference'.*'wasm'/);
  assert.throws(() => be.sum(x), /sum: .*backend 'reference'/);
});

test('a disposed matrix is refused by kernels and by .data', { skip }, async () => {
  const be = await createWasmBackend();
  const x = be.zeros(4, 4);
  x.dispose();
  assert.throws(() => be.fill(x, 1), /used after dispose/);
  assert.throws(() => x.data, /used after dispose/);
});
