/**
 * `node --import tsx bench/embed-trajectories.ts [networks] [epochs] [probe]` (default 100 30
 * 1000): the cost of the trajectories report's embedding (issue 11: under a minute for 100
 * networks x 30 epochs of outputs on 1,000 test examples). Synthetic softmax trajectories of the
 * full size: two groups, each network drifting from its group's start along its own direction;
 * the embedding's cost depends on the sizes, not on the values. Prints the seconds of the PCA,
 * t-SNE and Isomap steps and of the per-epoch distances (`functionDistances`), with the load
 * average and the CPU seconds of all threads, since the machine may be shared (on a busy machine
 * the CPU seconds, halved for 2 cores, say more about an idle run than the wall time).
 */
import * as os from 'node:os';
import { embedPoints } from '../src/analysis/embed-points.ts';
import { functionDistances } from '../src/analysis/function-distances.ts';
import { stackTrajectories } from '../src/analysis/trajectory-set.ts';
import type { ProbeOutputs } from '../src/analysis/probe-recorder.ts';
import { Rng } from '../src/rng/index.ts';

const [networks = 100, epochs = 30, nProbe = 1000] = process.argv.slice(2).map(Number);
const nClasses = 10;
const rng = new Rng(7);
const labels = Int32Array.from({ length: nProbe }, () => rng.int(nClasses));

function trajectory(group: number, seed: number): ProbeOutputs {
  const r = rng.fork('net', group, seed);
  const n = epochs + 1, dim = nProbe * nClasses;
  const outputs = new Float32Array(n * dim);
  const start = new Rng(group).fillNormal(new Float32Array(dim), 0, 1);
  const dir = r.fillNormal(new Float32Array(dim), 0, 1);
  for (let e = 0; e < n; e++) {
    const f = Math.log1p(e);
    for (let i = 0; i < nProbe; i++) {
      let s = 0;
      const row = outputs.subarray(e * dim + i * nClasses, e * dim + (i + 1) * nClasses);
      for (let c = 0; c < nClasses; c++) {
        const k = i * nClasses + c;
        row[c] = Math.exp(start[k]! + f * (0.8 * dir[k]! + (c === labels[i] ? 1 : 0)));
        s += row[c]!;
      }
      for (let c = 0; c < nClasses; c++) row[c]! /= s;
    }
  }
  return { epochs: Array.from({ length: n }, (_, e) => e), nProbe, nClasses, outputs, labels, values: [], metadata: {} };
}

let t = performance.now();
const items = [0, 1].flatMap((g) => Array.from({ length: networks / 2 }, (_, s) => ({ id: `${g}-${s}`, group: g ? 'sdae' : 'none', seed: s, probe: trajectory(g, s) })));
const set = stackTrajectories(items);
console.log(`data: ${set.trajectories.length} networks x ${epochs + 1} points x ${set.dim} dims (${((performance.now() - t) / 1000).toFixed(1)} s to generate); load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
t = performance.now();
const d = functionDistances(set, { groups: ['none', 'sdae'], seed: 1 });
console.log(`distances: ${d.length} epochs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
t = performance.now();
const cpu0 = process.cpuUsage();
const e = embedPoints(set.points, set.nPoints, set.dim, { seed: 1 });
console.log(`embedding: ${e.seconds.total.toFixed(1)} s (PCA ${e.seconds.pca.toFixed(1)} s to ${e.pcaDims} dims keeping ${(100 * e.explainedVariance).toFixed(1)}%, t-SNE ${e.seconds.tsne.toFixed(1)} s on a worker thread beside Isomap ${e.seconds.isomap.toFixed(1)} s with ${e.params.neighbors} neighbours); CPU ${((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6).toFixed(1)} s over all threads; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
