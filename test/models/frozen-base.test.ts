/**
 * The transfer modes at the model level (`Mlp.freeze`, `frozenBodyLayers`): which layers form the
 * frozen base, that a training step leaves its params and statistics bit-identical and computes no
 * gradient through it, that dropout inside it is off, and that the fused step over the trainable
 * params equals gradients-then-step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { Mlp, type MlpSpec } from '../../src/models/mlp.ts';
import { parseLayerSpec } from '../../src/models/layer-spec.ts';
import { frozenBodyLayers } from '../../src/models/frozen-base.ts';
import { Sgd } from '../../src/nn/sgd.ts';
import { Adam } from '../../src/nn/adam.ts';
import type { Layer } from '../../src/nn/layer.ts';

const be = createReferenceBackend('float64');
const LAYERS = 'dropout 0.2, conv 3 3x3 pad 1 linear, bn, relu, maxpool 2, conv 4 3x3, dropout 0.5, dense 5, bn, dense 4';
// body index:    0            1                       2   3     4          5           6            7        8   9
const spec = (layers = LAYERS): MlpSpec => ({
  nIn: 6 * 6 * 2,
  hidden: [],
  nClasses: 3,
  activation: 'tanh',
  init: 'glorot',
  layers: parseLayerSpec(layers, 'tanh'),
  image: { height: 6, width: 6, channels: 2 },
});
const batch = (seed: number): { x: ReturnType<typeof be.fromArray>; y: Int32Array } => ({
  x: be.fromArray(4, 72, new Rng(seed).fillUniform(new Float64Array(4 * 72), -1, 1)),
  y: Int32Array.from([0, 2, 1, seed % 3]),
});
const copies = (m: Mlp): Float64Array[] => m.tensors().map((t) => Float64Array.from(t.value.data));

test('frozenBodyLayers: k = 0 freezes the whole body, k = T (or null) nothing, k in between everything below the (T-k+1)-th weight layer', () => {
  const body = Mlp.create(be, spec(), new Rng(1).fork('init')).body; // weight layers at 1, 5, 7, 9 (T = 4)
  assert.equal(frozenBodyLayers(body, null), 0);
  assert.equal(frozenBodyLayers(body, 0), body.length);
  assert.equal(frozenBodyLayers(body, 1), 9, 'the top dense layer trains; its bn below stays in the base');
  assert.equal(frozenBodyLayers(body, 2), 7);
  assert.equal(frozenBodyLayers(body, 3), 5, 'the first conv, its bn, relu and pool are the base');
  assert.equal(frozenBodyLayers(body, 4), 0, 'k = T is every layer, input dropout included (as null)');
  assert.throws(() => frozenBodyLayers(body, 5), /trainTop is 5 but the network has 4 dense and conv layers; allowed: 0\.\.4 or null/);
  assert.throws(() => frozenBodyLayers(body, 1.5), /allowed: 0\.\.4/);
});

for (const k of [0, 1, 2, 3]) {
  test(`freeze(${k}): training steps leave the base's params and batch-norm statistics bit-identical and move every trainable param`, () => {
    const m = Mlp.create(be, spec(), new Rng(1).fork('init'));
    m.freeze(k);
    const base = m.frozenLayers;
    const before = copies(m);
    const trainable = new Set(m.trainableParameters().map((p) => p.name));
    const opt = new Sgd(be, m.trainableParameters(), { lr: 0.1, momentum: 0.5, lrDecay: 0, l1: 0.001, l2: 0.01 });
    for (let s = 0; s < 3; s++) {
      const { x, y } = batch(s);
      m.trainStep(x, y, opt);
    }
    const after = copies(m);
    m.tensors().forEach((t, i) => {
      const same = after[i]!.every((v, j) => v === before[i]![j]);
      if (trainable.has(t.name)) assert.ok(!same, `${t.name} (trainable) moved`);
      else if (isBelow(m, t.name, base)) assert.ok(same, `${t.name} (frozen) is bit-identical`);
      else assert.match(t.name, /^norm\.\d+\.running/, 'only the statistics of a batch norm above the base are neither');
    });
    const expected = m.parameters().filter((p) => isBelow(m, p.name, base)).length;
    assert.equal(m.parameters().length - m.trainableParameters().length, expected, 'trainableParameters() is every param above the base');
  });
}

/** True when the param or buffer `name` belongs to one of the bottom `base` body layers. */
function isBelow(m: Mlp, name: string, base: number): boolean {
  return m.body.slice(0, base).some((l) => [...l.params(), ...(l.buffers?.() ?? [])].some((p) => m.tensors().find((t) => t.value === p.value)?.name === name));
}

test('a frozen base computes no gradient: backward is never called below the lowest trainable layer, and its grad buffers are left untouched', () => {
  const m = Mlp.create(be, spec(), new Rng(2).fork('init'));
  m.freeze(2); // base: body layers 0..6
  const calls = m.body.map(() => 0);
  m.body.forEach((l: Layer, i) => {
    const orig = l.backward.bind(l);
    l.backward = (dy, need) => (calls[i]!++, orig(dy, need));
  });
  for (const p of m.parameters().slice(0, m.parameters().length - m.trainableParameters().length)) p.grad.data.fill(Number.NaN);
  const { x, y } = batch(1);
  m.gradients(x, y);
  const opt = new Sgd(be, m.trainableParameters(), { lr: 0.1, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
  m.trainStep(x, y, opt);
  assert.deepEqual(calls.slice(0, 7), [0, 0, 0, 0, 0, 0, 0], 'no backward through the base');
  assert.ok(calls[9]! >= 1 && calls[8]! >= 1, 'the trainable layers ran backward');
  for (const p of m.parameters().slice(0, m.parameters().length - m.trainableParameters().length)) assert.ok(p.grad.data.every(Number.isNaN), `${p.name}: grad not written`);
});

test('dropout inside the frozen base is off: a frozen-base training forward equals the evaluation forward of the base', () => {
  const m = Mlp.create(be, spec('dropout 0.5, dense 6, dropout 0.5, dense 5'), new Rng(3).fork('init'));
  const { x } = batch(2);
  m.freeze(0);
  const trained = Float64Array.from(m.forward(x, true).data);
  const evaluated = Float64Array.from(m.forward(x, false).data);
  assert.deepEqual(trained, evaluated, 'trainTop 0: the whole body in evaluation mode');
  m.freeze(null);
  const noisy = Float64Array.from(m.forward(x, true).data);
  assert.notDeepEqual(noisy, evaluated, 'unfrozen, dropout is on in training');
});

test('with a frozen base, the fused step over trainableParameters() equals gradients() then step() (SGD with momentum and penalties, Adam)', () => {
  for (const make of [
    (m: Mlp) => new Sgd(be, m.trainableParameters(), { lr: 0.1, momentum: 0.5, lrDecay: 0, l1: 0.001, l2: 0.01 }),
    (m: Mlp) => new Adam(be, m.trainableParameters(), { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, l1: 0, l2: 0.001, weightDecay: 0 }),
  ]) {
    for (const k of [0, 1, 3]) {
      const layers = 'conv 3 3x3 pad 1 linear, gn 3, relu, maxpool 2, conv 4 3x3, dense 5, dense 4';
      const a = Mlp.create(be, spec(layers), new Rng(1).fork('init')), b = Mlp.create(be, spec(layers), new Rng(1).fork('init'));
      a.freeze(k);
      b.freeze(k);
      const optA = make(a), optB = make(b);
      for (let s = 0; s < 3; s++) {
        const { x, y } = batch(s);
        const la = a.trainStep(x, y, optA);
        const lb = b.gradients(x, y);
        optB.step();
        assert.ok(Math.abs(la - lb) < 1e-12, `k=${k} step ${s}: loss ${la} vs ${lb}`);
      }
      const fa = a.getFlat(), fb = b.getFlat();
      assert.ok(fa.every((v, i) => Math.abs(v - fb[i]!) < 1e-12), `k=${k}: the same params`);
    }
  }
});

test('an optimiser that holds a frozen param is refused by trainStep (its stale gradient would move the base)', () => {
  const m = Mlp.create(be, spec(), new Rng(4).fork('init'));
  m.freeze(1);
  const opt = new Sgd(be, m.parameters(), { lr: 0.1, momentum: 0, lrDecay: 0, l1: 0, l2: 0 });
  const { x, y } = batch(0);
  assert.throws(() => m.trainStep(x, y, opt), /optimiser updates conv\.0\.W, a param of the frozen base \(9 body layers\); build it over trainableParameters\(\)/);
});

test('freeze(null) and freeze(T) leave the fused step exactly as an unfrozen network (the same numbers)', () => {
  const nets = [Mlp.create(be, spec(), new Rng(5).fork('init')), Mlp.create(be, spec(), new Rng(5).fork('init')), Mlp.create(be, spec(), new Rng(5).fork('init'))];
  nets[1]!.freeze(null);
  nets[2]!.freeze(4);
  const opts = nets.map((m) => new Sgd(be, m.trainableParameters(), { lr: 0.1, momentum: 0.5, lrDecay: 0, l1: 0, l2: 0.01 }));
  for (let s = 0; s < 3; s++) {
    const { x, y } = batch(s);
    const losses = nets.map((m, i) => m.trainStep(x, y, opts[i]!));
    assert.equal(losses[1], losses[0]);
    assert.equal(losses[2], losses[0]);
  }
  assert.deepEqual(nets[1]!.getFlat(), nets[0]!.getFlat());
  assert.deepEqual(nets[2]!.getFlat(), nets[0]!.getFlat());
});
