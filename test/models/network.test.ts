/**
 * The generalised network (`Mlp` over any layer list): float64 gradient check of the whole
 * network with conv, pooling, batch/group/layer norm and activation layers, and the fused
 * training step equal to gradients-then-step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp, type MlpSpec } from '../../src/models/mlp.ts';
import { parseLayerSpec } from '../../src/models/layer-spec.ts';
import { Sgd } from '../../src/nn/sgd.ts';
import { assertGradClose, numericGradient } from '../helpers/numeric-gradient.ts';

const be64 = createReferenceBackend('float64');
const spec = (layers: string): MlpSpec => ({
  nIn: 6 * 6 * 2,
  hidden: [],
  nClasses: 3,
  activation: 'tanh',
  init: 'glorot',
  layers: parseLayerSpec(layers, 'tanh'),
  image: { height: 6, width: 6, channels: 2 },
});

const NETS = [
  'conv 3 3x3 pad 1 linear, bn, tanh, maxpool 2, dense 5 linear, ln, sigmoid',
  'conv 4 2x2 stride 2, gn 2, avgpool 3, dense 4, bn',
  'dense 8 linear, gn 2, relu, dense 5',
];

for (const layers of NETS) {
  test(`whole-network gradient in float64: ${layers}`, () => {
    const model = Mlp.create(be64, spec(layers), new Rng(1).fork('init'));
    const r = new Rng(2);
    const x = be64.fromArray(4, 72, r.fillUniform(new Float64Array(4 * 72), -1, 1));
    const y = Int32Array.from([0, 2, 1, 2]);
    model.gradients(x, y);
    const analytic = model.parameters().map((p) => Float64Array.from(p.grad.data));
    model.parameters().forEach((p, i) => {
      const numeric = numericGradient(p.value, () => model.gradients(x, y));
      if (layers.startsWith('conv 3 3x3 pad 1 linear, bn') && p.name === 'conv.0.b') {
        // A bias right before batch norm has no effect on the output: both gradients are zero.
        assert.ok(numeric.every((v) => Math.abs(v) < 1e-9) && analytic[i]!.every((v) => Math.abs(v) < 1e-9));
        return;
      }
      assertGradClose(analytic[i]!, numeric, `${layers}: ${p.name}`, 1e-5);
    });
  });
}

test('the fused training step equals gradients then an SGD step (every layer kind)', () => {
  const x = be64.fromArray(4, 72, new Rng(3).fillUniform(new Float64Array(4 * 72), -1, 1));
  const y = Int32Array.from([1, 0, 2, 2]);
  for (const layers of NETS) {
    const a = Mlp.create(be64, spec(layers), new Rng(1).fork('init'));
    const b = Mlp.create(be64, spec(layers), new Rng(1).fork('init'));
    const cfg = { lr: 0.1, momentum: 0.5, lrDecay: 0, l1: 0.001, l2: 0.01 };
    const optA = new Sgd(be64, a.parameters(), cfg), optB = new Sgd(be64, b.parameters(), cfg);
    for (let s = 0; s < 3; s++) {
      a.trainStep(x, y, optA);
      b.gradients(x, y);
      optB.step();
    }
    const fa = a.getFlat(), fb = b.getFlat();
    for (let i = 0; i < fa.length; i++) assert.ok(Math.abs(fa[i]! - fb[i]!) < 1e-12, `${layers}: param ${i}: ${fa[i]} vs ${fb[i]}`);
    assert.deepEqual(a.buffers().map((t) => t.name), b.buffers().map((t) => t.name));
  }
});

test('snapshot and restore carry batch norm running statistics; names are stable', () => {
  const m = Mlp.create(be64, spec(NETS[0]!), new Rng(1).fork('init'));
  assert.deepEqual(m.parameters().map((p) => p.name), ['conv.0.W', 'conv.0.b', 'norm.0.gamma', 'norm.0.beta', 'hidden.0.W', 'hidden.0.b', 'norm.1.gamma', 'norm.1.beta', 'output.W', 'output.b']);
  assert.deepEqual(m.buffers().map((b) => b.name), ['norm.0.runningMean', 'norm.0.runningVar']);
  const snap = m.snapshot();
  const x = be64.fromArray(2, 72, new Rng(4).fillUniform(new Float64Array(144)));
  m.gradients(x, Int32Array.from([0, 1]));
  const moved = Float64Array.from(m.buffers()[0]!.value.data);
  assert.ok(moved.some((v) => v !== 0), 'a training forward moves the running mean');
  m.restore(snap);
  assert.ok(m.buffers()[0]!.value.data.every((v) => v === 0));
});
