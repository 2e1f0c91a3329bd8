/**
 * The transfer-modes report: the numbers (`transfer-arms.ts`) on cells whose test errors are known,
 * and the section of a miniature of the real study (trained in this process), in linkedom and in
 * headless Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseHTML } from 'linkedom';
import transferModes from '../../experiments/transfer-modes.ts';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import type { Setting } from '../../src/experiments/expand.ts';
import type { CellSummary } from '../../src/experiments/select.ts';
import type { TrialRecord } from '../../src/experiments/store.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';
import { runAnalysedTrial } from '../../src/analysis/analysed-trial.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { movementReadings, transferArms, transferClaims, transferGroups, transferMode, verdictOf } from '../../src/report/transfer-arms.ts';
import { transferModesSection } from '../../src/report/transfer-modes-section.ts';
import { skipWithoutChromium, withReportPage } from '../helpers/chromium.ts';

const SEEDS = [1, 2, 3, 4];
let made = 0;

/** A cell of the study with test errors `mean + jitter` on four seeds, and per-layer relative changes `moves`. */
function cell(pretrain: string, trainTop: number | null, labeled: number, mean: number, moves: [number, number]): CellSummary {
  const setting: Setting = { model: { depth: 2, hidden: 8 }, pretrain: { kind: pretrain }, 'finetune.trainTop': trainTop, 'data.labeled': labeled };
  const config = resolveTrialConfig({ model: { depth: 2, hidden: 8 }, pretrain: { kind: pretrain }, finetune: { trainTop }, data: { labeled } });
  const shift = (made += 1); // each cell its own jitter, so paired differences vary over seeds
  const values = SEEDS.map((s) => mean + 0.001 * Math.sin(1.7 * s * shift));
  const records = SEEDS.map((seed, i): TrialRecord => ({
    status: 'done', seed, config: { ...config, seed }, cell: setting,
    result: { final: { test: { error: values[i]!, nll: 0 } }, analysis: { weightChange: moves.map((m, l) => ({ layer: l + 1, kind: 'dense', name: `hidden.${l}`, signChange: m / 10, relativeChange: m * (1 + 0.01 * seed), absoluteChange: m })) } },
  }) as unknown as TrialRecord);
  return {
    cell: setting, label: JSON.stringify(setting), chosen: {}, candidates: [], selection: 'none', selectionSeeds: SEEDS, evaluationSeeds: SEEDS,
    test: { mean, std: 0.001, n: 4, values, seeds: SEEDS }, valid: { mean, std: 0 }, nDiverged: 0, nMissing: 0, records,
  };
}

// With few labels frozen SDAE features (20%) beat scratch (30%) and random frozen features (40%);
// with all labels full fine-tuning (2%) beats frozen features (5%) and scratch (3%); at 1% full
// fine-tuning (30%) ties scratch (30%).
const ERR: Record<string, [number, number]> = { 'none:null': [0.03, 0.3], 'none:0': [0.1, 0.4], 'sdae:0': [0.05, 0.2], 'sdae:1': [0.03, 0.25], 'sdae:null': [0.02, 0.3] };
const cells: CellSummary[] = [];
for (const [key, [all, few]] of Object.entries(ERR)) {
  const [kind, top] = key.split(':');
  const trainTop = top === 'null' ? null : Number(top);
  const moves: [number, number] = trainTop === 0 ? [0, 0] : trainTop === 1 ? [0, 0.5] : [0.2, 0.6];
  cells.push(cell(kind!, trainTop, 1, all, moves), cell(kind!, trainTop, 0.01, few, moves));
}

test('transferMode names the six modes from pretrain.kind and trainTop', () => {
  assert.deepEqual([['none', null], ['none', 0], ['none', 2], ['sdae', 0], ['sdae', 1], ['supervised', null]].map(([k, t]) => transferMode(k as string, t as number | null)), ['scratch', 'random-frozen', 'random-top', 'frozen', 'top', 'full']);
});

test('verdictOf: a claim holds (or is reversed) only when its interval excludes 0 and its Holm-adjusted p is below 0.05', () => {
  const d = (lo: number, hi: number, pHolm: number) => ({ difference: (lo + hi) / 2, lo, hi, p: pHolm / 4, pHolm, n: 4, paired: true });
  assert.equal(verdictOf(d(-0.03, -0.01, 0.01)), 'holds');
  assert.equal(verdictOf(d(0.01, 0.03, 0.01)), 'reversed');
  assert.equal(verdictOf(d(-0.03, -0.01, 0.4)), 'not shown', 'the interval excludes 0 but the test does not survive Holm');
  assert.equal(verdictOf(d(-0.03, 0.01, 0.001)), 'not shown', 'the interval contains 0');
  assert.equal(verdictOf(d(NaN, NaN, NaN)), 'one seed');
});

test('transferGroups compares every mode with full fine-tuning at each fraction, paired by seed', () => {
  const [g, ...rest] = transferGroups(transferArms(cells));
  assert.equal(rest.length, 0, 'one panel, one pre-training kind');
  assert.deepEqual(g!.fractions, [1, 0.01]);
  assert.deepEqual(g!.rows.map((r) => r.name), ['scratch', 'random features (frozen)', 'frozen features', 'top 1 fine-tuned', 'full fine-tuning']);
  const d = g!.vsFull.get(1)!.get('frozen features')!;
  assert.ok(Math.abs(d.difference - 0.03) < 0.002 && d.paired && d.n === 4 && d.lo > 0, JSON.stringify(d));
  assert.ok(g!.vsFull.get(0.01)!.get('frozen features')!.hi < 0);
  assert.ok(!g!.vsFull.get(1)!.has('full fine-tuning'), 'the reference is not compared with itself');
});

test('transferClaims states each claim as a difference with its interval: holds, reversed, or not shown', () => {
  const claims = transferClaims(transferGroups(transferArms(cells)));
  const v = Object.fromEntries(claims.map((c) => [c.id, [c.verdict, Math.round(100 * c.difference.difference) + 0, c.fraction]]));
  assert.deepEqual(v, {
    'frozen-beats-scratch': ['holds', -10, 0.01],
    'pretrained-beats-random': ['holds', -20, 0.01],
    'full-beats-scratch-few': ['not shown', 0, 0.01],
    'full-beats-frozen': ['holds', -3, 1],
    'full-beats-scratch-all': ['holds', -1, 1],
  });
  const reversed = transferClaims(transferGroups(transferArms(cells.map((c) => (c.cell['finetune.trainTop'] === 0 && (c.cell['pretrain'] as { kind: string }).kind === 'sdae' && c.cell['data.labeled'] === 0.01 ? cell('sdae', 0, 0.01, 0.5, [0, 0]) : c)))));
  assert.equal(reversed.find((c) => c.id === 'frozen-beats-scratch')!.verdict, 'reversed');
  assert.ok(claims.every((c) => c.difference.pHolm >= c.difference.p && c.difference.pHolm <= 1), 'Holm-adjusted p-values');
});

test('movementReadings: in full fine-tuning with every label, layer 1 moved less than layer 2 (paired by seed)', () => {
  const [m, ...rest] = movementReadings(transferGroups(transferArms(cells)));
  assert.equal(rest.length, 0);
  if (!m) throw new Error('no reading');
  assert.equal(m.fraction, 1);
  assert.ok(Math.abs(m.bottom - 0.2 * 1.025) < 1e-12 && Math.abs(m.top - 0.6 * 1.025) < 1e-12);
  assert.equal(m.verdict, 'holds');
});

test('the section prints the claims table, a table per pre-training and the weight movement, frozen layers as 0 (frozen)', () => {
  const s = transferModesSection(cells)!;
  const doc = parseHTML(`<!DOCTYPE html><html><body>${s.body.markup}</body></html>`).document;
  assert.equal(doc.querySelectorAll('#transfer-claims tbody tr').length, 5);
  const cellOf = (id: string): Element => doc.querySelector(`#transfer-claims td[data-claim="${id}"]`)!;
  assert.equal(cellOf('frozen-beats-scratch').getAttribute('data-verdict'), 'holds');
  assert.match(cellOf('frozen-beats-scratch').textContent!, /^-(9\.9|10\.0)\d \[-10\.\d\d, -9\.\d\d\]holds$/);
  assert.match(cellOf('full-beats-frozen').textContent!, /^-(2\.9|3\.0)\d \[-3\.\d\d, -2\.\d\d\]holds$/);
  assert.equal(cellOf('full-beats-scratch-few').getAttribute('data-verdict'), 'not shown');
  const rows = [...doc.querySelectorAll('table.transfer-table tbody tr')].map((r) => r.getAttribute('data-mode'));
  assert.deepEqual(rows, ['scratch', 'random-frozen', 'frozen', 'top', 'full']);
  const frozen = doc.querySelector('table.transfer-movement tr[data-mode="frozen"]')!;
  assert.deepEqual([...frozen.querySelectorAll('td.num')].map((t) => t.textContent), ['0 (frozen)', '0 (frozen)', '0 (frozen)', '0 (frozen)']);
  assert.match(doc.querySelector('p[data-claim="bottom-moves-less"]')!.textContent!, /relative change 0\.205 vs 0\.615.*holds/);
  assert.equal(s.chart!.marks, 10);
});

/** The study in miniature (100 digits of 5-9, tiny MLP and conv net, 1 epoch of pre-training, 2 of fine-tuning, 2 seeds), really trained. */
async function miniature(): Promise<ReturnType<typeof writeReport>> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-transfer-'));
  const source = { name: 'mnist', labels: [0, 1, 2, 3, 4], trainSize: 50, validSize: 20, testSize: 20 };
  const exp = resolveExperiment(transferModes, {
    preset: 'quick',
    seeds: 2,
    backend: 'reference',
    overrides: {
      trainSize: 100, validSize: 30, testSize: 30, pretrainEpochs: 1, epochs: 2, batchSize: 10, pretrainBatchSize: 10,
      model: [{ depth: 2, hidden: 8 }, { layers: 'conv 2 5x5, pool 4, conv 3 3x3' }],
      pretrain: [{ kind: 'none' }, { kind: 'sdae' }, { kind: 'supervised', source }],
      'data.labeled': [1, 0.1],
    },
  });
  const s = await runExperiment(exp, { runsDir, trial: runAnalysedTrial });
  return writeReport(s.storeDir);
}

const report = miniature();

test('the transfer-modes report of a real miniature run: every group, claim and layer, frozen layers exactly 0', async () => {
  const r = await report;
  const doc = parseHTML(fs.readFileSync(r.path, 'utf8')).document;
  assert.equal(doc.querySelectorAll('table.transfer-table').length, 4, '2 networks x 2 pre-training kinds');
  assert.equal(doc.querySelectorAll('#transfer-claims td[data-claim]').length, 4 * 5);
  for (const t of doc.querySelectorAll('table.transfer-table')) assert.equal(t.querySelectorAll('tbody tr').length, 6);
  const conv = [...doc.querySelectorAll('table.transfer-movement')].find((t) => t.getAttribute('data-panel')!.startsWith('conv net'))!;
  assert.deepEqual([...conv.querySelectorAll('thead th')].slice(1, 3).map((h) => h.textContent), ['100%: conv 1', '100%: conv 2']);
  const frozen = [...conv.querySelectorAll('tr[data-mode="frozen"] td.num')].map((t) => t.textContent);
  assert.deepEqual(frozen, ['0 (frozen)', '0 (frozen)', '0 (frozen)', '0 (frozen)']);
  const top = [...conv.querySelectorAll('tr[data-mode="top"] td.num')].map((t) => t.textContent);
  assert.equal(top[0], '0 (frozen)', 'top 1: the bottom conv layer is frozen');
  assert.ok(Number(top[1]) > 0, 'and the top one moved');
  const chart = r.charts.find((c) => c.id === 'chart-transfer-modes')!;
  assert.equal(chart.marks, 4 * 6 * 2);
});

test('the transfer-modes report renders in headless Chromium and its chart draws every point', { skip: skipWithoutChromium(), timeout: 120_000 }, async () => {
  const r = await report;
  await withReportPage(r.path, async (page, problems) => {
    const c = await page.$eval('#chart-transfer-modes', (f) => ({ expected: Number(f.getAttribute('data-marks')), drawn: f.querySelectorAll(f.getAttribute('data-mark-selector')!).length }));
    assert.equal(c.drawn, c.expected);
    const claims = await page.$$eval('#transfer-claims td[data-claim]', (ts) => ts.map((t) => t.getBoundingClientRect().width));
    assert.ok(claims.every((w) => w > 40), 'every claim cell is visible');
    assert.deepEqual(problems, []);
  });
});
