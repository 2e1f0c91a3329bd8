/**
 * Function-space trajectories of many networks gathered into one point set (Erhan et al. 2010,
 * Section 6.3): each network's probe outputs after each epoch (`readProbeOutputs`) become one
 * point `[nProbe * nClasses]`, all networks' points stacked in one `[nPoints, dim]` array so that
 * they can be embedded together (footnote 8: "we project the models with and without
 * pre-training at the same time").
 */
import { probeVector, readProbeOutputs, type ProbeOutputs } from './probe-recorder.ts';

/** One network's probe side file and the group it belongs to (e.g. `none` or `sdae`). */
export interface TrajectorySource {
  /** Stable id, e.g. the trial hash. */
  id: string;
  group: string;
  seed: number;
  path: string;
}

/** One network's trajectory inside a `TrajectorySet`. */
export interface Trajectory {
  id: string;
  group: string;
  seed: number;
  /** Epoch of each of its points (0 = before fine-tuning). */
  epochs: number[];
  /** Its first point's row in `points`; its points are consecutive. */
  offset: number;
}

export interface TrajectorySet {
  trajectories: Trajectory[];
  /** `[nPoints, dim]` row-major; `dim = nProbe * nClasses`. */
  points: Float32Array;
  nPoints: number;
  dim: number;
  nProbe: number;
  nClasses: number;
}

/** A fault in the probe files of a study (different probe sets, none at all). */
export class TrajectoryError extends Error {
  override name = 'TrajectoryError';
}

/** Reads every source's probe file and stacks the points; all must share the probe set. */
export function loadTrajectories(sources: readonly TrajectorySource[]): TrajectorySet {
  const read: { src: TrajectorySource; p: ProbeOutputs }[] = sources.map((src) => ({ src, p: readProbeOutputs(src.path) }));
  return stackTrajectories(read.map(({ src, p }) => ({ ...src, probe: p })));
}

/** Stacks already-read probe outputs (see `loadTrajectories`). */
export function stackTrajectories(items: readonly (Omit<TrajectorySource, 'path'> & { probe: ProbeOutputs })[]): TrajectorySet {
  const first = items[0]?.probe;
  if (!first) throw new TrajectoryError('no probe outputs to stack: no trial recorded analysis.probe');
  const { nProbe, nClasses } = first;
  const dim = nProbe * nClasses;
  for (const it of items) {
    const p = it.probe;
    if (p.nProbe !== nProbe || p.nClasses !== nClasses || p.labels.some((y, i) => y !== first.labels[i])) {
      throw new TrajectoryError(`network ${it.id} was probed on another set (${p.nProbe} examples x ${p.nClasses} classes, vs ${nProbe} x ${nClasses}); every network must share the probe set`);
    }
  }
  const nPoints = items.reduce((s, it) => s + it.probe.epochs.length, 0);
  const points = new Float32Array(nPoints * dim);
  const trajectories: Trajectory[] = [];
  let offset = 0;
  for (const it of items) {
    for (let r = 0; r < it.probe.epochs.length; r++) points.set(probeVector(it.probe, r), (offset + r) * dim);
    trajectories.push({ id: it.id, group: it.group, seed: it.seed, epochs: [...it.probe.epochs], offset });
    offset += it.probe.epochs.length;
  }
  return { trajectories, points, nPoints, dim, nProbe, nClasses };
}
