/**
 * The exported ONNX model checked against another implementation, onnxruntime-node (a dev
 * dependency): for an MLP and for a conv net with every layer kind, trained briefly by `runTrial`
 * with a checkpoint directory, its softmax outputs on 1,000 MNIST test digits are within 1e-5 of
 * ours and its test error equals ours; a float64 network comes out as float32 within 1e-5.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTrial } from '../../src/train/trial.ts';
import type { TrialConfigInput } from '../../src/train/config.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { evaluate, predict } from '../../src/train/evaluate.ts';
import { loadData } from '../../src/data/load.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { exportOnnx, networkFromCheckpoint } from '../../src/export/export-onnx.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Mlp } from '../../src/models/mlp.ts';
import { Rng } from '../../src/rng/rng.ts';
import { saveModel } from '../../src/train/model-checkpoint.ts';
import { toySplits } from '../helpers/toy-data.ts';
import { ONNX_INPUT, ONNX_OUTPUT } from '../../src/export/mlp-to-onnx.ts';
import { fieldsNumbered, text } from '../helpers/protobuf-reader.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';
import { tempDir } from '../helpers/temp-dir.ts';

type Ort = typeof import('onnxruntime-node');
let ort: Ort | null = null;
let why: string | undefined;
try {
  ort = await import('onnxruntime-node');
  await ort.InferenceSession.create(new Uint8Array(0)).catch(() => undefined); // loads the native binding
} catch (e) {
  why = `onnxruntime-node cannot be loaded (${(e as Error).message.split('\n')[0]}); run npm ci (it is a dev dependency)`;
}
const skip = skipIfMissing('onnxruntime-node', why);

const TEST_DIGITS = 1000;
const data = { name: 'mnist', trainSize: 1000, validSize: 200, testSize: TEST_DIGITS };

/** Trains `config` with a checkpoint directory, exports its final.safetensors, and compares onnxruntime with our network on the test digits. */
async function trainExportCompare(config: TrialConfigInput, tag: string): Promise<{ r: TrialResult; maxDiff: number; ortError: number; ours: number; nodes: string[]; metadata: Map<string, string> }> {
  const dir = tempDir(`pl-onnx-${tag}-`);
  const r = await runTrial(config, { checkpointDir: dir });
  const file = join(dir, 'model.onnx');
  exportOnnx(r.checkpoint!, file);

  const test: Dataset = (await loadData(r.config!.data, r.config!.seed)).test;
  assert.equal(test.n, TEST_DIGITS);
  const model = networkFromCheckpoint(readCheckpoint(r.checkpoint!), r.checkpoint!);
  const k = model.spec.nClasses;
  let ours: Float32Array, ourError: number;
  try {
    ours = predict(model, test);
    ourError = evaluate(model, test).error;
  } finally {
    model.dispose();
  }

  const session = await ort!.InferenceSession.create(file);
  const out = await session.run({ [ONNX_INPUT]: new ort!.Tensor('float32', test.x, [test.n, test.dim]) });
  const probs = out[ONNX_OUTPUT]!.data as Float32Array;
  assert.equal(probs.length, test.n * k);
  let maxDiff = 0, wrong = 0;
  for (let i = 0; i < test.n; i++) {
    let best = 0;
    for (let c = 0; c < k; c++) {
      maxDiff = Math.max(maxDiff, Math.abs(probs[i * k + c]! - ours[i * k + c]!));
      if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    }
    if (best !== test.y[i]) wrong++;
  }
  assert.equal(ourError, r.final.test.error, 'the exported checkpoint scores what the trial recorded');

  const bytes = new Uint8Array(readFileSync(file));
  const graph = fieldsNumbered(bytes, 7)[0]!.bytes!;
  const nodes = fieldsNumbered(graph, 1).map((n) => text(fieldsNumbered(n.bytes!, 4)[0]));
  const metadata = new Map(fieldsNumbered(bytes, 14).map((e) => [text(fieldsNumbered(e.bytes!, 1)[0]), text(fieldsNumbered(e.bytes!, 2)[0])]));
  return { r, maxDiff, ortError: wrong / test.n, ours: ourError, nodes, metadata };
}

describe('ONNX export, checked by onnxruntime-node', { skip }, () => {
  test('an MLP (sigmoid, 2 hidden layers): softmax outputs within 1e-5 of ours, the same test error', async () => {
    const config: TrialConfigInput = {
      seed: 5, backend: 'reference', data,
      model: { depth: 2, hidden: 48 }, finetune: { epochs: 6, lr: 0.5, batchSize: 10, patience: null },
    };
    const { r, maxDiff, ortError, ours, nodes, metadata } = await trainExportCompare(config, 'mlp');
    process.stderr.write(`onnx export, MLP: max |p_onnx - p_ours| = ${maxDiff.toExponential(2)}, test error ${ortError} (ours ${ours})\n`);
    assert.ok(r.final.test.error < 0.5, `trained well above chance (${r.final.test.error})`);
    assert.ok(maxDiff < 1e-5, `max abs difference ${maxDiff}`);
    assert.equal(ortError, ours);
    assert.deepEqual(nodes, ['Gemm', 'Sigmoid', 'Gemm', 'Sigmoid', 'Gemm', 'Softmax']);
    const norm = JSON.parse(metadata.get('pretrain-lab.input-normalization')!) as { data: string; scale: string; binarize: string };
    assert.equal(norm.data, 'mnist');
    assert.match(norm.scale, /pixel \/ 255/);
    assert.equal(norm.binarize, 'none');
    assert.deepEqual(JSON.parse(metadata.get('pretrain-lab.config')!), r.config);
    assert.match(metadata.get('pretrain-lab.code-version')!, /"package":"pretrain-lab@/);
    assert.match(metadata.get('pretrain-lab.input')!, /float32 \[N, 784\].*\/ 255/);
  });

  test('a conv net with every layer kind (conv, bn, gn, ln, max/avg pool with padding, flatten, dropout, relu/tanh/sigmoid): within 1e-5, the same test error', async () => {
    const layers = 'conv 4 5x5 linear, bn, relu, maxpool 2, conv 6 3x3 pad 1 tanh, gn 2, avgpool 3 stride 2 pad 1, flatten, ln, dense 24 sigmoid, bn, dropout 0.2, dense 16 linear, gn 4, relu';
    const config: TrialConfigInput = {
      seed: 6, backend: 'reference', data: { ...data, binarize: 'threshold' },
      model: { layers, activation: 'relu', init: 'he' }, finetune: { epochs: 2, lr: 0.003, optimizer: 'adam', batchSize: 20, patience: null },
    };
    const { r, maxDiff, ortError, ours, nodes, metadata } = await trainExportCompare(config, 'conv');
    process.stderr.write(`onnx export, conv net: max |p_onnx - p_ours| = ${maxDiff.toExponential(2)}, test error ${ortError} (ours ${ours})\n`);
    assert.ok(r.final.test.error < 0.6, `trained above chance (${r.final.test.error})`);
    assert.ok(maxDiff < 1e-5, `max abs difference ${maxDiff}`);
    assert.equal(ortError, ours);
    for (const op of ['Reshape', 'Transpose', 'Conv', 'BatchNormalization', 'MaxPool', 'AveragePool', 'ReduceMean', 'Relu', 'Tanh', 'Sigmoid', 'Softmax']) {
      assert.ok(nodes.includes(op), `the graph has a ${op} node`);
    }
    assert.ok(!nodes.includes('Dropout'), 'dropout is the identity at test time and is left out');
    assert.match(JSON.parse(metadata.get('pretrain-lab.input-normalization')!).binarize, /^threshold: then x = \(x >= 0\.5 \? 1 : 0\)/);
    assert.match(metadata.get('pretrain-lab.input')!, /height 28, width 28 and 1 channel\(s\).*NHWC/);
  });

  test('a float64 network (reference64 backend) is written as float32: outputs within 1e-5 of the float64 network', async () => {
    const dir = tempDir('pl-onnx-f64-');
    const be = createReferenceBackend('float64');
    const toy = toySplits(4, { train: 10, valid: 10, test: 300 }).test;
    const model = Mlp.create(be, { nIn: toy.dim, hidden: [7, 5], nClasses: toy.nClasses, activation: 'tanh', init: 'glorot' }, new Rng(4).fork('init'));
    const ours = predict(model, toy);
    saveModel(join(dir, 'final.safetensors'), model);
    exportOnnx(join(dir, 'final.safetensors'), join(dir, 'm.onnx'));
    const session = await ort!.InferenceSession.create(join(dir, 'm.onnx'));
    const p = (await session.run({ [ONNX_INPUT]: new ort!.Tensor('float32', Float32Array.from(toy.x), [toy.n, toy.dim]) }))[ONNX_OUTPUT]!.data as Float32Array;
    const maxDiff = p.reduce((m, v, i) => Math.max(m, Math.abs(v - ours[i]!)), 0);
    assert.ok(maxDiff < 1e-5, `max abs difference ${maxDiff}`);
  });
});
