import { test } from 'node:test';
import assert from 'node:assert/strict';
import { geodesicDistances } from '../../src/analysis/geodesic-graph.ts';

test('geodesicDistances follows the neighbour graph: along a bent chain the path is the sum of the links, not the straight line', () => {
  // Points on an L: (0,0) (1,0) (2,0) (2,1) (2,2), two neighbours each.
  const x = [0, 0, 1, 0, 2, 0, 2, 1, 2, 2];
  const { distances: g, bridges } = geodesicDistances(x, 5, 2, 2);
  assert.equal(bridges, 0);
  assert.ok(Math.abs(g[0 * 5 + 4]! - 4) < 1e-12, `path length ${g[4]}`);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) assert.equal(g[i * 5 + j], g[j * 5 + i]);
});

test('two groups that never meet in the 2-NN graph are joined by their shortest edge into one component: every distance finite', () => {
  const x = [0, 0, 0.1, 0, 0.2, 0, 10, 0, 10.1, 0, 10.2, 0];
  const { distances: g, bridges } = geodesicDistances(x, 6, 2, 2);
  assert.equal(bridges, 1);
  assert.ok(g.every(Number.isFinite));
  assert.ok(Math.abs(g[0 * 6 + 5]! - 10.2) < 1e-9, 'across the bridge 0.2 -> 10 and along both chains');
});
