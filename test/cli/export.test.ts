import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCheckpoint, readCheckpoint } from '../../src/train/checkpoint.ts';
import { fieldsNumbered, text } from '../helpers/protobuf-reader.ts';
import { cli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('train --checkpoint-dir, then export --onnx writes an ONNX model of that network (and --json says where)', async () => {
  const dir = tempDir('pl-cli-export-');
  const t = await cli('train', '--depth=1', '--hidden=16', '--data.trainSize=200', '--data.validSize=50', '--data.testSize=50', '--data.binarize=threshold',
    '--epochs=1', '--batchSize=10', '--backend=reference', '--checkpoint-dir', dir, '--json');
  assert.equal(t.code, 0, t.stderr);
  const ck = join(dir, 'final.safetensors');
  const out = join(dir, 'sub', 'model.onnx');
  const e = await cli('export', ck, '--onnx', out);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /^wrote .*model\.onnx \(\d+ bytes, ONNX opset 17, 784-16-10\); input 'input' \[N, 784\], output 'probabilities' \[N, 10\]\n$/);
  const bytes = new Uint8Array(readFileSync(out));
  const meta = new Map(fieldsNumbered(bytes, 14).map((f) => [text(fieldsNumbered(f.bytes!, 1)[0]), text(fieldsNumbered(f.bytes!, 2)[0])]));
  assert.match(meta.get('pretrain-lab.input')!, /\/ 255.*threshold: then x = \(x >= 0\.5 \? 1 : 0\)/);
  assert.equal(meta.get('pretrain-lab.config'), readCheckpoint(ck).metadata['config']);
  const j = await cli('export', ck, '--onnx', out, '--json');
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout), { event: 'result', checkpoint: ck, onnx: out, bytes: bytes.length, opset: 17, input: [null, 784], output: [null, 10] });
});

test('export: a missing --onnx is a usage error (exit 2), a missing checkpoint names the file (exit 1), an unsupported layer kind exits 2', async () => {
  const dir = tempDir('pl-cli-export-');
  const noOut = await cli('export', join(dir, 'final.safetensors'));
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /--onnx model\.onnx/);
  const missing = await cli('export', join(dir, 'final.safetensors'), '--onnx', join(dir, 'm.onnx'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /final\.safetensors cannot be read/);
  const odd = join(dir, 'odd.safetensors');
  const spec = { nIn: 2, hidden: [], nClasses: 2, activation: 'relu', init: 'he', layers: [{ kind: 'rnn', units: 3 }] };
  writeCheckpoint(odd, { 'output.W': { shape: [2, 2], data: new Float32Array(4) }, 'output.b': { shape: [1, 2], data: new Float32Array(2) } }, { kind: 'model', spec: JSON.stringify(spec) });
  const refused = await cli('export', odd, '--onnx', join(dir, 'm.onnx'));
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /layer 1 is of kind 'rnn', which the ONNX export does not support/);
  assert.equal(existsSync(join(dir, 'm.onnx')), false);
});

test('export --help says what the graph holds, the NHWC input, where the normalisation is written, with examples', async () => {
  const h = await cli('export', '--help');
  assert.equal(h.code, 0);
  for (const s of [/--onnx <file>/, /NHWC/, /metadata \(pretrain-lab\.input\)/, /atomically/, /\$ pretrain-lab export ck\/final\.safetensors --onnx model\.onnx/]) assert.match(h.stdout, s);
});
