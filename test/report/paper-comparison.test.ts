import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseHTML } from 'linkedom';
import { defineExperiment, ExperimentError, resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import type { CellSummary } from '../../src/experiments/select.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { paperComparison, paperComparisonSection } from '../../src/report/paper-comparison-section.ts';
import type { TrialConfig } from '../../src/train/config.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const table1 = {
  source: 'a table',
  metric: 'test-error-percent' as const,
  groupBy: 'depth',
  cells: [
    { name: 'Uniform', cell: { depth: 1, pretrain: 'none' }, mean: 1.8, std: 0.1 },
    { cell: { depth: 1, pretrain: 'sdae' }, mean: 1.4, std: 0.1 },
    { cell: { depth: 2, pretrain: 'none' }, mean: 1.7, std: 0.1 },
    { cell: { depth: 2, pretrain: 'sdae' }, mean: 1.3, std: 0.1 },
  ],
};
const input: ExperimentInput = { id: 'toy-table', paper: 'test', description: 'toy', scientific: { depth: [1, 2], pretrain: ['none', 'sdae'] }, seeds: 3, reported: table1 };

/** A cell of the study with test errors `pct` (percent) over seeds 1..n. */
function cell(depth: number, kind: string, pct: number[]): CellSummary {
  return {
    cell: { 'model.depth': depth, 'pretrain.kind': kind }, label: `depth=${depth} pretrain=${kind}`,
    test: { mean: 0, std: Math.sqrt(pct.reduce((s, x, _, a) => s + (x / 100 - a.reduce((p, y) => p + y, 0) / a.length / 100) ** 2, 0) / (pct.length - 1)), n: pct.length, values: pct.map((x) => x / 100), seeds: pct.map((_, i) => i + 1) },
    records: pct.map((_, i) => ({ hash: `${depth}${kind}${i}` })),
  } as unknown as CellSummary;
}

test('reported cells resolve to canonical keys; a key that is no scientific factor, or a group level missing, is an error naming it', () => {
  const r = resolveExperiment(defineExperiment(input), {});
  assert.deepEqual(r.reported!.cells[0]!.cell, { 'model.depth': 1, 'pretrain.kind': 'none' });
  assert.equal(r.reported!.groupBy, 'model.depth');
  const bad = (reported: unknown): RegExp | string => {
    try {
      resolveExperiment(defineExperiment({ ...input, reported } as ExperimentInput), {});
      return 'no error';
    } catch (e) {
      assert.ok(e instanceof ExperimentError, String(e));
      return (e as Error).message;
    }
  };
  assert.match(String(bad({ ...table1, cells: [{ cell: { hidden: 1000 }, mean: 1, std: 0.1 }] })), /reported\.cells\[0\]\.cell: 'hidden' is not a scientific factor of this experiment; its factors are model\.depth, pretrain\.kind/);
  assert.match(String(bad({ ...table1, cells: [{ cell: { pretrain: 'none' }, mean: 1, std: 0.1 }] })), /reported\.cells\[0\]\.cell: gives no level of 'model\.depth'/);
  assert.match(String(bad({ ...table1, groupBy: 'lr' })), /reported\.groupBy: 'lr' is not a scientific factor/);
  assert.match(String(bad({ ...table1, cells: [{ cell: { depth: 1 }, mean: 1, std: 0 }] })), /std/);
  assert.match(String(bad({ ...table1, unknown: 1 })), /unknown/);
});

test("each reported cell beside ours: its difference in the paper's std, within 2 or not, and the paper's order per group", () => {
  const r = resolveExperiment(defineExperiment(input), {});
  const cells = [cell(1, 'none', [1.8, 1.9, 2.0]), cell(1, 'sdae', [1.4, 1.5, 1.6]), cell(2, 'none', [1.2, 1.3, 1.4]), cell(2, 'sdae', [1.5, 1.6, 1.7])];
  const { rows, orders } = paperComparison(r.reported!, cells);
  assert.deepEqual(rows.map((x) => x.within), [true, true, false, false]);
  assert.ok(Math.abs(rows[0]!.sds - 1) < 1e-9, '(1.9 - 1.8) / 0.1');
  assert.ok(Math.abs(rows[2]!.sds - -4) < 1e-9, '(1.3 - 1.7) / 0.1');
  assert.ok(Math.abs(rows[1]!.matched!.ci.lo - (1.5 - 4.302652729911275 * 0.1 / Math.sqrt(3))) < 1e-9, 't interval of the mean, 2 df');
  assert.deepEqual(orders.map((o) => [o.group, o.same]), [['depth=1', true], ['depth=2', false]]);
  assert.deepEqual(orders[0]!.paper, ['pretrain=sdae', 'Uniform'], "a named row goes by the paper's name");
  assert.deepEqual(orders[1]!.paper, ['pretrain=sdae', 'pretrain=none']);
  assert.deepEqual(orders[1]!.ours, ['pretrain=none', 'pretrain=sdae']);
  // Each step of the paper's order measured here, paired by seed: none - sdae.
  const [d1] = orders[0]!.steps, [d2] = orders[1]!.steps;
  assert.deepEqual([d1!.lower, d1!.higher, d1!.paired, d1!.n], ['pretrain=sdae', 'Uniform', true, 3]);
  assert.ok(Math.abs(d1!.difference - 0.4) < 1e-9 && d1!.lo > 0, 'every seed 0.4 points apart');
  assert.ok(Math.abs(d2!.difference - -0.3) < 1e-9 && d2!.hi < 0, 'depth 2: the reverse of the paper');
  assert.deepEqual(paperComparison(r.reported!, cells.slice(0, 3)).orders[1]!.steps, [], 'no steps without every cell');

  const partial = paperComparison(r.reported!, cells.slice(0, 3));
  assert.equal(partial.rows[3]!.matched, null);
  assert.equal(partial.rows[3]!.within, null);
  assert.equal(partial.orders[1]!.same, null, 'a group with a missing cell is not judged');
});

async function synthetic(config: TrialConfig): Promise<TrialResult> {
  const e = (config.pretrain.kind === 'none' ? 0.018 : 0.014) - 0.001 * (config.model.depth - 1) + 0.0005 * config.seed;
  const s = { error: e, nll: 2 * e };
  return { final: { train: s, valid: s, test: s }, bestEpoch: 1, epochsRun: 1, history: [], seconds: { pretrain: 0, finetune: 0, total: 0 }, checkpoint: null, backend: 'synthetic', variant: { backend: 'synthetic' } as never };
}

test('the report sets the paper beside the study and says whether the bar is met', async () => {
  const s = await runExperiment(resolveExperiment(defineExperiment(input), {}), { runsDir: tempDir('pl-paper-'), trial: synthetic });
  const r = writeReport(s.storeDir);
  const doc = parseHTML(fs.readFileSync(r.path, 'utf8')).document as unknown as Document;
  const section = doc.querySelector('#paper-comparison')!;
  assert.match(section.querySelector('h2')!.textContent!, /Beside the paper \(a table\)/);
  const rows = [...section.querySelectorAll('tbody tr')];
  assert.equal(rows.length, 4);
  // Ours: none 1.9 / sdae 1.5 at depth 1, 1.8 / 1.4 at depth 2 (seeds 1-3): +1 paper std each.
  assert.deepEqual(rows.map((x) => x.getAttribute('data-within')), ['true', 'true', 'true', 'true']);
  assert.match(rows[0]!.textContent!, /1\.80 ± 0\.10.*1\.90 ± 0\.05.*\+1\.0/, "seeds 1-3: 1.85, 1.90, 1.95");
  assert.deepEqual([...section.querySelectorAll('li[data-same]')].map((l) => l.getAttribute('data-same')), ['true', 'true']);
  assert.match(rows[0]!.textContent!, /^Uniform \(depth=1 pretrain=none\)/, "the paper's row name, then the cell");
  const steps = [...section.querySelectorAll('li[data-step]')];
  assert.deepEqual(steps.map((l) => [l.getAttribute('data-step'), l.getAttribute('data-holds')]), [['pretrain=sdae < Uniform', 'true'], ['pretrain=sdae < pretrain=none', 'true']]);
  assert.match(steps[0]!.textContent!, /Uniform minus pretrain=sdae: \+0\.40 points .*paired by seed, 3 seeds.*above, as in the paper/);
  assert.equal(section.querySelector('[data-verdict]')!.getAttribute('data-verdict'), 'true');
  assert.equal(section.querySelector('[data-preset]'), null, "no preset: nothing to say about the scale");
  const quick = paperComparisonSection(resolveExperiment(defineExperiment(input), {}).reported, r.cells, 'quick')!;
  assert.match(quick.markup, /data-preset="quick"[^]*not the paper's setting/);
  assert.doesNotMatch(paperComparisonSection(resolveExperiment(defineExperiment(input), {}).reported, r.cells, 'full')!.markup, /data-preset/);
});
