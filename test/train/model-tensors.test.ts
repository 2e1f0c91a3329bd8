/** The browser-safe model encoding is the CLI's checkpoint format, byte for byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/index.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { Rng } from '../../src/rng/index.ts';
import { decodeSafetensors, encodeModel, loadModel, saveModel } from '../../src/train/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('encodeModel(model, metadata) is byte for byte the file saveModel writes, and loadModel restores it', () => {
  const be = createReferenceBackend();
  const spec = { nIn: 6, hidden: [5, 4], nClasses: 3, activation: 'sigmoid', init: 'uniform-fanin' } as const;
  const model = Mlp.create(be, { ...spec, hidden: [...spec.hidden] }, new Rng(3));
  const file = join(tempDir(), 'final.safetensors');
  const metadata = { config: '{"seed":3}', metrics: '{"final":{}}' };
  saveModel(file, model, metadata);
  const parts = encodeModel(model, metadata);
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  assert.deepEqual(bytes, new Uint8Array(readFileSync(file)));
  const ck = decodeSafetensors(bytes, 'encoded');
  assert.equal(ck.metadata['kind'], 'model');
  assert.equal(ck.metadata['config'], '{"seed":3}');
  assert.deepEqual(JSON.parse(ck.metadata['spec']!), model.spec);
  const copy = Mlp.create(be, model.spec, new Rng(99));
  loadModel(file, copy);
  assert.deepEqual(copy.getFlat(), model.getFlat());
});

test('decodeSafetensors names the source when the bytes are not a safetensors file', () => {
  assert.throws(() => decodeSafetensors(new Uint8Array(4), 'dropped.bin'), /checkpoint dropped\.bin is corrupt or not a safetensors file: 4 bytes/);
});
