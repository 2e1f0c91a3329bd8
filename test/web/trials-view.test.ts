/** The page's study explorer: trial records summarised by cell (mean and sample std of the test error). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summariseTrials } from '../../web/src/trials-view.ts';

const record = (cell: Record<string, unknown>, error: number | null, status = 'done') =>
  JSON.stringify({ format: 2, experiment: 'depth', status, cell, seed: 1, result: error === null ? null : { final: { test: { error } } } });

test('summariseTrials groups records by experiment and cell: mean and sample std of the test error, diverged trials counted apart', () => {
  const rows = summariseTrials([
    { name: 'a.json', text: record({ depth: 1, pretrain: 'none' }, 0.02) },
    { name: 'b.json', text: record({ depth: 1, pretrain: 'none' }, 0.04) },
    { name: 'c.json', text: record({ depth: 1, pretrain: 'none' }, 0.06) },
    { name: 'd.json', text: record({ depth: 2, pretrain: 'sdae' }, 0.01) },
    { name: 'e.json', text: record({ depth: 2, pretrain: 'sdae' }, null, 'diverged') },
  ]);
  assert.equal(rows.length, 2);
  const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
  assert.equal(a.cell, 'depth=1, pretrain=none');
  assert.equal(a.trials, 3);
  assert.ok(Math.abs(a.mean - 0.04) < 1e-12);
  assert.ok(Math.abs(a.std - 0.02) < 1e-12, 'sample std: sqrt(((-0.02)^2 + 0 + 0.02^2) / 2) = 0.02');
  assert.equal(b.cell, 'depth=2, pretrain=sdae');
  assert.equal(b.trials, 1);
  assert.equal(b.diverged, 1);
  assert.ok(Number.isNaN(b.std), 'no std from one trial');
});

test('summariseTrials names the file that is not JSON or not a trial record', () => {
  assert.throws(() => summariseTrials([{ name: 'x.json', text: '{oops' }]), /x\.json: not JSON/);
  assert.throws(() => summariseTrials([{ name: 'manifest.json', text: '{"trials": []}' }]), /manifest\.json: not a trial record/);
});
