/**
 * The numbers of the transfer-modes report (issue 15, study 3), read from the records of a study
 * whose cells vary the pre-training (`pretrain.kind`, or the `pretrain` section as a coupled
 * factor), the trainable top (`finetune.trainTop`) and the labelled fraction (`data.labeled`),
 * within panels (the other factors, e.g. the network).
 *
 * Each cell is one arm: its network, pre-training kind, fraction and mode. The modes, from the
 * resolved config of its records:
 *   pretrain.kind none, trainTop null   scratch                    (the baseline of the seeds' claims)
 *   pretrain.kind none, trainTop 0      random features (frozen)   (the control: a frozen random base)
 *   pretrain.kind none, trainTop k      random base, top k trained
 *   pre-trained,        trainTop 0      frozen features            ("bottleneck features")
 *   pre-trained,        trainTop k      top k fine-tuned
 *   pre-trained,        trainTop null   full fine-tuning           (the reference of the differences)
 * Within a panel, pre-training kind and fraction, every mode is compared with full fine-tuning:
 * mean test error minus full fine-tuning's over seeds, paired by seed, with the 95% bootstrap
 * interval of the study's comparisons (`compareSeeded`), p from the paired t-test, Holm-adjusted
 * over all comparisons of the section. The claims of the seeds are differences of the same kind
 * (`transferClaims`).
 */
import { Rng } from '../rng/rng.ts';
import { holmAdjust } from '../stats/holm.ts';
import { BOOTSTRAP_RESAMPLES } from '../stats/bootstrap.ts';
import { compareSeeded } from '../stats/seeded-comparison.ts';
import { mean } from '../stats/descriptive.ts';
import { settingKey, settingLabel } from '../experiments/expand.ts';
import type { CellSummary } from '../experiments/select.ts';
import type { TrialRecord } from '../experiments/store.ts';
import type { TrialConfig } from '../train/config.ts';
import type { LayerWeightChange } from '../analysis/weight-change.ts';

/** The transfer mode of a cell (module comment). */
export type TransferMode = 'scratch' | 'random-frozen' | 'random-top' | 'frozen' | 'top' | 'full';

/** Display order of the modes. */
export const MODE_ORDER: readonly TransferMode[] = ['scratch', 'random-frozen', 'random-top', 'frozen', 'top', 'full'];

/** One cell of a transfer study. */
export interface TransferArm {
  cell: CellSummary;
  /** The other factors (the network and any factor not below), as a key and a name. */
  panel: string;
  panelName: string;
  /** `pretrain.kind` of the cell's records. */
  kind: string;
  /** The pre-training's name in this panel: `SDAE`, `conv DAE`, `DBN`, `source task (...)`, `none`. */
  kindName: string;
  /** Short names for chart panels: `MLP 2 x 128` / `conv net`, and `SDAE` / `source task`. */
  panelShort: string;
  kindShort: string;
  mode: TransferMode;
  /** `finetune.trainTop` (null: every layer). */
  trainTop: number | null;
  /** `data.labeled` (null read as 1: every label). */
  fraction: number;
  /** Finished records (status done with a result). */
  records: TrialRecord[];
}

/** The factors that define an arm within a panel; every other factor defines the panel. */
const ARM_KEY = (k: string): boolean => k === 'pretrain' || k.startsWith('pretrain.') || k === 'finetune.trainTop' || k === 'data.labeled';

/** The mode of a pre-training kind and trainable top. */
export function transferMode(kind: string, trainTop: number | null): TransferMode {
  if (kind === 'none') return trainTop === null ? 'scratch' : trainTop === 0 ? 'random-frozen' : 'random-top';
  return trainTop === null ? 'full' : trainTop === 0 ? 'frozen' : 'top';
}

/** The mode as the report writes it (`top 1 fine-tuned`). */
export function modeName(mode: TransferMode, trainTop: number | null): string {
  switch (mode) {
    case 'scratch': return 'scratch';
    case 'random-frozen': return 'random features (frozen)';
    case 'random-top': return `random base, top ${trainTop} trained`;
    case 'frozen': return 'frozen features';
    case 'top': return `top ${trainTop} fine-tuned`;
    case 'full': return 'full fine-tuning';
  }
}

/** The network of a config: `MLP 2 x 128`, `conv net (conv 6 5x5, pool 2, ...)`. */
export function networkName(cfg: TrialConfig): string {
  const m = cfg.model;
  if (m.layers !== null) return /\bconv\b/.test(m.layers) ? `conv net (${m.layers})` : `network (${m.layers})`;
  const hidden = Array.isArray(m.hidden) ? m.hidden.join('-') : String(m.hidden);
  return `MLP ${m.depth} x ${hidden}`;
}

/** The pre-training of a config as the report names it (`short`: without the source's data). */
export function pretrainingName(cfg: TrialConfig, short = false): string {
  const p = cfg.pretrain;
  if (p.kind === 'sdae') return cfg.model.layers !== null && /\bconv\b/.test(cfg.model.layers) ? 'conv DAE' : 'SDAE';
  if (p.kind === 'dbn') return 'DBN';
  if (p.kind === 'supervised') return short ? 'source task' : `source task (${p.source?.name ?? '?'}${p.source?.labels ? ` classes ${p.source.labels.join(',')}` : ''})`;
  return p.kind;
}

/** The network of a config in a few words: `MLP 2 x 128`, `conv net`. */
function networkShort(cfg: TrialConfig): string {
  const name = networkName(cfg);
  return name.startsWith('MLP') ? name : name.slice(0, name.indexOf(' ('));
}

/** The arms of the cells that have finished records, in cell order. */
export function transferArms(cells: readonly CellSummary[]): TransferArm[] {
  const out: TransferArm[] = [];
  for (const c of cells) {
    const records = c.records.filter((r) => r.status === 'done' && r.result);
    const cfg = records[0]?.config;
    if (!cfg) continue;
    const rest = Object.fromEntries(Object.entries(c.cell).filter(([k]) => !ARM_KEY(k)));
    const extra = Object.fromEntries(Object.entries(rest).filter(([k]) => k !== 'model' && !k.startsWith('model.')));
    const trainTop = cfg.finetune.trainTop ?? null;
    const mode = transferMode(cfg.pretrain.kind, trainTop);
    out.push({
      cell: c,
      panel: settingKey(rest),
      panelName: `${networkName(cfg)}${Object.keys(extra).length ? ` (${settingLabel(extra)})` : ''}`,
      kind: cfg.pretrain.kind,
      kindName: pretrainingName(cfg),
      panelShort: `${networkShort(cfg)}${Object.keys(extra).length ? ` (${settingLabel(extra)})` : ''}`,
      kindShort: pretrainingName(cfg, true),
      mode,
      trainTop,
      fraction: cfg.data.labeled ?? 1,
      records,
    });
  }
  return out;
}

/** One seed's test error. */
const testErrors = (a: TransferArm): { seed: number; value: number }[] => a.records.map((r) => ({ seed: r.seed, value: r.result!.final.test.error }));

/** A difference of mean test error (arm minus reference) over seeds, with its interval and tests. */
export interface ArmDifference {
  /** Mean paired difference (else difference of means); negative: the arm is better. */
  difference: number;
  /** 95% bootstrap interval (NaN bounds with fewer than two seeds per arm). */
  lo: number;
  hi: number;
  p: number;
  /** `p` adjusted by Holm over every comparison of the section (NaN when p is). */
  pHolm: number;
  /** Pairs when paired, else the smaller arm's size. */
  n: number;
  paired: boolean;
}

/** `a` minus `b` in test error; the bootstrap stream is `root` forked by `path` (reproducible, independent of other comparisons). */
export function armDifference(a: TransferArm, b: TransferArm, root: Rng, path: readonly (string | number)[]): ArmDifference {
  const x = testErrors(a), y = testErrors(b);
  if (x.length < 2 || y.length < 2) {
    const d = x.length && y.length ? mean(x.map((v) => v.value)) - mean(y.map((v) => v.value)) : NaN;
    return { difference: d, lo: NaN, hi: NaN, p: NaN, pHolm: NaN, n: Math.min(x.length, y.length), paired: false };
  }
  const k = compareSeeded(x, y, { rng: root.fork(...path.map(String)), resamples: BOOTSTRAP_RESAMPLES });
  return { difference: k.difference, lo: k.ci.lo, hi: k.ci.hi, p: k.p, pHolm: NaN, n: k.design === 'paired' ? k.seeds.length : Math.min(x.length, y.length), paired: k.design === 'paired' };
}

/** One panel and pre-training kind: its arms by fraction (the kind's own modes and the panel's arms without pre-training). */
export interface TransferGroup {
  panel: string;
  panelName: string;
  kind: string;
  kindName: string;
  /** The chart panel's title: short network and pre-training names (the full ones when short ones would collide). */
  facet: string;
  /** Labelled fractions, largest first. */
  fractions: number[];
  /** Arms in display order (mode, then trainTop), each with its cell per fraction. */
  rows: { mode: TransferMode; trainTop: number | null; name: string; byFraction: Map<number, TransferArm> }[];
  /** Per fraction and row name: the row minus full fine-tuning at that fraction. */
  vsFull: Map<number, Map<string, ArmDifference>>;
}

/**
 * The groups of a transfer study: for every panel and pre-training kind other than none, the rows
 * of its modes and of the panel's modes without pre-training, each compared with full fine-tuning
 * at every fraction; Holm's adjustment over every comparison of every group.
 */
export function transferGroups(arms: readonly TransferArm[]): TransferGroup[] {
  const root = new Rng(0).fork('transfer-modes');
  const groups: TransferGroup[] = [];
  for (const panel of [...new Set(arms.map((a) => a.panel))]) {
    const inPanel = arms.filter((a) => a.panel === panel);
    for (const kind of [...new Set(inPanel.map((a) => a.kind))].filter((k) => k !== 'none')) {
      const mine = inPanel.filter((a) => a.kind === kind || a.kind === 'none');
      const fractions = [...new Set(mine.map((a) => a.fraction))].sort((x, y) => y - x);
      const rowKey = (a: TransferArm): string => `${MODE_ORDER.indexOf(a.mode)}:${a.trainTop ?? 'all'}`;
      const keys = [...new Set(mine.map(rowKey))].sort((x, y) => {
        const [mx, tx] = x.split(':'), [my, ty] = y.split(':');
        return Number(mx) - Number(my) || (tx === 'all' ? 1 : Number(tx)) - (ty === 'all' ? 1 : Number(ty));
      });
      const rows = keys.map((key) => {
        const some = mine.find((a) => rowKey(a) === key)!;
        return { mode: some.mode, trainTop: some.trainTop, name: modeName(some.mode, some.trainTop), byFraction: new Map(mine.filter((a) => rowKey(a) === key).map((a) => [a.fraction, a])) };
      });
      const vsFull = new Map<number, Map<string, ArmDifference>>();
      const full = rows.find((r) => r.mode === 'full');
      for (const f of fractions) {
        const m = new Map<string, ArmDifference>();
        const ref = full?.byFraction.get(f);
        if (ref) for (const r of rows) if (r !== full && r.byFraction.has(f)) m.set(r.name, armDifference(r.byFraction.get(f)!, ref, root, [panel, kind, f, r.name, 'vs-full']));
        vsFull.set(f, m);
      }
      const own = mine.find((a) => a.kind === kind)!;
      groups.push({ panel, panelName: own.panelName, kind, kindName: own.kindName, facet: `${own.panelShort}: ${own.kindShort}`, fractions, rows, vsFull });
    }
  }
  if (new Set(groups.map((g) => g.facet)).size < groups.length) for (const g of groups) g.facet = `${g.panelName}: ${g.kindName}`;
  const all = groups.flatMap((g) => [...g.vsFull.values()].flatMap((m) => [...m.values()]));
  const adjusted = holmAdjust(all.map((d) => d.p));
  all.forEach((d, i) => (d.pHolm = adjusted[i]!));
  return groups;
}

/** A claim of the seeds about the modes: arm `a` has lower test error than arm `b` at one fraction. */
export interface TransferClaim {
  id: 'frozen-beats-scratch' | 'full-beats-frozen' | 'pretrained-beats-random' | 'full-beats-scratch-few' | 'full-beats-scratch-all';
  panel: string;
  panelName: string;
  kind: string;
  kindName: string;
  fraction: number;
  /** The claim in words, e.g. `frozen features beat training from scratch` (at `fraction` of the labels). */
  text: string;
  a: string;
  b: string;
  difference: ArmDifference;
  /**
   * `holds`: the interval lies below 0 and the Holm-adjusted p is below 0.05; `reversed`: the same
   * above 0; `not shown`: otherwise (the interval contains 0, or the test does not survive Holm's
   * adjustment); `one seed`: no interval.
   */
  verdict: Verdict;
}

export type Verdict = 'holds' | 'reversed' | 'not shown' | 'one seed';

/** The level at which a Holm-adjusted p-value counts. */
export const ALPHA = 0.05;

/** The verdict of "a is better than b" from `a - b`, its interval and Holm-adjusted p (see `TransferClaim.verdict`). */
export function verdictOf(d: ArmDifference): Verdict {
  if (!Number.isFinite(d.hi) || !Number.isFinite(d.lo)) return 'one seed';
  const significant = d.pHolm < ALPHA;
  return d.hi < 0 && significant ? 'holds' : d.lo > 0 && significant ? 'reversed' : 'not shown';
}

/**
 * The claims, per group (panel and pre-training kind): at the fewest labels, frozen features beat
 * scratch, pre-trained frozen features beat random frozen ones, and full fine-tuning beats scratch;
 * with the most labels, full fine-tuning beats frozen features and beats scratch. A claim whose
 * arms are missing is left out. Bootstrap streams fork from `Rng(0).fork('transfer-claims')`.
 */
export function transferClaims(groups: readonly TransferGroup[]): TransferClaim[] {
  const root = new Rng(0).fork('transfer-claims');
  const out: TransferClaim[] = [];
  for (const g of groups) {
    const few = Math.min(...g.fractions), most = Math.max(...g.fractions);
    const arm = (mode: TransferMode, f: number): TransferArm | undefined => g.rows.find((r) => r.mode === mode)?.byFraction.get(f);
    const add = (id: TransferClaim['id'], a: TransferMode, b: TransferMode, f: number, text: string): void => {
      const x = arm(a, f), y = arm(b, f);
      if (!x || !y) return;
      const difference = armDifference(x, y, root, [g.panel, g.kind, f, id]);
      out.push({ id, panel: g.panel, panelName: g.panelName, kind: g.kind, kindName: g.kindName, fraction: f, text, a: modeName(a, x.trainTop), b: modeName(b, y.trainTop), difference, verdict: 'one seed' });
    };
    add('frozen-beats-scratch', 'frozen', 'scratch', few, 'frozen features beat training from scratch');
    add('pretrained-beats-random', 'frozen', 'random-frozen', few, 'pre-trained frozen features beat random frozen features');
    add('full-beats-scratch-few', 'full', 'scratch', few, 'full fine-tuning beats training from scratch');
    if (most !== few) {
      add('full-beats-frozen', 'full', 'frozen', most, 'full fine-tuning beats frozen features');
      add('full-beats-scratch-all', 'full', 'scratch', most, 'full fine-tuning beats training from scratch');
    }
  }
  const adjusted = holmAdjust(out.map((c) => c.difference.p));
  out.forEach((c, i) => {
    c.difference.pHolm = adjusted[i]!;
    c.verdict = verdictOf(c.difference);
  });
  return out;
}

/** A record's `analysis.weightChange` (null when absent or not in the expected shape). */
export function weightChangesOf(r: TrialRecord): LayerWeightChange[] | null {
  const wc = (r.result?.analysis as { weightChange?: unknown } | undefined)?.weightChange;
  if (!Array.isArray(wc)) return null;
  return wc.every((l) => typeof l?.layer === 'number' && typeof l?.relativeChange === 'number' && typeof l?.signChange === 'number') ? (wc as LayerWeightChange[]) : null;
}

/** Mean over an arm's seeds of one layer's relative change and sign changes (NaN when no record has it). */
export function layerMovement(a: TransferArm, layer: number): { relative: number; signs: number; n: number; name: string } {
  const ls = a.records.flatMap((r) => weightChangesOf(r)?.filter((l) => l.layer === layer) ?? []);
  const named = ls.find((l) => l.kind !== undefined);
  return { relative: mean(ls.map((l) => l.relativeChange)), signs: mean(ls.map((l) => l.signChange)), n: ls.length, name: named ? `${named.kind} ${layer}` : `layer ${layer}` };
}

/** The layers (1-based) an arm's records measured, ascending. */
export function measuredLayers(a: TransferArm): number[] {
  return [...new Set(a.records.flatMap((r) => (weightChangesOf(r) ?? []).map((l) => l.layer)))].sort((x, y) => x - y);
}

/** "Fine-tuning moves the bottom layer less than the top one" in one group, as a number. */
export interface MovementReading {
  group: TransferGroup;
  fraction: number;
  /** Mean relative change of layer 1 and of the top layer. */
  bottom: number;
  top: number;
  /** Layer 1 minus the top layer, paired by seed; Holm over the groups' readings. */
  difference: ArmDifference;
  verdict: Verdict;
}

/** The movement readings of every group that has one, Holm-adjusted together (see `bottomVsTopMovement`). */
export function movementReadings(groups: readonly TransferGroup[]): MovementReading[] {
  const out = groups.flatMap((g) => {
    const m = bottomVsTopMovement(g);
    return m ? [{ group: g, ...m, verdict: 'one seed' as Verdict }] : [];
  });
  const adjusted = holmAdjust(out.map((m) => m.difference.p));
  out.forEach((m, i) => {
    m.difference.pHolm = adjusted[i]!;
    m.verdict = verdictOf(m.difference);
  });
  return out;
}

/**
 * "Fine-tuning moves the bottom layer less than the top one" made a number: in full fine-tuning of
 * the group's pre-trained network with the most labels, the relative change of layer 1 minus that
 * of the top layer, paired by seed (null without two measured layers; `pHolm` is p until
 * `movementReadings` adjusts it).
 */
export function bottomVsTopMovement(g: TransferGroup): { fraction: number; bottom: number; top: number; difference: ArmDifference } | null {
  const most = Math.max(...g.fractions);
  const full = g.rows.find((r) => r.mode === 'full')?.byFraction.get(most);
  if (!full) return null;
  const layers = measuredLayers(full);
  if (layers.length < 2) return null;
  const top = layers.at(-1)!;
  const at = (layer: number): { seed: number; value: number }[] =>
    full.records.flatMap((r) => {
      const l = weightChangesOf(r)?.find((x) => x.layer === layer);
      return l ? [{ seed: r.seed, value: l.relativeChange }] : [];
    });
  const x = at(1), y = at(top);
  const root = new Rng(0).fork('transfer-movement');
  let difference: ArmDifference;
  if (x.length >= 2 && y.length >= 2) {
    const k = compareSeeded(x, y, { rng: root.fork(g.panel, g.kind), resamples: BOOTSTRAP_RESAMPLES });
    difference = { difference: k.difference, lo: k.ci.lo, hi: k.ci.hi, p: k.p, pHolm: k.p, n: k.seeds.length, paired: k.design === 'paired' };
  } else difference = { difference: mean(x.map((v) => v.value)) - mean(y.map((v) => v.value)), lo: NaN, hi: NaN, p: NaN, pHolm: NaN, n: Math.min(x.length, y.length), paired: false };
  return { fraction: most, bottom: mean(x.map((v) => v.value)), top: mean(y.map((v) => v.value)), difference };
}
