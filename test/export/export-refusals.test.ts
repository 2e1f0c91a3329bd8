/**
 * What the ONNX export refuses, each with an error that names the problem and what to do, and
 * leaving no `.onnx` file behind (or the previous one intact).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Mlp, type MlpSpec } from '../../src/models/mlp.ts';
import { Rng } from '../../src/rng/rng.ts';
import { CheckpointError, writeCheckpoint } from '../../src/train/checkpoint.ts';
import { modelTensors, saveModel } from '../../src/train/model-checkpoint.ts';
import { exportOnnx } from '../../src/export/export-onnx.ts';
import { onnxFromModel } from '../../src/export/mlp-to-onnx.ts';
import { OnnxExportError } from '../../src/export/onnx-export-error.ts';
import { AtomicWriteError, nodeIo, withWriteIo, type WriteIo } from '../../src/io/atomic-write.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const be = createReferenceBackend('float32');
const spec: MlpSpec = { nIn: 6, hidden: [4], nClasses: 3, activation: 'tanh', init: 'uniform-fanin' };

/** A small network checkpoint (no training needed) in a fresh directory; returns its path. */
function networkCheckpoint(): { dir: string; file: string; model: Mlp } {
  const dir = tempDir('pl-onnx-refuse-');
  const model = Mlp.create(be, spec, new Rng(1).fork('init'));
  const file = join(dir, 'final.safetensors');
  saveModel(file, model);
  return { dir, file, model };
}

/** The same tensors under other metadata. */
function withMetadata(model: Mlp, dir: string, metadata: Record<string, string>): string {
  const file = join(dir, 'patched.safetensors');
  writeCheckpoint(file, modelTensors(model), metadata);
  return file;
}

test('a network checkpoint exports (the baseline the refusals below differ from)', () => {
  const { dir, file } = networkCheckpoint();
  const r = exportOnnx(file, join(dir, 'm.onnx'));
  assert.ok(r.bytes > 100 && readFileSync(join(dir, 'm.onnx')).length === r.bytes);
});

test('a layer kind the export does not know (a spec from a newer version) is refused, naming the layer and the kinds it writes', () => {
  const { dir, model } = networkCheckpoint();
  const layers = [{ kind: 'dense', units: 4, activation: 'tanh' }, { kind: 'attention', heads: 2 }];
  const file = withMetadata(model, dir, { kind: 'model', spec: JSON.stringify({ ...spec, layers }) });
  assert.throws(() => exportOnnx(file, join(dir, 'm.onnx')), (e: Error) => e instanceof OnnxExportError && /layer 2 is of kind 'attention', which the ONNX export does not support \(it writes dense, conv, pool/.test(e.message));
  assert.equal(existsSync(join(dir, 'm.onnx')), false);
});

test('an activation the export does not know is refused, naming it and the ones it writes', () => {
  const { dir, model } = networkCheckpoint();
  const file = withMetadata(model, dir, { kind: 'model', spec: JSON.stringify({ ...spec, activation: 'gelu' }) });
  assert.throws(() => exportOnnx(file, join(dir, 'm.onnx')), (e: Error) => e instanceof OnnxExportError && /layer 1 \(dense\) has activation 'gelu'.*identity, sigmoid, tanh, relu/.test(e.message));
});

test('onnxFromModel refuses a network whose spec holds an unknown kind (the browser path, no checkpoint)', () => {
  const odd = Mlp.create(be, { ...spec, layers: [{ kind: 'dense', units: 4, activation: 'relu' }, { kind: 'capsule' } as never] }, new Rng(0));
  assert.throws(() => onnxFromModel(odd), (e: Error) => e instanceof OnnxExportError && /kind 'capsule'/.test(e.message));
});

test('a missing checkpoint is a CheckpointError naming the file; nothing is written', () => {
  const dir = tempDir('pl-onnx-refuse-');
  assert.throws(() => exportOnnx(join(dir, 'nope.safetensors'), join(dir, 'm.onnx')), (e: Error) => e instanceof CheckpointError && /nope\.safetensors cannot be read/.test(e.message));
  assert.deepEqual(readdirSync(dir), []);
});

test('a truncated checkpoint is a CheckpointError saying it is corrupt', () => {
  const { dir, file } = networkCheckpoint();
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, bytes.length - 10));
  assert.throws(() => exportOnnx(file, join(dir, 'm.onnx')), (e: Error) => e instanceof CheckpointError && /corrupt.*truncated/.test(e.message));
  assert.equal(existsSync(join(dir, 'm.onnx')), false);
});

test('a checkpoint that holds no network (a pre-trained stack, no spec, a spec that is not JSON) is refused with what to export instead', () => {
  const { dir, model } = networkCheckpoint();
  const cases: [Record<string, string>, RegExp][] = [
    [{ kind: 'pretrained-stack' }, /is a 'pretrained-stack' checkpoint, not a trained network; export the final\.safetensors/],
    [{}, /has no 'spec' metadata, so it holds no network/],
    [{ kind: 'model', spec: '{"nIn": 6,' }, /'spec' metadata is not valid JSON/],
  ];
  for (const [metadata, message] of cases) {
    const file = withMetadata(model, dir, metadata);
    assert.throws(() => exportOnnx(file, join(dir, 'm.onnx')), (e: Error) => e instanceof OnnxExportError && message.test(e.message), JSON.stringify(metadata));
  }
});

test('tensors of another architecture than the spec are a CheckpointError naming the tensor and both shapes', () => {
  const { dir, model } = networkCheckpoint();
  const file = withMetadata(model, dir, { kind: 'model', spec: JSON.stringify({ ...spec, hidden: [5] }) });
  assert.throws(() => exportOnnx(file, join(dir, 'm.onnx')), (e: Error) => e instanceof CheckpointError && /'hidden\.0\.W' has shape \[6, 4\], expected \[6, 5\]/.test(e.message));
});

test('a full disk while writing the .onnx file leaves the previous file intact (atomic write)', async () => {
  const { dir, file } = networkCheckpoint();
  const out = join(dir, 'm.onnx');
  writeFileSync(out, 'previous');
  let written = 0;
  const fullDisk: WriteIo = {
    ...nodeIo,
    writeSync: (fd, data) => {
      if (written > 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      written = nodeIo.writeSync(fd, data.subarray(0, 8));
      return written;
    },
  };
  await withWriteIo(fullDisk, () => assert.throws(() => exportOnnx(file, out), (e: Error) => e instanceof AtomicWriteError && e.code === 'ENOSPC'));
  assert.equal(readFileSync(out, 'utf8'), 'previous');
  assert.deepEqual(readdirSync(dir).sort(), ['final.safetensors', 'm.onnx']);
});
