/**
 * Two arms of a study measured over seeds, compared the one way the project compares them: paired
 * by seed when they share at least two seeds (the paired t-test and a paired bootstrap interval of
 * the mean difference, over the seeds both have, ascending), else unpaired (Welch's t-test and a
 * bootstrap interval resampling each arm). Welch's test on every value of each arm is computed in
 * both designs. Used by the report's cell comparisons (`compareCells`) and its NLL tables.
 */
import { bootstrapPairedCi, bootstrapUnpairedCi, type BootstrapCi, type BootstrapOptions } from './bootstrap.ts';
import { pairedTTest, type PairedTResult } from './paired-t.ts';
import { welchTTest, type WelchResult } from './welch.ts';

/** One arm's value on one seed. */
export interface SeededValue {
  seed: number;
  value: number;
}

export interface SeededComparison {
  design: 'paired' | 'unpaired';
  /** Paired design: the common seeds, ascending, and both arms' values on them (`a[i] - b[i]` is pair i); empty when unpaired. */
  seeds: number[];
  a: number[];
  b: number[];
  /** Arm a minus arm b: the mean paired difference, else the difference of the means. */
  difference: number;
  /** 95% (or `opts.level`) bootstrap interval of `difference`. */
  ci: BootstrapCi;
  /** The paired t-test (null when unpaired). */
  pairedT: PairedTResult | null;
  /** Welch's t-test on all values of each arm. */
  welch: WelchResult;
  /** The comparison's two-sided p: the paired t-test's when paired, else Welch's. */
  p: number;
}

/** Compares arm `a` with arm `b` (see the module comment); `pair: false` forces the unpaired design. */
export function compareSeeded(a: readonly SeededValue[], b: readonly SeededValue[], opts: BootstrapOptions & { pair?: boolean }): SeededComparison {
  const all = { a: a.map((x) => x.value), b: b.map((x) => x.value) };
  const welch = welchTTest(all.a, all.b);
  const bySeed = new Map(b.map((x) => [x.seed, x.value]));
  const pairs = opts.pair === false ? [] : a.filter((x) => bySeed.has(x.seed)).sort((x, y) => x.seed - y.seed);
  if (pairs.length >= 2) {
    const pa = pairs.map((x) => x.value), pb = pairs.map((x) => bySeed.get(x.seed)!);
    const t = pairedTTest(pa, pb);
    return { design: 'paired', seeds: pairs.map((x) => x.seed), a: pa, b: pb, difference: t.meanDiff, ci: bootstrapPairedCi(pa, pb, opts), pairedT: t, welch, p: t.p };
  }
  const ci = bootstrapUnpairedCi(all.a, all.b, opts);
  return { design: 'unpaired', seeds: [], a: [], b: [], difference: ci.estimate, ci, pairedT: null, welch, p: welch.p };
}
