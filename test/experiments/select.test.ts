import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCells, selectModels, type SelectableTrial } from '../../src/experiments/select.ts';
import { RECORD_FORMAT, type TrialRecord } from '../../src/experiments/store.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';
import { mean, std, welchTTest } from '../../src/stats/index.ts';
import { createReferenceBackend } from '../../src/backends/index.ts';

// Cells: pretrain none / sdae; nuisance lr 0.1 / 0.01; 3 seeds. Valid errors make lr=0.01 best for
// `none` and lr=0.1 best for `sdae`; test errors rank the settings the other way round in both
// cells, so selecting on test error (the leak the paper's protocol avoids) would choose otherwise.
const table: Record<string, { valid: number[]; test: number[] }> = {
  'none|0.1': { valid: [0.05, 0.06, 0.07], test: [0.01, 0.012, 0.011] },
  'none|0.01': { valid: [0.04, 0.05, 0.05], test: [0.03, 0.035, 0.04] },
  'sdae|0.1': { valid: [0.02, 0.03, 0.01], test: [0.02, 0.021, 0.025] },
  'sdae|0.01': { valid: [0.03, 0.02, 0.03], test: [0.005, 0.006, 0.007] },
};

const { variant } = createReferenceBackend();

function build(): { trials: SelectableTrial[]; records: Map<string, TrialRecord> } {
  const trials: SelectableTrial[] = [];
  const records = new Map<string, TrialRecord>();
  for (const kind of ['none', 'sdae']) {
    for (const lr of [0.1, 0.01]) {
      [1, 2, 3].forEach((seed, i) => {
        const hash = `${kind}-${lr}-${seed}`;
        trials.push({ cell: { 'pretrain.kind': kind }, nuisance: { 'finetune.lr': lr }, seed, hash });
        const e = table[`${kind}|${lr}`]!;
        const score = (error: number) => ({ error, nll: error });
        records.set(hash, {
          format: RECORD_FORMAT, experiment: 't', hash, status: 'done', config: resolveTrialConfig({ seed }), seed,
          cell: { 'pretrain.kind': kind }, nuisance: { 'finetune.lr': lr }, code: { package: 'p', git: null, dirty: null },
          result: { final: { train: score(0), valid: score(e.valid[i]!), test: score(e.test[i]!) }, bestEpoch: 1, epochsRun: 1, history: [], seconds: { pretrain: 0, finetune: 0, total: 0 }, checkpoint: null, backend: 'x', variant },
          error: null, startedAt: '', finishedAt: '', seconds: 0, command: '', variant,
        });
      });
    }
  }
  return { trials, records };
}

test('selectModels chooses per cell the nuisance setting of lowest mean validation error and reports its test error over seeds', () => {
  const { trials, records } = build();
  const cells = selectModels(trials, records);
  assert.equal(cells.length, 2);
  const [none, sdae] = cells;
  for (const [kind, chosen, other] of [['none', '0.01', '0.1'], ['sdae', '0.1', '0.01']]) {
    assert.ok(mean(table[`${kind}|${other}`]!.test) < mean(table[`${kind}|${chosen}`]!.test), `${kind}: the table makes test-based selection disagree`);
  }
  assert.deepEqual(none!.chosen, { 'finetune.lr': 0.01 });
  assert.deepEqual(sdae!.chosen, { 'finetune.lr': 0.1 });
  assert.equal(none!.test.n, 3);
  assert.ok(Math.abs(none!.test.mean - mean(table['none|0.01']!.test)) < 1e-15);
  assert.ok(Math.abs(sdae!.test.std - std(table['sdae|0.1']!.test)) < 1e-15);
  assert.ok(Math.abs(none!.candidates[0]!.meanValidError - 0.06) < 1e-12);
});

test('a diverged trial counts as validation error 1 and is left out of the test statistics', () => {
  const { trials, records } = build();
  const r = records.get('sdae-0.1-2')!;
  records.set('sdae-0.1-2', { ...r, status: 'diverged', result: null, error: 'NaN' });
  const sdae = selectModels(trials, records)[1]!;
  assert.deepEqual(sdae.chosen, { 'finetune.lr': 0.01 }, 'mean valid of lr=0.1 is now (0.02 + 1 + 0.01) / 3');
  records.set('sdae-0.01-1', { ...records.get('sdae-0.01-1')!, status: 'diverged', result: null, error: 'NaN' });
  records.set('sdae-0.01-2', { ...records.get('sdae-0.01-2')!, status: 'diverged', result: null, error: 'NaN' });
  const again = selectModels(trials, records)[1]!;
  assert.deepEqual(again.chosen, { 'finetune.lr': 0.1 });
  assert.equal(again.test.n, 2);
  assert.equal(again.nDiverged, 1);
});

test('compareCells compares each pre-trained cell with its baseline by Welch t-test', () => {
  const { trials, records } = build();
  const cells = selectModels(trials, records);
  const cmp = compareCells(cells, 'pretrain.kind', 'none');
  assert.equal(cmp.length, 1);
  assert.equal(cmp[0]!.baseline.label, 'pretrain=none');
  const w = welchTTest(table['sdae|0.1']!.test, table['none|0.01']!.test);
  assert.equal(cmp[0]!.welch.p, w.p);
  assert.ok(cmp[0]!.difference < 0);
  assert.ok(cmp[0]!.cohensD < 0);
});

test('missing records are counted and do not stop selection', () => {
  const { trials, records } = build();
  records.delete('none-0.01-3');
  const none = selectModels(trials, records)[0]!;
  assert.equal(none.nMissing, 1);
  assert.equal(none.test.n, 2);
});
