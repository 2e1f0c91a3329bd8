import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineExperiment, resolveExperiment, ExperimentError, type Experiment } from '../../src/experiments/define.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';

const base: ExperimentInput = {
  id: 'toy',
  paper: 'Erhan et al. 2010, Fig. 1',
  description: 'a toy study',
  data: { name: 'mnist', trainSize: 100 },
  model: { hidden: 8 },
  finetune: { epochs: 2 },
  scientific: { depth: [1, 2], pretrain: ['none', 'sdae'] },
  nuisance: { lr: [0.1, 0.05] },
  seeds: 3,
  presets: { quick: { data: { trainSize: 50 }, seeds: 2 }, full: { scientific: { depth: [1, 2, 3] } } },
};

function rejects(input: unknown, ...fragments: string[]): void {
  assert.throws(
    () => defineExperiment(input as ExperimentInput),
    (e: Error) => {
      assert.ok(e instanceof ExperimentError, `expected ExperimentError, got ${e.name}: ${e.message}`);
      for (const f of fragments) assert.ok(e.message.includes(f), `message should name '${f}':\n${e.message}`);
      return true;
    },
  );
}

test('defineExperiment accepts a well-formed experiment and canonicalises aliases to dotted keys', () => {
  const exp = defineExperiment(base);
  const r = resolveExperiment(exp, {});
  assert.deepEqual(r.scientific.map((f) => f.key), ['model.depth', 'pretrain.kind']);
  assert.deepEqual(r.nuisance.map((f) => f.key), ['finetune.lr']);
  assert.deepEqual(r.seeds, [1, 2, 3]);
  assert.deepEqual(r.compare, { factor: 'pretrain.kind', baseline: 'none' });
});

test('an unknown top-level key is rejected naming the key', () => {
  rejects({ ...base, sceintific: {} }, 'sceintific');
});

test('an unknown key inside a config section is rejected with its full path', () => {
  rejects({ ...base, model: { hiden: 8 } }, 'model', 'hiden');
  rejects({ ...base, finetune: { lrr: 0.1 } }, 'finetune', 'lrr');
  rejects({ ...base, presets: { quick: { pretrain: { epochz: 3 } } } }, 'presets.quick.pretrain', 'epochz');
});

test("config sections have the trial config's shape: a `training` wrapper around pretrain/finetune is an unknown key", () => {
  rejects({ ...base, training: { finetune: { epochs: 2 } } }, 'training');
});

test('a wrong type is rejected naming the key path', () => {
  rejects({ ...base, data: { trainSize: 'many' } }, 'data.trainSize');
  rejects({ ...base, seeds: 'three' }, 'seeds');
  rejects({ ...base, scientific: { depth: [1, 'deep'] } }, 'scientific.depth[1]', 'model.depth');
});

test('an empty grid is rejected naming the factor', () => {
  rejects({ ...base, nuisance: { lr: [] } }, 'nuisance.lr', 'empty');
  rejects({ ...base, scientific: {} }, 'scientific', 'at least one');
});

test('an unknown factor key is rejected suggesting the closest valid key', () => {
  rejects({ ...base, nuisance: { 'finetune.lrr': [0.1] } }, 'nuisance.finetune.lrr', "did you mean 'finetune.lr'");
});

test('a key used both as a factor and a nuisance is rejected', () => {
  rejects({ ...base, nuisance: { 'model.depth': [1] } }, 'nuisance.model.depth', 'already a factor');
});

test('a bad preset fails when the experiment is defined, naming the preset path', () => {
  rejects({ ...base, presets: { quick: { model: { depth: -1 } } } }, 'presets.quick.model.depth');
});

test('config layers apply in order: file, then preset, then --key=value flags', () => {
  const exp: Experiment = defineExperiment(base);
  const q = resolveExperiment(exp, { preset: 'quick' });
  assert.equal((q.base.data as { trainSize: number }).trainSize, 50);
  assert.deepEqual(q.seeds, [1, 2]);
  const f = resolveExperiment(exp, { preset: 'quick', overrides: { 'data.trainSize': 20, depth: [2], 'finetune.epochs': 7 }, seeds: 4 });
  assert.equal((f.base.data as { trainSize: number }).trainSize, 20);
  assert.equal((f.base.finetune as { epochs: number }).epochs, 7);
  assert.deepEqual(f.scientific.find((x) => x.key === 'model.depth')!.values, [2]);
  assert.deepEqual(f.seeds, [1, 2, 3, 4]);
  const full = resolveExperiment(exp, { preset: 'full' });
  assert.deepEqual(full.scientific.find((x) => x.key === 'model.depth')!.values, [1, 2, 3]);
});

test('an unknown flag key is an error naming the key and the closest valid one', () => {
  const exp = defineExperiment(base);
  assert.throws(() => resolveExperiment(exp, { overrides: { 'modle.depth': 2 } }), /modle\.depth.*did you mean 'model\.depth'/s);
  assert.throws(() => resolveExperiment(exp, { overrides: { 'finetune.epochs': 'ten' } }), /--finetune\.epochs/);
  assert.throws(() => resolveExperiment(exp, { preset: 'huge' }), /no preset 'huge'.*quick, full/);
});
