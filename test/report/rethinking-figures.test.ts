import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseHTML } from 'linkedom';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { errorVsUpdatesSection, rethinkingClaims } from '../../src/report/error-vs-updates-section.ts';
import { gapClaims, trainTestGapSection } from '../../src/report/train-test-gap-section.ts';
import { above0, atMost, below0, holmSettle, overallVerdict, scheduleArms, type TestedRow, type Verdict } from '../../src/report/schedule-arms.ts';
import type { MeanDifference } from '../../src/report/nll-trajectories.ts';
import { pairedTTest } from '../../src/stats/paired-t.ts';
import type { TrialConfig } from '../../src/train/config.ts';
import type { EpochMetrics } from '../../src/train/hooks.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { skipWithoutChromium, withReportPage } from '../helpers/chromium.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const diff = (difference: number, lo: number, hi: number): MeanDifference => ({ difference, lo, hi, p: NaN, n: 4, paired: true });

test('atMost: holds when the interval reaches 0 and stays within the tolerance, fails when it lies above 0, else is not settled', () => {
  assert.equal(atMost(diff(0.001, -0.002, 0.004), 0.005), 'holds');
  assert.equal(atMost(diff(-0.01, -0.02, -0.005), 0.005), 'holds', 'below 0 is within any tolerance');
  assert.equal(atMost(diff(0.01, 0.002, 0.02), 0.05), 'does-not-hold', 'significantly above 0: behind');
  assert.equal(atMost(diff(0.004, -0.002, 0.01), 0.005), 'not-settled', 'the interval admits both');
  assert.equal(atMost(diff(0.004, NaN, NaN), 0.005), 'holds', 'one seed: the point estimate');
  assert.equal(atMost(diff(0.006, NaN, NaN), 0.005), 'does-not-hold');
});

test('below0 / above0 / overallVerdict', () => {
  assert.equal(below0(diff(-0.02, -0.03, -0.01)), 'holds');
  assert.equal(below0(diff(0.02, 0.01, 0.03)), 'does-not-hold');
  assert.equal(below0(diff(0, -0.01, 0.01)), 'not-settled');
  assert.equal(above0(diff(0.02, 0.01, 0.03)), 'holds');
  assert.equal(above0(diff(-0.02, -0.03, -0.01)), 'does-not-hold');
  const all = (...v: Verdict[]): Verdict => overallVerdict(v);
  assert.equal(all('holds', 'holds'), 'holds');
  assert.equal(all('holds', 'not-settled'), 'not-settled');
  assert.equal(all('not-settled', 'does-not-hold', 'holds'), 'does-not-hold');
  assert.equal(all(), 'not-settled');
});

test('holmSettle: a verdict resting on an interval that excludes 0 stands only when its Holm-adjusted p < 0.05; a tolerance verdict needs no test', () => {
  const row = (p: number, verdict: Verdict, viaZero: boolean): TestedRow => ({ difference: { ...diff(0.01, 0.005, 0.02), p }, verdict, viaZero, pHolm: NaN });
  const rows = [row(0.001, 'holds', true), row(0.02, 'does-not-hold', true), row(0.03, 'holds', false), row(NaN, 'holds', true)];
  rows[3]!.difference = { ...rows[3]!.difference, lo: NaN, hi: NaN };
  holmSettle(rows);
  // Three defined p-values: 0.001 x 3 = 0.003, 0.02 x 2 = 0.04, 0.03 x 1 -> 0.04 (running maximum).
  assert.deepEqual(rows.map((r) => r.pHolm), [0.003, 0.04, 0.04, NaN]);
  assert.deepEqual(rows.map((r) => r.verdict), ['holds', 'does-not-hold', 'holds', 'holds']);
  const weak = [row(0.02, 'holds', true), row(0.03, 'holds', true), row(0.04, 'does-not-hold', true), row(0.5, 'holds', false)];
  holmSettle(weak);
  assert.deepEqual(weak.map((r) => r.verdict), ['not-settled', 'not-settled', 'not-settled', 'holds'], 'p 0.02 x 4 = 0.08: no longer settled; the tolerance row stands');
});

/**
 * A synthetic world of the rethinking study: test error after u updates is
 * `end + (start - end) exp(-u / 30)` plus a little seed noise, the end and start set per arm.
 * In the world where the retelling holds: pre-training starts low (head start), every arm ends at
 * the same error from 10% of the labels up, scratch ends 5 points higher at 1%, and the train
 * error is 0 below 100% (so the gap is the test error), batch norm 1 point worse than group norm.
 * In the contrary world every claim is reversed.
 */
type World = 'retelling' | 'contrary';
let world: World = 'retelling';

function arm(config: TrialConfig): { pre: boolean; m: number; f: number; bn: boolean } {
  return { pre: config.pretrain.kind !== 'none', m: config.finetune.multiplier, f: config.data.labeled ?? 1, bn: config.model.norm === 'batch' };
}

function endError(config: TrialConfig): number {
  const a = arm(config);
  const base = 0.02 / Math.sqrt(a.f);
  const norm = a.bn ? (world === 'retelling' ? 0.01 : -0.01) : 0;
  if (world === 'retelling') return base + norm + (a.f < 0.1 && !a.pre ? 0.05 : 0);
  // Contrary: scratch never catches up from 10% up, catches up at 1%.
  return base + norm + (a.f >= 0.1 && !a.pre ? 0.03 : 0) + (a.f < 0.1 && a.pre ? 0.01 : 0);
}

function startError(config: TrialConfig): number {
  const a = arm(config);
  return a.pre === (world === 'retelling') ? 0.1 : 0.5;
}

function trainError(config: TrialConfig, test: number): number {
  const a = arm(config);
  if (world === 'contrary' && a.f >= 0.1 && a.f < 1) return a.pre ? test - 0.001 : 0; // pre-training's gap tiny: it does reduce overfitting
  return a.f < 1 ? 0 : test / 2;
}

const noise = (config: TrialConfig): number => 0.0004 * ((config.seed * 7 + arm(config).m * 3 + (arm(config).pre ? 1 : 0)) % 5);

/** A trial function returning the records a rethinking trial makes: a history with `updates`, final train and test errors. */
async function rethinkingTrial(config: TrialConfig): Promise<TrialResult> {
  const total = config.finetune.updates! * config.finetune.multiplier, every = config.finetune.evalEvery!;
  const history: EpochMetrics[] = [];
  const end = endError(config) + noise(config), start = startError(config);
  const at = (u: number): number => end + (start - end) * Math.exp(-u / 30);
  for (let u = every, k = 1; u <= total; u += every, k++) {
    const e = at(u);
    history.push({ phase: 'finetune', epoch: k, seconds: 0, values: { updates: u, testError: e, trainError: trainError(config, e), validError: e } });
  }
  const last = history.at(-1)!.values;
  const score = (error: number) => ({ error, nll: 2 * error });
  return {
    final: { train: score(last['trainError']!), valid: score(last['validError']!), test: score(last['testError']!) },
    bestEpoch: history.length, epochsRun: history.length, history,
    seconds: { pretrain: 0, finetune: 0, total: 0 }, checkpoint: null, backend: 'synthetic', variant: { backend: 'synthetic' } as never,
  };
}

const PRE = 'pre-trained 1x';
const study: ExperimentInput = {
  id: 'toy-rethinking', paper: 'He et al. 2019 (synthetic)', description: 'toy', backend: 'reference',
  data: { name: 'mnist', trainSize: 100 },
  model: { layers: 'dense 8', groups: 4 },
  pretrain: { source: { name: 'mnist', labels: [0, 1] } },
  finetune: { updates: 400, evalEvery: 100, schedule: 'step', stepsFromEnd: true, patience: null },
  scientific: {
    'model.norm': ['group', 'batch'],
    arm: {
      [PRE]: { pretrain: { kind: 'supervised' }, finetune: { multiplier: 1 } },
      'scratch 1x': { pretrain: { kind: 'none' }, finetune: { multiplier: 1 } },
      'scratch 4x': { pretrain: { kind: 'none' }, finetune: { multiplier: 4 } },
    },
    'data.labeled': [1, 0.1, 0.01],
  },
  compare: { factor: 'arm', baseline: PRE },
  seeds: 4,
  figures: ['error-vs-updates', 'error-vs-factor', 'train-test-gap', 'table'],
};

async function report(w: World): Promise<ReturnType<typeof writeReport>> {
  world = w;
  const runsDir = tempDir('pl-rethinking-');
  const s = await runExperiment(resolveExperiment(defineExperiment(study), {}), { runsDir, trial: rethinkingTrial });
  return writeReport(s.storeDir);
}

const docOf = (file: string): Document => parseHTML(fs.readFileSync(file, 'utf8')).document as unknown as Document;
const claims = (doc: Document): Record<string, string> =>
  Object.fromEntries([...doc.querySelectorAll('li[data-claim]')].map((l) => [`${l.getAttribute('data-claim')} ${l.getAttribute('data-panel')}`, l.getAttribute('data-holds')!]));

test('the error-vs-updates chart draws one line per cell, and the report reads the arms and fractions from the records', async () => {
  const r = await report('retelling');
  const chart = r.charts.find((c) => c.id === 'chart-error-vs-updates')!;
  assert.equal(chart.marks, 2 * 3 * 3);
  const doc = docOf(r.path);
  assert.equal(doc.querySelectorAll(`#chart-error-vs-updates ${chart.markSelector}`).length, 18);
  assert.match(doc.querySelector('#chart-error-vs-updates')!.textContent!, /pre-trained 1x/);
  const arms = scheduleArms(r.cells, 'arm', PRE);
  assert.deepEqual([...new Set(arms.map((a) => a.arm))], ['pre-trained 1x', 'scratch 1x', 'scratch 4x']);
  assert.deepEqual([...new Set(arms.map((a) => a.fraction))], [1, 0.1, 0.01]);
  assert.deepEqual([...new Set(arms.map((a) => a.rest))], ['norm=group', 'norm=batch']);
  assert.equal(arms.filter((a) => a.baseline).length, 6);
  const gap = r.charts.find((c) => c.id === 'chart-train-test-gap')!;
  assert.equal(doc.querySelectorAll(`#chart-train-test-gap ${gap.markSelector}`).length, 18);
  assert.ok(r.charts.some((c) => c.id === 'chart-error-vs-labeled'), 'the error-vs-factor figure over the fraction');
});

test('where the retelling holds, every claim says so, with the paired difference of the seeds', async () => {
  const r = await report('retelling');
  const doc = docOf(r.path);
  const got = claims(doc);
  for (const norm of ['norm=group', 'norm=batch']) {
    for (const c of ['catch-up', 'not-at-small', 'faster', 'no-less-overfitting', 'small-data-exception']) assert.equal(got[`${c} ${norm}`], 'true', `${c} ${norm}`);
  }
  assert.equal(got['bn-suffers (all)'], 'true');
  // The 1% row of not-at-small is scratch 4x minus pre-trained 1x at the end, paired by seed.
  const s = errorVsUpdatesSection(r.cells, 'arm', PRE)!;
  const row = s.claims.find((c) => c.claim === 'not-at-small' && c.rest === 'norm=group')!.rows[0]!;
  const ends = (pre: boolean, m: number): number[] => [1, 2, 3, 4].map((seed) => {
    const c = { seed, pretrain: { kind: pre ? 'supervised' : 'none' }, finetune: { multiplier: m }, data: { labeled: 0.01 }, model: { norm: 'group' } } as TrialConfig;
    return endError(c) + noise(c);
  });
  const want = pairedTTest(ends(false, 4), ends(true, 1));
  assert.ok(Math.abs(row.difference.difference - want.meanDiff) < 1e-6, `${row.difference.difference} vs ${want.meanDiff}`);
  assert.equal(row.difference.paired, true);
  // "Early" is read at the first evaluation at or after a quarter of the 400-update schedule.
  const faster = s.claims.find((c) => c.claim === 'faster')!;
  assert.deepEqual(faster.rows.map((x) => x.at), ['at 100 updates', 'at 100 updates', 'at 100 updates']);
  assert.equal(doc.querySelectorAll('table.rethinking-claim').length, s.claims.length);
  assert.equal(doc.querySelectorAll('table.train-test-gap').length, gapClaims(scheduleArms(r.cells, 'arm', PRE)).length);
});

test('where the retelling does not hold, every claim says so', async () => {
  const r = await report('contrary');
  const got = claims(docOf(r.path));
  for (const norm of ['norm=group', 'norm=batch']) {
    for (const c of ['catch-up', 'not-at-small', 'faster', 'no-less-overfitting', 'small-data-exception']) assert.equal(got[`${c} ${norm}`], 'false', `${c} ${norm}`);
  }
  assert.equal(got['bn-suffers (all)'], 'false');
});

test('an interval too wide to settle a claim is reported as not settled', async () => {
  const r = await report('retelling');
  // Two seeds whose differences disagree in sign: the 1% difference of the group-norm arms.
  const cells = r.cells.map((c) => ({ ...c, records: c.records.filter((x) => x.seed <= 2).map((x) => {
    if (x.config.data.labeled !== 0.01 || x.config.pretrain.kind !== 'none') return x;
    const shift = x.seed === 1 ? -0.09 : 0.01;
    return { ...x, result: { ...x.result!, final: { ...x.result!.final, test: { ...x.result!.final.test, error: x.result!.final.test.error + shift } } } };
  }) }));
  const c = rethinkingClaims(scheduleArms(cells, 'arm', PRE)).find((k) => k.claim === 'not-at-small' && k.rest === 'norm=group')!;
  assert.equal(c.verdict, 'not-settled', JSON.stringify(c.rows[0]!.difference));
});

test('a study without updates in its records draws neither figure', () => {
  const cells = [{ cell: { 'pretrain.kind': 'none' }, label: 'pretrain=none', records: [{ status: 'done', seed: 1, hash: 'h', config: { pretrain: { kind: 'none', layers: null }, finetune: { multiplier: 1 }, data: { labeled: null } }, result: { final: { train: { error: 0.1 }, test: { error: 0.1 } }, history: [{ phase: 'finetune', epoch: 1, seconds: 0, values: { testError: 0.1 } }] } }] }] as never;
  assert.equal(errorVsUpdatesSection(cells, 'pretrain.kind', 'none'), null);
  const gap = trainTestGapSection(cells, 'pretrain.kind', 'none');
  assert.ok(gap === null || gap.claims.length === 0);
});

test('in headless Chromium the two rethinking figures draw all their marks, visibly, and the claim tables fill', { skip: skipWithoutChromium(), timeout: 120_000 }, async () => {
  const r = await report('retelling');
  await withReportPage(r.path, async (page, problems) => {
    for (const id of ['chart-error-vs-updates', 'chart-train-test-gap']) {
      const fig = await page.$eval(`#${id}`, (f) => {
        const marks = [...f.querySelectorAll(f.getAttribute('data-mark-selector')!)];
        const seen = marks.filter((m) => { const st = getComputedStyle(m); return (m.tagName === 'circle' ? st.fill : st.stroke) !== 'none'; });
        return { expected: Number(f.getAttribute('data-marks')), drawn: marks.length, visible: seen.length, width: f.getBoundingClientRect().width };
      });
      assert.ok(fig.expected > 0, id);
      assert.equal(fig.drawn, fig.expected, id);
      assert.equal(fig.visible, fig.expected, `${id}: every mark has a colour`);
      assert.ok(fig.width > 300, `${id} is laid out`);
    }
    const rows = await page.$$eval('table.rethinking-claim tbody tr, table.train-test-gap tbody tr', (t) => t.length);
    // rethinking-claim: catch-up 2 rows + not-at-small 1 + faster 3, per norm, + bn-suffers 3; train-test-gap: 2 rows per fraction, 3 fractions per norm.
    assert.equal(rows, 2 * (2 + 1 + 3) + 3 + 2 * 2 * 3);
    assert.deepEqual(problems, []);
  });
});
