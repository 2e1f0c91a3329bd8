import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineExperiment, resolveExperiment, ExperimentError } from '../../src/experiments/define.ts';
import { expandExperiment, hasSelectionPhase, nuisanceOf, product, settingKey, settingLabel, variedNuisanceKeys, type Setting } from '../../src/experiments/expand.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';
import { protocolSummary } from '../../src/report/protocol-section.ts';

const base: ExperimentInput = {
  id: 'labelled',
  paper: 'issue 15',
  description: 'a toy study with a labelled factor',
  data: { name: 'mnist', trainSize: 100 },
  model: { hidden: 5 },
  finetune: { epochs: 2, batchSize: 10 },
  scientific: {
    arm: {
      paper: { model: { activation: 'sigmoid', init: 'uniform-fanin' } },
      'relu+bn+adam': { model: { activation: 'relu', init: 'he', norm: 'batch' }, finetune: { optimizer: 'adam' }, nuisance: { lr: [0.003, 0.001] } },
    },
    pretrain: ['none', 'sdae'],
  },
  nuisance: { lr: [0.2, 0.1, 0.05], pretrainLr: [0.01] },
  seeds: 2,
  protocol: { selectionSeeds: 1 },
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

/** Every cell chooses its first setting (for expanding the evaluation phase). */
function firstChoice(r: ReturnType<typeof resolveExperiment>): Map<string, Setting> {
  return new Map(product(r.scientific).map((c) => [settingKey(c), product(nuisanceOf(r, c))[0]!]));
}

test('a labelled factor gives one cell per label, and the cell holds the label', () => {
  const r = resolveExperiment(defineExperiment(base), {});
  assert.deepEqual(r.scientific.map((f) => f.key), ['arm', 'pretrain.kind']);
  assert.deepEqual(product(r.scientific).map(settingLabel), ['arm=paper pretrain=none', 'arm=paper pretrain=sdae', 'arm=relu+bn+adam pretrain=none', 'arm=relu+bn+adam pretrain=sdae']);
});

test("a level's keys reach every section it names, the sections' other keys kept", () => {
  const trials = expandExperiment(resolveExperiment(defineExperiment(base), {}));
  const t = trials.find((x) => x.cell['arm'] === 'relu+bn+adam')!;
  assert.equal(t.config.model.activation, 'relu');
  assert.equal(t.config.model.norm, 'batch');
  assert.equal(t.config.model.hidden, 5, 'model.hidden from the shared config');
  assert.equal(t.config.finetune.optimizer, 'adam');
  assert.equal(t.config.finetune.epochs, 2, 'finetune.epochs from the shared config');
  const p = trials.find((x) => x.cell['arm'] === 'paper')!;
  assert.equal(p.config.finetune.optimizer, 'sgd');
  assert.equal(p.config.model.norm, 'none');
});

test('a trial of a labelled level has the config and hash of the same keys set one by one', () => {
  const labelled = expandExperiment(resolveExperiment(defineExperiment(base), {}), firstChoice(resolveExperiment(defineExperiment(base), {})));
  const byHand: ExperimentInput = {
    ...base,
    id: 'by-hand',
    model: { hidden: 5, activation: 'relu', init: 'he', norm: 'batch' },
    finetune: { epochs: 2, batchSize: 10, optimizer: 'adam' },
    scientific: { pretrain: ['none', 'sdae'] },
    nuisance: { lr: [0.003, 0.001], pretrainLr: [0.01] },
  };
  const r = resolveExperiment(defineExperiment(byHand), {});
  const separate = expandExperiment(r, firstChoice(r));
  const mine = labelled.filter((t) => t.cell['arm'] === 'relu+bn+adam');
  assert.equal(mine.length, separate.length);
  assert.deepEqual(mine.map((t) => t.hash), separate.map((t) => t.hash));
  assert.deepEqual(mine.map((t) => t.config), separate.map((t) => t.config));
});

test("a level's nuisance grids replace the study's for its cells only; the other grids stay", () => {
  const r = resolveExperiment(defineExperiment(base), {});
  const cells = product(r.scientific);
  assert.deepEqual(nuisanceOf(r, cells[0]!).map((f) => [f.key, f.values]), [['finetune.lr', [0.2, 0.1, 0.05]], ['pretrain.lr', [0.01]]]);
  assert.deepEqual(nuisanceOf(r, cells[2]!).map((f) => [f.key, f.values]), [['finetune.lr', [0.003, 0.001]], ['pretrain.lr', [0.01]]]);
  const sel = expandExperiment(r).filter((t) => t.phase === 'selection');
  assert.deepEqual([...new Set(sel.filter((t) => t.cell['arm'] === 'paper').map((t) => t.config.finetune.lr))], [0.2, 0.1, 0.05]);
  assert.deepEqual([...new Set(sel.filter((t) => t.cell['arm'] === 'relu+bn+adam').map((t) => t.config.finetune.lr))], [0.003, 0.001]);
  assert.equal(sel.length, 2 * 3 + 2 * 2, '2 cells x 3 rates + 2 cells x 2 rates, 1 selection seed');
  assert.deepEqual(variedNuisanceKeys(r), ['finetune.lr']);
  assert.match(protocolSummary(r, []).lines[0]!, /lr \(2 to 3 settings\)/);
});

test('a level may add a nuisance key the study does not have, and a study whose only grid is a level\'s has a selection phase', () => {
  const input: ExperimentInput = {
    ...base,
    scientific: { arm: { a: { model: { activation: 'relu' } }, b: { model: { activation: 'tanh' }, nuisance: { 'finetune.momentum': [0, 0.9] } } } },
    nuisance: { lr: [0.1] },
  };
  const r = resolveExperiment(defineExperiment(input), {});
  assert.equal(hasSelectionPhase(r), true);
  assert.deepEqual(nuisanceOf(r, { arm: 'b' }).map((f) => f.key), ['finetune.lr', 'finetune.momentum']);
  const sel = expandExperiment(r).filter((t) => t.cell['arm'] === 'b');
  assert.deepEqual(sel.map((t) => t.config.finetune.momentum), [0, 0.9]);
});

test('a preset or a flag gives a list of labels: those levels, in that order; an unknown label is refused naming the levels', () => {
  const exp = defineExperiment({ ...base, presets: { quick: { scientific: { arm: ['relu+bn+adam'] } } } });
  const q = resolveExperiment(exp, { preset: 'quick' });
  assert.deepEqual(q.scientific[0]!.values, ['relu+bn+adam']);
  assert.deepEqual(nuisanceOf(q, { arm: 'relu+bn+adam' })[0]!.values, [0.003, 0.001], 'the level keeps its grids');
  assert.deepEqual(resolveExperiment(exp, { overrides: { arm: 'paper' } }).scientific[0]!.values, ['paper']);
  assert.deepEqual(resolveExperiment(exp, { overrides: { arm: ['relu+bn+adam', 'paper'] } }).scientific[0]!.values, ['relu+bn+adam', 'paper']);
  assert.throws(() => resolveExperiment(exp, { overrides: { arm: ['papr'] } }), /"papr" is not a level of 'arm'; its levels are "paper", "relu\+bn\+adam"/);
  rejects({ ...base, presets: { quick: { scientific: { arm: ['nope'] } } } }, 'presets.quick.scientific.arm', '"nope" is not a level');
});

test('a preset may redefine the levels as an object', () => {
  const exp = defineExperiment({ ...base, presets: { quick: { scientific: { arm: { tanh: { model: { activation: 'tanh' } } } } } } });
  const q = resolveExperiment(exp, { preset: 'quick' });
  assert.deepEqual(q.scientific[0]!.values, ['tanh']);
  assert.equal(expandExperiment(q)[0]!.config.model.activation, 'tanh');
});

test('a labelled factor is refused when named by a config key, when a level is not an object of config sections, or sets a bad value', () => {
  rejects({ ...base, scientific: { model: { a: { model: { depth: 1 } } } } }, "scientific.model: 'model' is a config key", "named apart from the config keys, e.g. 'arm'");
  rejects({ ...base, scientific: { depth: { a: { model: { depth: 1 } } } } }, "'depth' is a config key");
  rejects({ ...base, scientific: { arm: { a: 3 } } }, "scientific.arm['a']: 3 is not a level");
  rejects({ ...base, scientific: { arm: { a: { modle: { depth: 1 } } } } }, "scientific.arm['a']: 'modle' is not a config section");
  rejects({ ...base, scientific: { arm: { a: { model: { depth: 0 } } } } }, "scientific.arm['a']: model.depth");
  rejects({ ...base, scientific: { arm: { a: { model: { dpeth: 1 } } } } }, "scientific.arm['a']", 'dpeth');
  rejects({ ...base, scientific: { arm: { a: {} } } }, 'sets no config section');
  rejects({ ...base, scientific: { arm: { 1: { model: { depth: 1 } } } } }, 'a label that is a whole number');
  rejects({ ...base, scientific: { arm: { a: { model: { depth: 1 }, nuisance: { lr: [] } } } } }, "scientific.arm['a'].nuisance: give grids");
  rejects({ ...base, scientific: { arm: { a: { model: { depth: 1 }, nuisance: { lrr: [0.1] } } } } }, "scientific.arm['a'].nuisance.lrr: unknown key");
  rejects({ ...base, scientific: { arm: {} } }, 'grid is empty');
});

test('a key set by a level and by another factor, or by a level and its own nuisance grid, is refused naming both', () => {
  rejects({ ...base, scientific: { arm: { a: { model: { depth: 2 } } }, depth: [1, 2] } }, "'model.depth' is set by two factors, 'arm' and 'model.depth'");
  rejects({ ...base, scientific: { arm: { a: { finetune: { lr: 0.1 } } } } }, "'finetune.lr' is set by two factors, 'arm' and 'finetune.lr'");
  rejects({ ...base, nuisance: {}, scientific: { arm: { a: { finetune: { lr: 0.1 }, nuisance: { lr: [0.1, 0.2] } } } } }, "'finetune.lr' is set by the nuisance grid of arm='a' and by that level itself");
  rejects({ ...base, nuisance: {}, scientific: { arm: { a: { model: { depth: 1 }, nuisance: { hidden: [3, 4] } } }, hidden: [5, 6] } }, "'model.hidden' is set by the nuisance grid of arm='a' and by the factor 'model.hidden'");
});

test('labels of two labelled factors and their levels combine like any factors', () => {
  const input: ExperimentInput = {
    ...base,
    scientific: { arm: { a: { model: { activation: 'relu' } }, b: { model: { activation: 'tanh' } } }, regime: { few: { data: { labeled: 0.1 } }, all: { data: { labeled: 1 } } } },
    nuisance: { lr: [0.1] },
  };
  const trials = expandExperiment(resolveExperiment(defineExperiment(input), {}));
  assert.deepEqual(trials.filter((t) => t.seed === 1).map((t) => [settingLabel(t.cell), t.config.model.activation, t.config.data.labeled]), [
    ['arm=a regime=few', 'relu', 0.1],
    ['arm=a regime=all', 'relu', 1],
    ['arm=b regime=few', 'tanh', 0.1],
    ['arm=b regime=all', 'tanh', 1],
  ]);
});

test('a labelled factor can be the comparison factor, its baseline one of its labels', () => {
  const r = resolveExperiment(defineExperiment({ ...base, compare: { factor: 'arm', baseline: 'paper' } }), {});
  assert.deepEqual(r.compare, { factor: 'arm', baseline: 'paper' });
  rejects({ ...base, compare: { factor: 'arm', baseline: 'papr' } }, 'compare.baseline: "papr" is not a level of \'arm\'', '"paper", "relu+bn+adam"');
  // A flag that leaves the baseline out is not an error: there is nothing to compare.
  assert.deepEqual(resolveExperiment(defineExperiment({ ...base, compare: { factor: 'arm', baseline: 'paper' } }), { overrides: { arm: ['relu+bn+adam'] } }).compare, { factor: 'arm', baseline: 'paper' });
});
