import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineExperiment, resolveExperiment, ExperimentError } from '../../src/experiments/define.ts';
import { expandExperiment, product, settingKey, settingLabel, type Setting } from '../../src/experiments/expand.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';

const base: ExperimentInput = {
  id: 'coupled',
  paper: 'Erhan et al. 2010, Fig. 11',
  description: 'a toy study with coupled factors',
  data: { name: 'mnist', trainSize: 100 },
  model: { activation: 'tanh', hidden: 5 },
  finetune: { epochs: 2 },
  scientific: { model: [{ depth: 1, hidden: 20 }, { depth: 3, hidden: 10 }], pretrain: ['none', 'sdae'] },
  seeds: 2,
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

test('a coupled factor gives one cell per level, not the product of its keys', () => {
  const r = resolveExperiment(defineExperiment(base), {});
  assert.deepEqual(r.scientific.map((f) => f.key), ['model', 'pretrain.kind']);
  const trials = expandExperiment(r);
  assert.equal(trials.length, 2 * 2 * 2);
  assert.deepEqual(
    trials.filter((t) => t.seed === 1).map((t) => [t.config.model.depth, t.config.model.hidden, t.config.pretrain.kind]),
    [[1, 20, 'none'], [1, 20, 'sdae'], [3, 10, 'none'], [3, 10, 'sdae']],
  );
});

test("a coupled level is merged into the section: the section's other keys are kept", () => {
  const t = expandExperiment(resolveExperiment(defineExperiment(base), {}))[0]!;
  assert.equal(t.config.model.activation, 'tanh');
});

test('a trial of a coupled level has the config and hash of the same keys set one by one', () => {
  const coupled = expandExperiment(resolveExperiment(defineExperiment(base), {}));
  const separate = expandExperiment(resolveExperiment(defineExperiment({ ...base, id: 'separate', model: { activation: 'tanh', hidden: 10 }, scientific: { depth: [3], pretrain: ['none', 'sdae'] } }), {}));
  const deep = coupled.filter((t) => t.config.model.depth === 3);
  assert.deepEqual(deep.map((t) => t.hash), separate.map((t) => t.hash));
  assert.deepEqual(deep.map((t) => t.config), separate.map((t) => t.config));
});

test("a coupled level's label names its keys like separate factors", () => {
  const r = resolveExperiment(defineExperiment(base), {});
  assert.deepEqual(product(r.scientific).map(settingLabel), ['depth=1 hidden=20 pretrain=none', 'depth=1 hidden=20 pretrain=sdae', 'depth=3 hidden=10 pretrain=none', 'depth=3 hidden=10 pretrain=sdae']);
});

test('a coupled level that is not an object of the section, or names an unknown key, is rejected naming the level', () => {
  rejects({ ...base, scientific: { model: [{ depth: 1 }, 3] } }, 'scientific.model[1]', 'coupled factor', 'object');
  rejects({ ...base, scientific: { model: [{ depth: 1, hiden: 20 }] } }, 'scientific.model[0]', 'hiden');
  rejects({ ...base, scientific: { model: [{ depth: 0 }] } }, 'scientific.model[0]', 'model.depth');
});

test('a key set by a coupled level and by another factor is rejected naming both', () => {
  rejects({ ...base, scientific: { model: [{ depth: 1, hidden: 20 }], depth: [1, 2] } }, "'model.depth' is set by two factors, 'model' and 'model.depth'");
  rejects({ ...base, scientific: { model: [{ depth: 1 }, { depth: 2, hidden: 9 }] }, nuisance: { hidden: [10, 20] } }, "'model.hidden' is set by two factors");
  assert.doesNotThrow(() => defineExperiment({ ...base, scientific: { model: [{ depth: 1 }, { depth: 2 }] }, nuisance: { hidden: [10, 20] } }), 'levels that leave a key alone do not claim it');
});

test('a preset or a flag replaces the levels of a coupled factor as of any other', () => {
  const exp = defineExperiment({ ...base, presets: { quick: { scientific: { model: [{ depth: 1, hidden: 4 }] } } } });
  assert.deepEqual(resolveExperiment(exp, { preset: 'quick' }).scientific[0]!.values, [{ depth: 1, hidden: 4 }]);
  const flagged = resolveExperiment(exp, { overrides: { model: [{ depth: 2, hidden: 7 }, { depth: 4, hidden: 3 }] } });
  assert.deepEqual(flagged.scientific[0]!.values, [{ depth: 2, hidden: 7 }, { depth: 4, hidden: 3 }]);
});

const online: ExperimentInput = {
  id: 'online-toy',
  paper: 'Erhan et al. 2010, Fig. 13',
  description: 'an online study',
  data: { name: 'infinite-mnist', testSize: 100 },
  model: { hidden: 8 },
  online: { examples: 1000, blockSize: 100, trainErrorBlocks: 5, saveTestOutputs: true, resample: { blocks: 10, block: -1, draw: 0 } },
  scientific: { pretrain: ['none', 'dbn'], 'online.resample.block': [0, 1], 'online.resample.draw': [1, 2] },
  nuisance: { lr: [0.1, 0.05] },
  protocol: { selectionSeeds: 1 },
  seeds: 1,
  presets: { quick: { online: { examples: 500, blockSize: 50 } } },
};

test('the online section passes into every trial, the preset merged over the file, and grids may vary its keys', () => {
  const r = resolveExperiment(defineExperiment(online), { preset: 'quick' });
  const chosen = new Map<string, Setting>(product(r.scientific).map((c) => [settingKey(c), { 'finetune.lr': 0.1 }]));
  const t = expandExperiment(r, chosen).find((x) => x.phase === 'evaluation' && x.cell['online.resample.block'] === 1 && x.cell['online.resample.draw'] === 2)!;
  assert.deepEqual(t.config.online?.resample, { blocks: 10, block: 1, draw: 2 });
  assert.equal(t.config.online?.examples, 500);
  assert.equal(t.config.online?.blockSize, 50);
  assert.equal(t.config.online?.trainErrorBlocks, 5);
});

test('selection trials of an online study skip the figure-only passes (train error by block, saved test outputs); evaluation trials keep them', () => {
  const r = resolveExperiment(defineExperiment(online), {});
  const chosen = new Map<string, Setting>(product(r.scientific).map((c) => [settingKey(c), { 'finetune.lr': 0.1 }]));
  const trials = expandExperiment(r, chosen);
  const sel = trials.filter((t) => t.phase === 'selection'), ev = trials.filter((t) => t.phase === 'evaluation');
  assert.ok(sel.length > 0 && ev.length > 0);
  assert.ok(sel.every((t) => t.config.online?.trainErrorBlocks === 0 && t.config.online.saveTestOutputs === false));
  assert.ok(ev.every((t) => t.config.online?.trainErrorBlocks === 5 && t.config.online.saveTestOutputs === true));
});

test('an online section missing a required key (online.resample without blocks) is rejected on the whole config, naming the key', () => {
  rejects({ ...online, online: { ...(online.online as object), resample: { block: 1, draw: 1 } }, presets: {} }, 'online.resample.blocks');
});

test('an online key of the wrong type is rejected naming its path, in the file and in a preset', () => {
  rejects({ ...online, online: { ...(online.online as object), blockSize: 'big' } }, 'online.blockSize');
  rejects({ ...online, presets: { quick: { online: { window: -1 } } } }, 'presets.quick.online.window');
});

test("'pretrain' with object levels is the pretrain section as a coupled factor (a source task at its level only); with strings it stays pretrain.kind", () => {
  const source = { name: 'mnist', labels: [0, 1, 2, 3, 4], trainSize: 50 };
  const r = resolveExperiment(defineExperiment({ ...base, data: { ...base.data, labels: [5, 6, 7, 8, 9] }, scientific: { pretrain: [{ kind: 'none' }, { kind: 'sdae', lr: 0.01 }, { kind: 'supervised', source, lr: 0.001 }] } }), {});
  assert.deepEqual(r.scientific.map((f) => f.key), ['pretrain']);
  const configs = expandExperiment(r).filter((t) => t.seed === 1).map((t) => t.config.pretrain);
  assert.deepEqual(configs.map((p) => [p.kind, p.lr, p.source?.name ?? null]), [['none', 0.001, null], ['sdae', 0.01, null], ['supervised', 0.001, 'mnist']]);
  assert.deepEqual(product(r.scientific).map(settingLabel).slice(0, 2), ['pretrain=none', 'pretrain=sdae pretrainLr=0.01']);
  assert.deepEqual(resolveExperiment(defineExperiment(base), {}).scientific.map((f) => f.key), ['model', 'pretrain.kind'], 'string levels: the alias');
  rejects({ ...base, scientific: { pretrain: [{ kind: 'sdae' }, 'none'] } }, 'scientific.pretrain[0]', 'is not a valid pretrain.kind'); // mixed levels: the alias
});
