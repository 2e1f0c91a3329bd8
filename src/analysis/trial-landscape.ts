/**
 * The loss landscape of a trained network as a trial's analysis (Erhan et al. 2010, Section 6.3,
 * Fig. 7), switched on by `analysis.landscape.directions > 0`: `directions` unit directions, each the
 * gradient of the mean NLL on one random minibatch of the training set at the solution (a
 * stochastic gradient direction, as in the paper), and along each the training NLL and
 * classification error at `theta + alpha v` on the whole training set, for alpha on
 * `alphaGrid(-alphaMax, alphaMax, step)` (paper: [-2.5, 2.5] step 0.1, 7 directions).
 *
 * The paper reads the curves as "close to quadratic ... near a local minimum in all directions"
 * and "a bit flatter with pre-training, and flatter for deeper architectures". To make that a
 * number, a parabola `c0 + c1 alpha + c2 alpha^2` is fitted by least squares to each curve on
 * `|alpha| <= fitHalfWidth` (default 0.5: 11 grid points), and `c2` is its curvature (half the
 * second derivative along v; for the NLL, `v' H v / 2` when the slice is quadratic).
 *
 * Side file `landscape.safetensors` in the trial's checkpoint directory: F64 tensors `alphas`
 * `[nAlpha]`, `nll` and `error` `[directions, nAlpha]`, metadata `kind` = 'loss-landscape',
 * `landscapeFormat`, `landscape` (the config JSON). The small numbers (`LandscapeSummary`) go into
 * `result.analysis.landscape`.
 *
 * Randomness: minibatch d is the first `gradientBatch` indices of
 * `root.fork('landscape', 'batch', d).permutation(nTrain)`; nothing else is random.
 */
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.ts';
import type { Mlp } from '../models/mlp.ts';
import type { Rng } from '../rng/rng.ts';
import { fitQuadratic } from '../stats/quadratic-fit.ts';
import { checkpointTensor, CheckpointError, readCheckpoint, writeCheckpoint } from '../train/checkpoint.ts';
import type { LandscapeConfig } from '../train/config.ts';
import { alphaGrid, criterionAlong, gradientDirection } from './landscape.ts';

/** Version string stored under metadata `landscapeFormat`. */
export const LANDSCAPE_FORMAT = 'pretrain-lab-landscape/1';
/** Conventional file name inside a trial's checkpoint directory. */
export const LANDSCAPE_FILE = 'landscape.safetensors';

/** What a trial records in `result.analysis.landscape`. */
export interface LandscapeSummary {
  /** Number of directions. */
  directions: number;
  /** The grid: `alphaGrid(-alphaMax, alphaMax, step)`. */
  alphaMax: number;
  step: number;
  /** The curvature fit's window: |alpha| <= fitHalfWidth. */
  fitHalfWidth: number;
  /** Examples per stochastic gradient. */
  gradientBatch: number;
  /** Training examples the curves are measured on (the whole training set). */
  examples: number;
  /** Training error and NLL at alpha = 0 (the trained network itself). */
  atZero: { error: number; nll: number };
  /** Fitted quadratic coefficient c2 of each direction's curve, NLL and error. */
  curvature: { nll: number[]; error: number[] };
  /** The alpha of each curve's lowest training NLL (0 when the solution is the minimum along v). */
  nllArgmin: number[];
  /** Wall-clock seconds of the analysis. */
  seconds: number;
}

/** The curves themselves, as stored in the side file. */
export interface LandscapeCurves {
  alphas: number[];
  /** `[directions][nAlpha]` */
  nll: Float64Array[];
  error: Float64Array[];
}

/** Options of `measureLandscape`. */
export interface MeasureLandscapeOptions {
  model: Mlp;
  /** The training set: where the gradients are taken and the criterion measured. */
  train: Dataset;
  config: LandscapeConfig;
  /** Used when `config.gradientBatch` is null (the fine-tuning batch size). */
  defaultGradientBatch: number;
  /** The trial's root stream, `new Rng(seed)`. */
  root: Rng;
  /** Write `LANDSCAPE_FILE` here, when given. */
  dir?: string | undefined;
  /** Examples per evaluation batch (default 500, as fine-tuning evaluates). */
  evalBatchSize?: number;
}

/** Measures the landscape (see the module comment); leaves the model's parameters as they were. */
export function measureLandscape(opts: MeasureLandscapeOptions): { summary: LandscapeSummary; curves: LandscapeCurves } {
  const t0 = performance.now();
  const { model, train, config: c } = opts;
  const alphas = alphaGrid(-c.alphaMax, c.alphaMax, c.step);
  const gradientBatch = Math.min(c.gradientBatch ?? opts.defaultGradientBatch, train.n);
  const window = alphas.map((a, i) => [a, i] as const).filter(([a]) => Math.abs(a) <= c.fitHalfWidth + 1e-9);
  if (window.length < 3) throw new RangeError(`analysis.landscape.fitHalfWidth ${c.fitHalfWidth} keeps ${window.length} grid points; it needs at least 3 (make it >= 1 step, ${c.step})`);
  const zero = alphas.indexOf(0);
  const curves: LandscapeCurves = { alphas, nll: [], error: [] };
  const summary: LandscapeSummary = {
    directions: c.directions,
    alphaMax: c.alphaMax,
    step: c.step,
    fitHalfWidth: c.fitHalfWidth,
    gradientBatch,
    examples: train.n,
    atZero: { error: NaN, nll: NaN },
    curvature: { nll: [], error: [] },
    nllArgmin: [],
    seconds: 0,
  };
  const wx = window.map(([a]) => a);
  const at = (ys: Float64Array): number[] => window.map(([, i]) => ys[i]!);
  for (let d = 0; d < c.directions; d++) {
    const batch = opts.root.fork('landscape', 'batch', d).permutation(train.n).subarray(0, gradientBatch);
    const v = gradientDirection(model, train, batch);
    const s = criterionAlong({ model, data: train, direction: v, alphas, batchSize: opts.evalBatchSize ?? 500 });
    curves.nll.push(s.nll);
    curves.error.push(s.error);
    summary.curvature.nll.push(fitQuadratic(wx, at(s.nll)).c2);
    summary.curvature.error.push(fitQuadratic(wx, at(s.error)).c2);
    let best = 0;
    s.nll.forEach((y, i) => (y < s.nll[best]! ? (best = i) : 0));
    summary.nllArgmin.push(alphas[best]!);
    if (zero >= 0 && d === 0) summary.atZero = { error: s.error[zero]!, nll: s.nll[zero]! };
  }
  summary.seconds = (performance.now() - t0) / 1000;
  if (opts.dir) writeLandscape(join(opts.dir, LANDSCAPE_FILE), curves, c);
  return { summary, curves };
}

function writeLandscape(path: string, curves: LandscapeCurves, config: LandscapeConfig): void {
  const nDir = curves.nll.length, nA = curves.alphas.length;
  const stack = (rows: Float64Array[]): Float64Array => {
    const out = new Float64Array(nDir * nA);
    rows.forEach((r, i) => out.set(r, i * nA));
    return out;
  };
  writeCheckpoint(
    path,
    {
      alphas: { shape: [nA], data: Float64Array.from(curves.alphas) },
      nll: { shape: [nDir, nA], data: stack(curves.nll) },
      error: { shape: [nDir, nA], data: stack(curves.error) },
    },
    { kind: 'loss-landscape', landscapeFormat: LANDSCAPE_FORMAT, landscape: JSON.stringify(config) },
  );
}

/** Reads a side file written by `measureLandscape`; throws CheckpointError naming the file and the problem. */
export function readLandscape(path: string): LandscapeCurves {
  const ck = readCheckpoint(path);
  if (ck.metadata['kind'] !== 'loss-landscape' || ck.metadata['landscapeFormat'] !== LANDSCAPE_FORMAT) {
    throw new CheckpointError(`${path} is not a loss-landscape file of format ${LANDSCAPE_FORMAT}`);
  }
  const shape = ck.tensors.get('nll')?.shape;
  if (!shape || shape.length !== 2) throw new CheckpointError(`${path}: tensor 'nll' must be [directions, nAlpha]`);
  const [nDir, nA] = shape as [number, number];
  const rows = (name: string): Float64Array[] => {
    const all = Float64Array.from(checkpointTensor(ck, name, [nDir, nA], path));
    return Array.from({ length: nDir }, (_, d) => all.slice(d * nA, (d + 1) * nA));
  };
  return { alphas: Array.from(checkpointTensor(ck, 'alphas', [nA], path)), nll: rows('nll'), error: rows('error') };
}
