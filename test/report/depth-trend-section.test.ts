import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import type { CellSummary } from '../../src/experiments/select.ts';
import { depthTrend, depthTrendSection } from '../../src/report/depth-trend-section.ts';
import { mean, std } from '../../src/stats/index.ts';

const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
/** A cell of test errors `base + slope * depth + noise(seed)`, the noise scaled by `spread`. */
function cell(depth: number, arm: string, base: number, slope: number, spread: number): CellSummary {
  const values = seeds.map((s) => base + slope * depth + spread * (((s * 7919) % 13) / 13 - 0.5));
  return {
    cell: { 'model.depth': depth, 'pretrain.kind': arm },
    label: `depth=${depth} pretrain=${arm}`,
    test: { mean: mean(values), std: std(values), n: values.length, values, seeds },
  } as unknown as CellSummary;
}
const cells = [1, 2, 3, 4].flatMap((d) => [cell(d, 'none', 0.018, 0.002, 0.001 * d), cell(d, 'sdae', 0.02, -0.001, 0.001)]);

test('depth-trend: each arm\'s paired step from one depth to the next, and the spread ratio, as the data give them', () => {
  const { steps, spreads } = depthTrend(cells, 'pretrain.kind', 'none');
  assert.equal(steps.length, 6, '3 steps x 2 arms');
  for (const s of steps) {
    const a = cells.find((c) => c.cell['model.depth'] === s.to && c.cell['pretrain.kind'] === s.arm)!;
    const b = cells.find((c) => c.cell['model.depth'] === s.from && c.cell['pretrain.kind'] === s.arm)!;
    assert.ok(Math.abs(s.change.difference - (a.test.mean - b.test.mean)) < 1e-12, 'the mean paired difference');
    assert.equal(s.change.paired, true);
    if (s.arm === 'none') assert.ok(s.change.lo > 0, `none rises ${s.from}->${s.to}`);
    else assert.ok(s.change.hi < 0, `sdae falls ${s.from}->${s.to}`);
  }
  assert.equal(spreads.length, 4);
  for (const sp of spreads) {
    const r = sp.ratio.get('sdae')!;
    assert.ok(Math.abs(r.value - sp.sd.get('none')! / sp.sd.get('sdae')!) < 1e-12);
    assert.ok(r.lo <= r.value && r.value <= r.hi, 'the interval holds the estimate');
  }
  assert.ok(Math.abs(spreads[3]!.ratio.get('sdae')!.value - 4) < 1e-9, 'none spreads 4x as much at depth 4');
  assert.deepEqual(JSON.stringify(depthTrend(cells, 'pretrain.kind', 'none')), JSON.stringify({ steps, spreads }), 'seeded: the same numbers again');
});

test('depth-trend renders a rise red and a fall green, and nothing without a depth factor', () => {
  const doc = parseHTML(`<html><body>${depthTrendSection(cells, 'pretrain.kind', 'none')!.markup}</body></html>`).document;
  const none = doc.querySelector('table.depth-steps tr[data-arm="none"]')!;
  assert.equal(none.querySelectorAll('td.worse').length, 3);
  assert.equal(doc.querySelectorAll('table.depth-steps tr[data-arm="sdae"] td.better').length, 3);
  assert.match(doc.querySelector('table.depth-spread tr[data-depth="4"] td.ratio')!.textContent!, /^4\.00 \[/);
  const flat = cells.map((c) => ({ ...c, cell: { width: 5, 'pretrain.kind': c.cell['pretrain.kind'] } }) as unknown as CellSummary);
  assert.equal(depthTrendSection(flat, 'pretrain.kind', 'none'), null);
});
