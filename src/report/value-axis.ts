/**
 * The value axis of a chart whose data may span orders of magnitude: a trial stuck at chance
 * (90% error, NLL 2.3) beside converged ones (2-10%, 0.1) would squeeze every other curve or box
 * into the bottom strip of a linear axis. Such data gets a log axis, and the axis label says so.
 */
import * as Plot from '@observablehq/plot';

/** Data whose largest value is at least this many times its smallest (all positive) get a log axis. */
export const LOG_AXIS_RATIO = 4;

/** A value axis: scale type, the domain the chart must use as is (not "niced"), and its label. */
export interface ValueAxis {
  type: 'linear' | 'log';
  domain: [number, number];
  label: string;
}

/**
 * Chooses the axis for `values`: log when they are all positive and span a ratio of at least
 * `LOG_AXIS_RATIO` (domain padded by 5% of a decade's log-width), else linear over the data with
 * 5% padding (not below 0 for non-negative data). `label` gets ", log scale" when log.
 */
export function valueAxis(values: readonly number[], label: string): ValueAxis {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { type: 'linear', domain: [0, 1], label };
  const lo = Math.min(...finite), hi = Math.max(...finite);
  if (lo > 0 && hi / lo >= LOG_AXIS_RATIO) {
    const pad = Math.pow(hi / lo, 0.04);
    return { type: 'log', domain: [lo / pad, hi * pad], label: `${label}, log scale` };
  }
  const pad = hi > lo ? 0.05 * (hi - lo) : Math.max(Math.abs(hi) * 0.05, 0.01);
  return { type: 'linear', domain: [lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad], label };
}

/**
 * Tick values for a log axis over `domain`, round numbers a reader can name, about 6 to 10 of
 * them: 1, 1.5, 2, 3, 5, 7 times the powers of ten inside it over up to 1.5 decades, 1, 2, 5 times
 * them up to 3 decades, the powers alone beyond; 1..9 times them when that gives fewer than three.
 */
export function logTicks(domain: readonly [number, number]): number[] {
  const [lo, hi] = domain;
  const pick = (mantissas: number[]): number[] => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(6));
        if (v >= lo && v <= hi) out.push(v);
      }
    }
    return out;
  };
  const decades = Math.log10(hi / lo);
  const round = pick(decades <= 1.5 ? [1, 1.5, 2, 3, 5, 7] : decades <= 3 ? [1, 2, 5] : [1]);
  return round.length >= 3 ? round : pick([1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

/** A tick label: the number in its shortest form (0.15, 70). */
const formatTick = (v: number): string => String(Number(v.toPrecision(6)));

/**
 * Plot options for a value scale along `dim`. Linear: the axis's domain and label. Log: the scale
 * without its own axis, because Plot labels only some of the ticks of a log axis; draw it with
 * `valueAxisMarks`.
 */
export function valueScaleOptions(axis: ValueAxis): Plot.ScaleOptions {
  return axis.type === 'log' ? { type: 'log', domain: axis.domain, nice: false, axis: null } : { type: 'linear', domain: axis.domain, label: axis.label, nice: false };
}

/** The axis and grid marks of a log value axis (our round ticks, every one labelled); none for linear. */
export function valueAxisMarks(axis: ValueAxis, dim: 'x' | 'y', domain: readonly [number, number] = axis.domain): Plot.Markish[] {
  if (axis.type !== 'log') return [];
  const ticks = logTicks([domain[0], domain[1]]);
  const options = { text: (v: number) => formatTick(v), label: axis.label };
  return dim === 'y' ? [Plot.gridY(ticks), Plot.axisY(ticks, options)] : [Plot.gridX(ticks), Plot.axisX(ticks, options)];
}
