import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functionDistances } from '../../src/analysis/function-distances.ts';
import { stackTrajectories } from '../../src/analysis/trajectory-set.ts';
import type { ProbeOutputs } from '../../src/analysis/probe-recorder.ts';
import { Rng } from '../../src/rng/rng.ts';

const nProbe = 4, nClasses = 2, epochs = 3;

/** A network whose outputs at epoch e are `centre + spread(e) * noise`, flattened `[nProbe * nClasses]`. */
function network(centre: number, spread: (e: number) => number, seed: number): ProbeOutputs {
  const r = new Rng(seed), dim = nProbe * nClasses;
  const outputs = new Float32Array((epochs + 1) * dim);
  for (let e = 0; e <= epochs; e++) for (let k = 0; k < dim; k++) outputs[e * dim + k] = centre + spread(e) * r.normal();
  return { epochs: [0, 1, 2, 3], nProbe, nClasses, outputs, labels: new Int32Array(nProbe), values: [], metadata: {} };
}

function study(baseSpread: (e: number) => number, preSpread: (e: number) => number, gap: number) {
  const items = [
    ...Array.from({ length: 8 }, (_, s) => ({ id: `n${s}`, group: 'none', seed: s, probe: network(0, baseSpread, 100 + s) })),
    ...Array.from({ length: 8 }, (_, s) => ({ id: `p${s}`, group: 'sdae', seed: s, probe: network(gap, preSpread, 200 + s) })),
  ];
  return functionDistances(stackTrajectories(items), { groups: ['none', 'sdae'], resamples: 300, seed: 1 });
}

test('two groups far apart: between-group distance exceeds both within-group distances at every epoch, and no nearest neighbour crosses', () => {
  const d = study(() => 0.1, () => 0.1, 3);
  assert.deepEqual(d.map((r) => r.epoch), [0, 1, 2, 3]);
  for (const r of d) {
    assert.deepEqual(r.n, { none: 8, sdae: 8 });
    assert.ok(r.gap['none']!.lo > 0 && r.gap['sdae']!.lo > 0, `epoch ${r.epoch}: gap intervals above 0`);
    assert.equal(r.crossNearest, 0);
    assert.ok(r.within['none']!.lo <= r.within['none']!.mean && r.within['none']!.mean <= r.within['none']!.hi);
    // |centre difference| per coordinate 3, over nProbe * nClasses coordinates, divided by sqrt(nProbe).
    assert.ok(Math.abs(r.between.mean - Math.sqrt((9 * nProbe * nClasses) / nProbe)) < 0.2, `between ${r.between.mean}`);
  }
});

test('one cloud: the groups mix, the gap interval straddles 0 and nearest neighbours often cross', () => {
  const d = study(() => 1, () => 1, 0);
  assert.ok(d.some((r) => r.gap['none']!.lo < 0 || r.gap['sdae']!.lo < 0));
  assert.ok(d.every((r) => r.crossNearest > 0));
});

test('a group that shrinks ends in a smaller region: the spread difference and its interval are below 0 at the last epoch', () => {
  const d = study(() => 1, (e) => 1 / (1 + 3 * e), 3);
  const last = d.at(-1)!;
  assert.ok(last.within['sdae']!.mean < last.within['none']!.mean);
  assert.ok(last.spread.hi < 0, `spread ${JSON.stringify(last.spread)}`);
  assert.ok(d[0]!.spread.lo < 0 && d[0]!.spread.hi > 0, 'equal spreads at epoch 0: the interval holds 0');
});

test('the bootstrap intervals are reproducible: same data and seed, same table', () => {
  assert.deepEqual(study(() => 1, () => 0.5, 1), study(() => 1, () => 0.5, 1));
});
