import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment, uniqueTrials } from '../../src/experiments/expand.ts';
import { canonicalJson, hashJson, trialHash } from '../../src/experiments/hash.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';

const input: ExperimentInput = {
  id: 'toy',
  paper: 'p',
  description: 'd',
  scientific: { depth: [1, 2], pretrain: ['none', 'sdae'] },
  nuisance: { lr: [0.1, 0.05], pretrainLr: [0.01, 0.001] },
  seeds: 3,
  // Every setting on every seed (the fresh-seeds expansion is tested in protocol.test.ts).
  protocol: { selection: 'same-seeds' },
};
const expand = (i: ExperimentInput, overrides = {}) => expandExperiment(resolveExperiment(defineExperiment(i), { overrides }));

test('canonicalJson sorts keys at every level, so key order never changes a hash', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 1 }], c: 'x' } }), '{"a":{"c":"x","d":[1,{"y":1,"z":0}]},"b":1}');
  assert.equal(hashJson({ a: 1, b: 2 }), hashJson({ b: 2, a: 1 }));
  assert.notEqual(hashJson({ a: 1 }), hashJson({ a: 2 }));
});

test('expansion is cells x nuisance settings x seeds, in a fixed order', () => {
  const t = expand(input);
  assert.equal(t.length, 2 * 2 * 4 * 3);
  assert.deepEqual(t[0]!.cell, { 'model.depth': 1, 'pretrain.kind': 'none' });
  assert.deepEqual(t[0]!.nuisance, { 'finetune.lr': 0.1, 'pretrain.lr': 0.01 });
  assert.deepEqual(t.slice(0, 3).map((x) => x.seed), [1, 2, 3]);
  assert.equal(t[5]!.config.pretrain.lr, 0.001);
  assert.equal(t.at(-1)!.config.model.depth, 2);
});

test('the same experiment expands to the same trials and hashes', () => {
  const a = expand(input), b = expand(structuredClone(input));
  assert.deepEqual(a.map((t) => t.hash), b.map((t) => t.hash));
  for (const t of a) assert.equal(t.hash, trialHash(t.config));
});

test('changing one nuisance value changes exactly the hashes of the trials that use it', () => {
  const a = expand(input);
  const b = expand({ ...input, nuisance: { lr: [0.1, 0.02], pretrainLr: [0.01, 0.001] } });
  for (let i = 0; i < a.length; i++) {
    const affected = a[i]!.config.finetune.lr === 0.05;
    assert.equal(a[i]!.hash !== b[i]!.hash, affected, `trial ${i} (lr ${a[i]!.config.finetune.lr})`);
  }
});

test('without pre-training the pre-training nuisance values do not matter: those trials share a hash and run once', () => {
  const t = expand(input);
  const none = t.filter((x) => x.config.pretrain.kind === 'none');
  const sdae = t.filter((x) => x.config.pretrain.kind === 'sdae');
  assert.equal(new Set(none.map((x) => x.hash)).size, none.length / 2);
  assert.equal(new Set(sdae.map((x) => x.hash)).size, sdae.length);
  assert.equal(uniqueTrials(t).length, none.length / 2 + sdae.length);
});

test('a flag that is not a factor changes every hash; one that narrows a factor keeps the others', () => {
  const a = expand(input);
  const b = expand(input, { 'finetune.epochs': 3 });
  assert.ok(a.every((t, i) => t.hash !== b[i]!.hash));
  const c = expand(input, { depth: 2 });
  assert.deepEqual(new Set(c.map((t) => t.hash)), new Set(a.filter((t) => t.config.model.depth === 2).map((t) => t.hash)));
});

test('every key hashed only when set leaves the hash of a config at its default unchanged, and changes it when set', async () => {
  const { KEYS_HASHED_ONLY_WHEN_SET, hashedConfig, trialHash } = await import('../../src/experiments/hash.ts');
  const { resolveTrialConfig } = await import('../../src/train/config.ts');
  const base = resolveTrialConfig({ seed: 3, data: { name: 'mnist', trainSize: 100 } });
  for (const key of KEYS_HASHED_ONLY_WHEN_SET) {
    const path = key.split('.');
    let v: unknown = hashedConfig(base);
    for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    assert.equal(v, undefined, `${key} at its default is not hashed`);
    assert.equal(trialHash(base), trialHash(resolveTrialConfig(JSON.parse(JSON.stringify(base)))), key);
  }
});
