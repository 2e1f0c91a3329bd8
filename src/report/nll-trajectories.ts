/**
 * Train-vs-test NLL trajectories (Erhan et al. 2010, Fig. 8, 10 and 14): log(test NLL) against
 * log(train NLL) after every fine-tuning epoch, one thin translucent curve per trial (the paper
 * draws 2 x 400 per panel), one panel per level of the other scientific factors (depth), coloured
 * by the compared arm (pre-trained or not; k pre-trained layers). Training moves the curves right
 * to left; the arrow of time is drawn three ways: an open circle at the first epoch, a dot at the
 * last, and a thick mean trajectory per arm ending in an arrowhead. Beside it, one table per panel:
 * the final (last-epoch) train and test NLL per arm (mean, std) and, against the baseline arm, the
 * differences with 95% confidence intervals over seeds and the test NLL at an equal train NLL (the
 * paper's reading of Fig. 8: "at a same training cost level, the pre-trained models systematically
 * yield a lower test cost").
 */
import * as Plot from '@observablehq/plot';
import { shortKey } from '../experiments/expand.ts';
import type { CellSummary } from '../experiments/select.ts';
import { Rng } from '../rng/rng.ts';
import { BOOTSTRAP_RESAMPLES } from '../stats/bootstrap.ts';
import { mean, std } from '../stats/descriptive.ts';
import { compareSeeded } from '../stats/seeded-comparison.ts';
import { splitCell, type Chart } from './charts.ts';
import { html, type Html } from './html.ts';
import { plotToSvg } from './plot-svg.ts';
import { valueAxisMarks, type ValueAxis } from './value-axis.ts';

/** One trial's path: its train and test NLL after each fine-tuning epoch (finite, positive values only). */
export interface Trajectory {
  /** The other factors' level, e.g. `depth=2` (`(all)` when the arm is the only factor). */
  panel: string;
  /** The arm's level, e.g. `sdae`, `0`. */
  arm: string;
  seed: number;
  points: { epoch: number; train: number; test: number }[];
  /** With a convergence criterion (`finetune.convergeWindow`): whether it, not the epoch budget, ended training. */
  converged?: boolean;
}

/** Statistics of one arm of one panel. */
export interface ArmSummary {
  arm: string;
  n: number;
  /** Train / test NLL after the last epoch, over trials: mean and standard deviation. */
  train: { mean: number; std: number };
  test: { mean: number; std: number };
  /** Mean number of epochs the trials ran. */
  epochs: number;
  /** How many trials the convergence criterion stopped (null when no trial had the criterion on). */
  converged: number | null;
}

/** One panel's table: arms, and each arm against the baseline arm. */
export interface PanelSummary {
  panel: string;
  arms: ArmSummary[];
  /** Arm minus baseline, for each non-baseline arm. */
  versus: Versus[];
  baseline: string;
}

/**
 * A difference of means over seeds with its 95% interval: the (expanded) percentile bootstrap of
 * the study's comparisons (`compareCells`), paired on the seeds both arms finished when they share
 * at least two, else unpaired; p from the paired t-test, else Welch's.
 */
export interface MeanDifference {
  /** Arm minus baseline: the mean paired difference, else the difference of the means. */
  difference: number;
  lo: number;
  hi: number;
  /** Two-sided p-value (NaN when undefined). */
  p: number;
  /** Pairs when paired, else the smaller arm's size. */
  n: number;
  paired: boolean;
}

/** One arm against the baseline arm of its panel. */
export interface Versus {
  arm: string;
  /** Final (last-epoch) train and test NLL, arm minus baseline. */
  train: MeanDifference;
  test: MeanDifference;
  /**
   * Train NLL at which the two arms' test NLL is compared: the geometric middle of the range both
   * cross (from the larger median final train NLL up to the smaller median first-epoch train NLL);
   * NaN when their ranges do not overlap.
   */
  level: number;
  /** Test NLL at `level`, mean over the trajectories that reach it, and how many do, per arm. */
  atLevel: { arm: { mean: number; n: number }; baseline: { mean: number; n: number } };
  /** Test NLL at `level`, arm minus baseline (unpaired: not every trajectory reaches the level). */
  testAtLevel: MeanDifference;
}

const armLabel = (factor: string | null, arm: string): string => (factor ? `${shortKey(factor)}=${arm}` : arm);

/** Every chosen setting's trials as trajectories, in cell then seed order (diverged trials left out). */
export function trajectoriesOf(cells: readonly CellSummary[], factor: string | null): Trajectory[] {
  const out: Trajectory[] = [];
  for (const c of cells) {
    const { group, x } = splitCell(c.cell, factor);
    for (const r of c.records) {
      if (r.status !== 'done' || !r.result) continue;
      const points = r.result.history
        .filter((m) => m.phase === 'finetune')
        .map((m) => ({ epoch: m.epoch, train: m.values['trainNll'] ?? NaN, test: m.values['testNll'] ?? NaN }))
        .filter((p) => p.train > 0 && p.test > 0 && Number.isFinite(p.train) && Number.isFinite(p.test));
      if (points.length) out.push({ panel: x, arm: group, seed: r.seed, points, ...(r.result.converged !== undefined ? { converged: r.result.converged } : {}) });
    }
  }
  return out;
}

/** A log axis over positive `values`, padded by 4% of their log-range (at least a few percent either side). */
function logAxis(values: readonly number[], label: string): ValueAxis {
  const lo = Math.min(...values), hi = Math.max(...values);
  const pad = Math.max(1.03, Math.pow(hi / lo, 0.04));
  return { type: 'log', domain: [lo / pad, hi * pad], label: `${label}, log scale` };
}

/**
 * Test NLL where a trajectory's train NLL first falls to `level`, interpolated linearly in log-log
 * between the two epochs around it; undefined when the trajectory starts below it or never reaches it.
 */
export function testNllAtTrainNll(t: Trajectory, level: number): number | undefined {
  const p = t.points;
  if (p[0]!.train < level) return undefined;
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.train > level) continue;
    if (i === 0) return p[0]!.test;
    const a = p[i - 1]!, b = p[i]!;
    const f = (Math.log(a.train) - Math.log(level)) / (Math.log(a.train) - Math.log(b.train));
    return Math.exp(Math.log(a.test) + f * (Math.log(b.test) - Math.log(a.test)));
  }
  return undefined;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * `a` minus `b` over seeds (see `MeanDifference`); `rng` draws the bootstrap resamples; `pair`
 * false compares the groups unpaired even where seeds are shared.
 */
export function meanDifference(a: readonly { seed: number; value: number }[], b: readonly { seed: number; value: number }[], rng: Rng, pair = true): MeanDifference {
  const k = compareSeeded(a, b, { rng, resamples: BOOTSTRAP_RESAMPLES, pair });
  const n = k.design === 'paired' ? k.seeds.length : Math.min(a.length, b.length);
  return { difference: k.difference, lo: k.ci.lo, hi: k.ci.hi, p: k.p, n, paired: k.design === 'paired' };
}

/**
 * The per-panel tables' numbers (see `PanelSummary`); `baseline` is the reference arm (default: the
 * first). The bootstrap streams fork from `Rng(0)` by panel, arm and quantity, so the numbers are
 * reproducible and one comparison's interval does not move when another is added.
 */
export function summarizeTrajectories(trajectories: readonly Trajectory[], baseline?: string): PanelSummary[] {
  const root = new Rng(0).fork('nll-bootstrap');
  const panels = [...new Set(trajectories.map((t) => t.panel))];
  return panels.map((panel) => {
    const inPanel = trajectories.filter((t) => t.panel === panel);
    const arms = [...new Set(inPanel.map((t) => t.arm))];
    const base = baseline !== undefined && arms.includes(baseline) ? baseline : arms[0]!;
    const of = (arm: string): Trajectory[] => inPanel.filter((t) => t.arm === arm).sort((x, y) => x.seed - y.seed);
    const last = (t: Trajectory): { train: number; test: number } => t.points.at(-1)!;
    const summaries: ArmSummary[] = arms.map((arm) => {
      const ts = of(arm);
      const tr = ts.map((t) => last(t).train), te = ts.map((t) => last(t).test);
      return {
        arm,
        n: ts.length,
        train: { mean: mean(tr), std: std(tr) },
        test: { mean: mean(te), std: std(te) },
        epochs: mean(ts.map((t) => t.points.at(-1)!.epoch)),
        converged: ts.some((t) => t.converged !== undefined) ? ts.filter((t) => t.converged).length : null,
      };
    });
    const versus = arms.filter((arm) => arm !== base).map((arm): Versus => {
      const a = of(arm), b = of(base);
      const lo = Math.max(median(a.map((t) => last(t).train)), median(b.map((t) => last(t).train)));
      const hi = Math.min(median(a.map((t) => t.points[0]!.train)), median(b.map((t) => t.points[0]!.train)));
      const level = lo <= hi ? Math.sqrt(lo * hi) : NaN;
      const at = (ts: Trajectory[]): { seed: number; value: number }[] =>
        Number.isNaN(level) ? [] : ts.flatMap((t) => { const value = testNllAtTrainNll(t, level); return value === undefined ? [] : [{ seed: t.seed, value }]; });
      const atA = at(a), atB = at(b);
      const rng = (what: string): Rng => root.fork(panel, arm, what);
      const final = (ts: Trajectory[], v: 'train' | 'test') => ts.map((t) => ({ seed: t.seed, value: last(t)[v] }));
      const stat = (xs: { value: number }[]): { mean: number; n: number } => ({ mean: xs.length ? mean(xs.map((x) => x.value)) : NaN, n: xs.length });
      return {
        arm,
        train: meanDifference(final(a, 'train'), final(b, 'train'), rng('train')),
        test: meanDifference(final(a, 'test'), final(b, 'test'), rng('test')),
        level,
        atLevel: { arm: stat(atA), baseline: stat(atB) },
        // Not every trajectory reaches the level: the two groups are compared unpaired.
        testAtLevel: meanDifference(atA, atB, rng('at-level'), false),
      };
    });
    return { panel, arms: summaries, versus, baseline: base };
  });
}

/** Colours: the paper's blue (no pre-training) and red (pre-trained) for two arms; a blue-to-red ramp for more (k = 0..3). */
function armColors(n: number): string[] {
  if (n <= 2) return ['#1f5fa8', '#c8312b'].slice(0, n);
  const ramp = ['#1f5fa8', '#5aa2d0', '#e0883d', '#c8312b', '#7b2d8e', '#2d8e4f'];
  return Array.from({ length: n }, (_, i) => ramp[i % ramp.length]!);
}

/** Stroke opacity of one trial's curve: opaque for a handful, faint for hundreds (so density shows). */
export function curveOpacity(curvesPerArm: number): number {
  return Math.max(0.06, Math.min(0.7, 3 / Math.sqrt(Math.max(1, curvesPerArm))));
}

/** The mean trajectory of one arm in one panel: geometric means per epoch over the trials still running (at least half of them). */
function meanTrajectory(ts: readonly Trajectory[]): { epoch: number; train: number; test: number }[] {
  const byEpoch = new Map<number, { train: number[]; test: number[] }>();
  for (const t of ts) {
    for (const p of t.points) {
      let e = byEpoch.get(p.epoch);
      if (!e) byEpoch.set(p.epoch, (e = { train: [], test: [] }));
      e.train.push(Math.log(p.train));
      e.test.push(Math.log(p.test));
    }
  }
  return [...byEpoch.entries()]
    .filter(([, v]) => v.train.length * 2 >= ts.length)
    .sort((a, b) => a[0] - b[0])
    .map(([epoch, v]) => ({ epoch, train: Math.exp(mean(v.train)), test: Math.exp(mean(v.test)) }));
}

/**
 * The chart (one path per trajectory of two or more epochs: `.m-trajectory path`) and its tables,
 * or null when no trial has a train and test NLL (a run without training-set evaluation).
 * @param factor the compared factor (arms); the other factors' levels are the panels
 * @param baseline the reference arm of the tables (e.g. `none`, or `0` pre-trained layers)
 */
export function nllTrajectories(cells: readonly CellSummary[], factor: string | null, baseline?: unknown): { chart: Chart; tables: Html; summaries: PanelSummary[] } | null {
  const trajectories = trajectoriesOf(cells, factor);
  if (trajectories.length === 0) return null;
  const base = baseline === undefined ? undefined : typeof baseline === 'string' ? baseline : JSON.stringify(baseline);
  const panels = [...new Set(trajectories.map((t) => t.panel))];
  const arms = [...new Set(trajectories.map((t) => t.arm))];
  const label = (arm: string): string => armLabel(factor, arm);
  // A one-epoch trial has no line (its start and end markers coincide).
  const rows = trajectories.flatMap((t, i) => (t.points.length < 2 ? [] : t.points).map((p) => ({ ...p, trial: i, panel: t.panel, arm: label(t.arm), seed: t.seed })));
  const starts = trajectories.map((t) => ({ ...t.points[0]!, panel: t.panel, arm: label(t.arm) }));
  const ends = trajectories.map((t) => ({ ...t.points.at(-1)!, panel: t.panel, arm: label(t.arm), seed: t.seed }));
  const means = panels.flatMap((panel) =>
    arms.flatMap((arm) => {
      const ts = trajectories.filter((t) => t.panel === panel && t.arm === arm);
      return ts.length ? meanTrajectory(ts).map((p) => ({ ...p, panel, arm: label(arm), line: `${panel}|${arm}` })) : [];
    }),
  );
  const heads = [...new Set(means.map((m) => m.line))].flatMap((line) => {
    const m = means.filter((p) => p.line === line);
    // From two epochs before the last, so the head shows the direction even when the last step is tiny.
    return m.length >= 2 ? [{ from: m[Math.max(0, m.length - 3)]!, to: m.at(-1)! }] : [];
  });
  const perArm = Math.max(...panels.flatMap((p) => arms.map((a) => trajectories.filter((t) => t.panel === p && t.arm === a).length)));
  const opacity = curveOpacity(perArm);
  const all = trajectories.flatMap((t) => t.points);
  const x = logAxis(all.map((r) => r.train), 'train NLL');
  const y = logAxis(all.map((r) => r.test), 'test NLL');
  const colors = armColors(arms.length);
  const drawn = trajectories.filter((t) => t.points.length >= 2).length;
  const svg = plotToSvg({
    width: 860,
    height: 400,
    marginLeft: 56,
    marginBottom: 44,
    style: { fontSize: '12px' },
    fx: { label: null, domain: panels, axis: panels.length > 1 ? 'top' : null },
    x: { type: 'log', domain: x.domain, nice: false, axis: null },
    y: { type: 'log', domain: y.domain, nice: false, axis: null },
    color: { domain: arms.map(label), range: colors, legend: true },
    marks: [
      ...valueAxisMarks(x, 'x'),
      ...valueAxisMarks(y, 'y'),
      Plot.frame({ stroke: '#ccc' }),
      Plot.line(rows, { fx: 'panel', x: 'train', y: 'test', z: 'trial', stroke: 'arm', strokeWidth: 0.8, strokeOpacity: opacity, curve: 'linear', className: 'm-trajectory' }),
      Plot.dot(starts, { fx: 'panel', x: 'train', y: 'test', stroke: 'arm', r: 2.2, strokeWidth: 0.8, strokeOpacity: Math.min(1, 2 * opacity), fill: 'none', className: 'm-start' }),
      Plot.dot(ends, { fx: 'panel', x: 'train', y: 'test', fill: 'arm', r: 1.8, fillOpacity: Math.min(1, 2 * opacity), className: 'm-end', title: (d: (typeof ends)[number]) => `${d.panel} ${d.arm} seed ${d.seed}, epoch ${d.epoch}: train NLL ${d.train.toPrecision(3)}, test NLL ${d.test.toPrecision(3)}` }),
      Plot.line(means, { fx: 'panel', x: 'train', y: 'test', z: 'line', stroke: 'white', strokeWidth: 5, className: 'm-mean-halo' }),
      Plot.line(means, { fx: 'panel', x: 'train', y: 'test', z: 'line', stroke: 'arm', strokeWidth: 2.4, className: 'm-mean' }),
      Plot.arrow(heads, { fx: (d: (typeof heads)[number]) => d.from.panel, x1: (d: (typeof heads)[number]) => d.from.train, y1: (d: (typeof heads)[number]) => d.from.test, x2: (d: (typeof heads)[number]) => d.to.train, y2: (d: (typeof heads)[number]) => d.to.test, stroke: (d: (typeof heads)[number]) => d.to.arm, strokeWidth: 2.4, headLength: 10, className: 'm-arrow' }),
    ],
  });
  const summaries = summarizeTrajectories(trajectories, base);
  const chart: Chart = {
    id: 'chart-nll-trajectories',
    title: 'Train NLL vs test NLL, every epoch',
    caption:
      `log(test NLL) against log(train NLL) after each fine-tuning epoch (cf. Erhan et al. 2010, Fig. 8, 10, 14): one thin line per trial (${trajectories.length} in all, ` +
      `up to ${perArm} per arm and panel, opacity ${opacity.toFixed(2)}), open circle at the first epoch, dot at the last; training runs from right to left, and a curve turning up as it moves left is overfitting. ` +
      `Thick line: the arm's mean trajectory (geometric mean over the trials still running), its arrowhead at the last epoch.`,
    svg,
    markSelector: '.m-trajectory path',
    marks: drawn,
  };
  return { chart, tables: trajectoryTables(summaries, factor), summaries };
}

const f3 = (v: number): string => (Number.isFinite(v) ? v.toPrecision(3) : '-');
const signed = (v: number): string => (Number.isFinite(v) ? `${v > 0 ? '+' : ''}${v.toPrecision(2)}` : '-');
const ci = (d: MeanDifference): string => `${signed(d.difference)} [${signed(d.lo)}, ${signed(d.hi)}]`;
const fmtP = (p: number): string => (!Number.isFinite(p) ? '-' : p < 1e-4 ? '<1e-4' : p < 0.01 ? p.toFixed(4) : p.toFixed(3));

/** `higher` / `lower` when the 95% CI excludes 0, else `indistinguishable`. */
const direction = (d: MeanDifference): string => (d.lo > 0 ? 'higher' : d.hi < 0 ? 'lower' : 'indistinguishable');

/**
 * The answer in words, one line per comparison: is the final train NLL higher or lower with the
 * arm than with the baseline (Fig. 10's question), and the test NLL?
 */
function answers(summaries: readonly PanelSummary[], factor: string | null): Html {
  const lines = summaries.flatMap((s) =>
    s.versus.map(
      (v) =>
        html`<li>${s.panel === '(all)' ? '' : `${s.panel}, `}${armLabel(factor, v.arm)} vs ${armLabel(factor, s.baseline)}: final train NLL <b>${direction(v.train)}</b> (${ci(v.train)}, 95% CI over ${v.train.n} ${v.train.paired ? 'paired seeds' : 'seeds'}), final test NLL <b>${direction(v.test)}</b> (${ci(v.test)}).</li>`,
    ),
  );
  return lines.length ? html`<ul class="nll-answers">${lines}</ul>` : html``;
}

/** One table per panel: arms (final NLLs, mean and std), then each arm against the baseline with 95% CIs. */
export function trajectoryTables(summaries: readonly PanelSummary[], factor: string | null): Html {
  const tables = summaries.map((s) => {
    const armRows = s.arms.map(
      (a) =>
        html`<tr><td>${armLabel(factor, a.arm)}</td><td class="num">${a.n}</td><td class="num">${a.epochs.toFixed(1)}${a.converged === null ? '' : ` (${a.converged} converged)`}</td><td class="num">${f3(a.train.mean)} &plusmn; ${f3(a.train.std)}</td><td class="num">${f3(a.test.mean)} &plusmn; ${f3(a.test.std)}</td><td></td></tr>`,
    );
    const vsRows = s.versus.map(
      (v) =>
        html`<tr class="${v.train.hi < 0 || v.train.lo > 0 ? 'sig' : ''}"><td>${armLabel(factor, v.arm)} &minus; ${armLabel(factor, s.baseline)}</td><td class="num">${v.train.n}${v.train.paired ? ' pairs' : ''}</td><td></td><td class="num">${ci(v.train)} (p ${fmtP(v.train.p)})</td><td class="num">${ci(v.test)} (p ${fmtP(v.test.p)})</td><td class="num">${
          Number.isNaN(v.level) ? 'never at the same train NLL' : html`at ${f3(v.level)}: ${f3(v.atLevel.arm.mean)} (n ${v.atLevel.arm.n}) vs ${f3(v.atLevel.baseline.mean)} (n ${v.atLevel.baseline.n}), ${ci(v.testAtLevel)}`
        }</td></tr>`,
    );
    return html`<table class="nll-table" data-panel="${s.panel}" data-rows="${s.arms.length + s.versus.length}"><caption>${s.panel}: final NLL (last epoch), and test NLL at an equal train NLL</caption><thead><tr><th>arm</th><th class="num">n</th><th class="num">epochs</th><th class="num">train NLL</th><th class="num">test NLL</th><th class="num">test NLL at equal train NLL</th></tr></thead><tbody>${armRows}${vsRows}</tbody></table>`;
  });
  return html`<div class="nll-tables">${answers(summaries, factor)}${tables}<p class="note">Arms: mean &plusmn; standard deviation over seeds of the train and test NLL after the last epoch trained; epochs: the mean number trained (converged: the trials the convergence criterion stopped, the others ran the whole budget). Differences: arm minus baseline with a 95% bootstrap interval over seeds (expanded percentile, as the study's comparisons), paired on the seeds both arms finished (paired t p) or else unpaired (Welch p). The last column compares test NLL at the same train NLL (the geometric middle of the range both arms cross: from the larger median final train NLL to the smaller median first-epoch train NLL), where each trajectory first reaches it (log-log interpolation between epochs; trajectories that never reach it are left out): negative means a lower test NLL at equal training fit, the paper's signature of a regularizer.</p></div>`;
}
