import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import l1l2 from '../../experiments/l1-l2.ts';
import { resolveExperiment } from '../../src/experiments/define.ts';
import type { Setting } from '../../src/experiments/expand.ts';
import type { CellSummary } from '../../src/experiments/select.ts';
import { penaltyGroups, penaltySection } from '../../src/report/penalty-section.ts';

/** A cell with test errors `values` whose chosen setting scored `valid` on the selection seeds. */
function cell(setting: Setting, values: number[], valid: number): CellSummary {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return {
    cell: setting, label: JSON.stringify(setting), chosen: { 'finetune.lr': 0.1 }, nDiverged: 0, nMissing: 0, records: [],
    selection: 'fresh-seeds', selectionSeeds: [100001, 100002], evaluationSeeds: values.map((_, i) => i + 1),
    candidates: [{ nuisance: { 'finetune.lr': 0.1 }, meanValidError: valid, n: 3, nDiverged: 0, nMissing: 0 }],
    test: { mean: m, std: 0.001, n: values.length, values, seeds: values.map((_, i) => i + 1) }, valid: { mean: 0.5, std: 0 },
  };
}

const exp = resolveExperiment(l1l2, { preset: 'quick' });
const jitter = (e: number): number[] => [e - 0.001, e, e + 0.001, e + 0.0005];
const cells: CellSummary[] = [];
for (const kind of ['none', 'sdae']) for (const l1 of [0, 1e-5, 1e-4]) for (const l2 of [0, 1e-4, 1e-3]) {
  // Without pre-training: 3% unpenalized, 2.6% at l2 = 1e-4 (validation agrees), and l1 = 1e-4 has the lowest
  // test error but not the lowest validation error, so it must not be chosen. Pre-trained: 2%.
  const test = kind === 'sdae' ? 0.02 : l2 === 1e-4 && l1 === 0 ? 0.026 : l1 === 1e-4 && l2 === 0 ? 0.025 : 0.03;
  const valid = kind === 'none' && l2 === 1e-4 && l1 === 0 ? 0.024 : 0.028;
  cells.push(cell({ 'pretrain.kind': kind, 'finetune.l1': l1, 'finetune.l2': l2 }, jitter(test), valid));
}

test('penaltyGroups chooses the best penalty on validation, not on test, and compares it with no penalty and with pre-training', () => {
  const [g, ...more] = penaltyGroups(exp, cells);
  assert.equal(more.length, 0, 'one group: no other factor');
  assert.deepEqual(g!.bestPenalty, { 'finetune.l1': 0, 'finetune.l2': 1e-4 });
  assert.ok(Math.abs(g!.bestVsUnpenalized.difference - -0.004) < 1e-12);
  const [p] = g!.pretrained;
  assert.equal(p!.arm, 'sdae');
  assert.ok(Math.abs(p!.vsUnpenalized.difference - -0.01) < 1e-12);
  assert.ok(Math.abs(p!.vsBest.difference - -0.006) < 1e-12);
  assert.ok(Math.abs(p!.shareOfGain - 0.4) < 1e-9, 'the penalty buys 0.4 of the 1-point gain');
});

test('the penalty section prints the three networks with intervals and names the study of the InfiniteMNIST half (or says it is that study)', () => {
  const doc = parseHTML(`<!DOCTYPE html><html><body>${penaltySection(exp, cells).markup}</body></html>`).document;
  const rows = [...doc.querySelectorAll('table.penalty-table tbody tr')];
  assert.equal(rows.length, 3);
  assert.match(rows[1]!.textContent!, /best penalty on validation \(l1=0 l2=0\.0001\)/);
  assert.match(rows[2]!.textContent!, /40%/);
  assert.equal(rows[2]!.querySelectorAll('td.better').length, 2, 'pre-training is significantly better than both');
  assert.match(doc.querySelector('section')!.textContent!, /InfiniteMNIST[^.]*zero[^]*the l1-l2-online study/);
  const online = parseHTML(`<!DOCTYPE html><html><body>${penaltySection({ ...exp, base: { ...exp.base, online: { examples: 1000 } } }, cells).markup}</body></html>`).document;
  assert.match(online.querySelector('section')!.textContent!, /This study trains online on the stream/);
  assert.match(doc.querySelector('section')!.textContent!, /on the selection seeds, apart from the evaluation seeds/);
});

test('penaltyGroups is empty for a study without a penalty factor', () => {
  assert.deepEqual(penaltyGroups({ ...exp, scientific: exp.scientific.filter((f) => !f.key.startsWith('finetune.')) }, cells), []);
});
