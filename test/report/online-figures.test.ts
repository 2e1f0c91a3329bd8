import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHTML } from 'linkedom';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import type { TrialFunctionOptions } from '../../src/experiments/trial-function.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { onlineErrorSection } from '../../src/report/online-error-section.ts';
import { trainErrorBlocksSection } from '../../src/report/train-error-blocks-section.ts';
import { pairedTTest } from '../../src/stats/paired-t.ts';
import { writeCheckpoint } from '../../src/train/checkpoint.ts';
import type { TrialConfig } from '../../src/train/config.ts';
import type { EpochMetrics } from '../../src/train/hooks.ts';
import type { TrialResult } from '../../src/train/trial-result.ts';
import { skipWithoutChromium, withReportPage } from '../helpers/chromium.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** The synthetic online error after `seen` supervised examples: pre-training lowers the floor, the gap grows with examples. */
function onlineError(kind: string, depth: number, seen: number, seed: number): number {
  const floor = kind === 'none' ? 0.04 * depth : kind === 'dbn' ? 0.03 : 0.025;
  const slope = kind === 'none' ? 0.2 : 0.1;
  return floor + slope / (1 + seen / 500) + 0.002 * seed;
}

/** Amplitude of the outputs' spread across draws: early blocks more, pre-training less, the last block a little more again. */
function amplitude(kind: string, block: number, blocks: number, seed: number): number {
  const a = (kind === 'none' ? 0.2 : 0.1) / (1 + block) + (block === blocks - 1 ? 0.02 : 0);
  return a * (1 + 0.05 * seed);
}

const TEST_OUTPUTS = 'test-outputs.safetensors';
const DRAW_OFFSET = [-1, 0, 1];

/**
 * A trial function whose results have the shape of an online trial's (contract C2): pre-training
 * history entries, one supervised block per `online.blockSize`, `analysis.online` with
 * `trainErrorByBlock` and the `outputs` side file. With draws 1..3 of a block the outputs are
 * `0.1 + DRAW_OFFSET[draw - 1] * amplitude`, so their variance across draws is exactly amplitude^2.
 */
async function onlineTrial(config: TrialConfig, opts: TrialFunctionOptions): Promise<TrialResult> {
  const o = config.online!;
  const kind = config.pretrain.kind, seed = config.seed, depth = config.model.depth;
  const pretrainExamples = kind === 'none' ? 0 : Math.round(o.examples * o.pretrainFraction);
  const supervised = o.examples - pretrainExamples;
  const history: EpochMetrics[] = kind === 'none' ? [] : [{ phase: 'pretrain', layer: 0, epoch: 1, seconds: 0, values: { reconstruction: 40, examplesSeen: pretrainExamples } }];
  for (let seen = o.blockSize, k = 1; seen <= supervised; seen += o.blockSize, k++) {
    const e = onlineError(kind, depth, seen, seed);
    history.push({ phase: 'finetune', epoch: k, seconds: 0, values: { examplesSeen: seen, streamPosition: pretrainExamples + seen, onlineError: e, blockError: e, blockNll: 2 * e } });
  }
  const last = history.at(-1)!.values['onlineError']!;
  const trainErrorByBlock = o.trainErrorBlocks ? Array.from({ length: o.trainErrorBlocks }, (_, b) => onlineError(kind, depth, supervised, seed) + 0.05 * (o.trainErrorBlocks - b) / o.trainErrorBlocks) : undefined;
  let testOutputs: string | undefined;
  if (o.saveTestOutputs && opts.checkpointDir) {
    const r = o.resample!;
    const n = config.data.testSize! * 10;
    const a = r.draw >= 1 ? amplitude(kind, r.block, r.blocks, seed) * DRAW_OFFSET[r.draw - 1]! : 0;
    writeCheckpoint(path.join(opts.checkpointDir, TEST_OUTPUTS), { outputs: { shape: [config.data.testSize!, 10], data: new Float32Array(n).fill(0.1 + a) } });
    testOutputs = TEST_OUTPUTS;
  }
  const score = { error: last, nll: 2 * last };
  return {
    final: { train: score, valid: score, test: { error: last + 0.01, nll: 2 * last } },
    bestEpoch: history.length, epochsRun: history.length, history,
    seconds: { pretrain: 0, finetune: 0, total: 0 }, checkpoint: null, backend: 'synthetic', variant: { backend: 'synthetic' } as never,
    analysis: { online: { examples: o.examples, pretrainExamples, supervisedExamples: supervised, examplesPerSecond: { pretrain: 1, finetune: 1 }, ...(trainErrorByBlock ? { trainErrorByBlock } : {}), ...(testOutputs ? { testOutputs } : {}) } },
  };
}

const onlineStudy: ExperimentInput = {
  id: 'toy-online', paper: 'Figs. 11-12 (synthetic)', description: 'toy', backend: 'reference',
  data: { name: 'infinite-mnist', testSize: 20 },
  online: { examples: 4000, blockSize: 250, window: 250, selectWindow: 500, trainErrorBlocks: 5 },
  scientific: { model: [{ depth: 1, hidden: 20 }, { depth: 3, hidden: 10 }], pretrain: ['none', 'dbn', 'sdae'] },
  seeds: 3,
  figures: ['online-error', 'train-error-blocks', 'table'],
};

const orderingStudy: ExperimentInput = {
  id: 'toy-ordering', paper: 'Fig. 13 (synthetic)', description: 'toy', backend: 'reference',
  data: { name: 'infinite-mnist', testSize: 5 },
  model: { hidden: 8 },
  online: { examples: 4000, blockSize: 500, saveTestOutputs: true, resample: { blocks: 4, block: -1, draw: 0 } },
  scientific: { pretrain: ['none', 'dbn'], 'online.resample.block': [0, 1, 2, 3], 'online.resample.draw': [1, 2, 3] },
  seeds: 2,
  figures: ['ordering-variance'],
};

async function report(input: ExperimentInput): Promise<ReturnType<typeof writeReport>> {
  const runsDir = tempDir('pl-online-');
  const s = await runExperiment(resolveExperiment(defineExperiment(input), {}), { runsDir, trial: onlineTrial });
  return writeReport(s.storeDir);
}

const docOf = (file: string): Document => parseHTML(fs.readFileSync(file, 'utf8')).document as unknown as Document;
const claim = (doc: Document, name: string): { arm: string | null; panel: string | null; holds: string | null }[] =>
  [...doc.querySelectorAll(`li[data-claim="${name}"]`)].map((l) => ({ arm: l.getAttribute('data-arm'), panel: l.getAttribute('data-panel'), holds: l.getAttribute('data-holds') }));

test('the online-error chart draws one line per cell, labelled by the coupled factor, on a log axis', async () => {
  const r = await report(onlineStudy);
  const chart = r.charts.find((c) => c.id === 'chart-online-error')!;
  assert.equal(chart.marks, 6);
  const doc = docOf(r.path);
  assert.equal(doc.querySelectorAll(`#chart-online-error ${chart.markSelector}`).length, 6);
  assert.match(doc.querySelector('#chart-online-error')!.textContent!, /online error \(%\), log scale/);
  assert.match(doc.querySelector('#chart-online-error')!.textContent!, /depth=3 hidden=10 pretrain=sdae/);
});

test('the online-error tables give pre-trained minus none at the 25/50/75% marks and the end, paired by seed, per depth', async () => {
  const r = await report(onlineStudy);
  const doc = docOf(r.path);
  const tables = [...doc.querySelectorAll('table.online-gap')];
  assert.deepEqual(tables.map((t) => `${t.getAttribute('data-panel')} ${t.getAttribute('data-arm')}`), ['depth=1 hidden=20 dbn', 'depth=1 hidden=20 sdae', 'depth=3 hidden=10 dbn', 'depth=3 hidden=10 sdae']);
  assert.ok(tables.every((t) => t.querySelectorAll('tbody tr').length === 4));
  const cells = r.cells;
  const o = onlineErrorSection(cells, 'pretrain.kind', 'none')!;
  const g = o.gaps.find((x) => x.panel === 'depth=3 hidden=10' && x.arm === 'dbn')!;
  const end = g.rows.at(-1)!;
  const seeds = [1, 2, 3];
  const want = pairedTTest(seeds.map((s) => onlineError('dbn', 3, 3000, s)), seeds.map((s) => onlineError('none', 3, 4000, s)));
  assert.ok(Math.abs(end.gap.difference - want.meanDiff) < 1e-12, 'the end: 3000 supervised examples after 1000 pre-training ones vs 4000');
  assert.equal(end.gap.paired, true);
  assert.ok(end.gap.hi < 0, 'interval below 0');
  const quarter = g.rows[0]!;
  assert.ok(Math.abs(quarter.arm.mean - onlineError('dbn', 3, 250, 2)) < 1e-12, "the pre-trained arm's value at the 25% mark is its first supervised block");
  assert.deepEqual(claim(doc, 'lower-at-end').map((c) => c.holds), ['true', 'true', 'true', 'true']);
  assert.deepEqual(claim(doc, 'not-vanishing').map((c) => c.holds), ['true', 'true', 'true', 'true']);
  assert.deepEqual(claim(doc, 'deeper-worse').map((c) => c.holds), ['true'], 'none: floor 0.12 at depth 3 vs 0.04 at depth 1');
  assert.deepEqual(claim(doc, 'sdae-better-deep').map((c) => c.holds), ['true'], 'depth 3: sdae floor 0.025 vs dbn 0.03');
  const deeper = o.ends.find((e) => e.claim === 'deeper-worse')!;
  assert.equal(deeper.a, 'depth=3 hidden=10 pretrain=none');
  assert.ok(Math.abs(deeper.difference.difference - (onlineError('none', 3, 4000, 1) - onlineError('none', 1, 4000, 1))) < 1e-12);
});

test('the train-error-blocks chart draws a dot per block and cell; pre-training is lower on every block and every arm is better on recent examples', async () => {
  const r = await report(onlineStudy);
  const chart = r.charts.find((c) => c.id === 'chart-train-error-blocks')!;
  assert.equal(chart.marks, 6 * 5);
  const doc = docOf(r.path);
  assert.equal(doc.querySelectorAll(`#chart-train-error-blocks ${chart.markSelector}`).length, 30);
  assert.deepEqual([...doc.querySelectorAll('table.train-error-blocks')].map((t) => [t.getAttribute('data-panel'), t.querySelectorAll('tbody tr').length]), [['depth=1 hidden=20', 5], ['depth=3 hidden=10', 5]]);
  assert.deepEqual(claim(doc, 'across-the-board').map((c) => c.holds), ['true', 'true', 'true', 'true']);
  assert.ok(claim(doc, 'recent-better').every((c) => c.holds === 'true'));
  const s = trainErrorBlocksSection(r.cells, 'pretrain.kind', 'none')!;
  const c = s.comparisons.find((x) => x.panel === 'depth=1 hidden=20' && x.arm === 'sdae')!;
  const seeds = [1, 2, 3];
  const want = pairedTTest(seeds.map((sd) => onlineError('sdae', 1, 3000, sd) + 0.05), seeds.map((sd) => onlineError('none', 1, 4000, sd) + 0.05));
  assert.ok(Math.abs(c.gaps[0]!.difference - want.meanDiff) < 1e-12);
});

test("a numeric comparison factor (Fig. 14's k) names its arms with the factor: pretrain.layers=1 vs pretrain.layers=0, never a bare 1", async () => {
  const r = await report({
    id: 'toy-k-of-n-online', paper: 'Fig. 14 right (synthetic)', description: 'toy', backend: 'reference',
    data: { name: 'infinite-mnist', testSize: 20 },
    model: { depth: 2, hidden: 10 },
    pretrain: { kind: 'sdae' },
    online: { examples: 4000, blockSize: 250, window: 250, selectWindow: 500 },
    scientific: { 'pretrain.layers': [0, 1, 2] },
    compare: { factor: 'pretrain.layers', baseline: 0 },
    seeds: 2,
    figures: ['online-error', 'table'],
  });
  const doc = docOf(r.path);
  assert.deepEqual([...doc.querySelectorAll('table.online-gap')].map((t) => t.getAttribute('data-arm')), ['pretrain.layers=1', 'pretrain.layers=2']);
  const lower = [...doc.querySelectorAll('li[data-claim="lower-at-end"]')].map((l) => l.textContent!);
  assert.equal(lower.length, 2);
  assert.match(lower[0]!, /pretrain\.layers=1 ends with a lower online error than pretrain\.layers=0/);
  assert.match(doc.querySelector('#chart-online-error')!.textContent!, /pretrain\.layers=2/);
});

test('a study without online results draws none of the online figures', () => {
  const cells = [{ cell: { 'pretrain.kind': 'none' }, label: 'pretrain=none', records: [{ status: 'done', seed: 1, hash: 'h', result: { history: [{ phase: 'finetune', epoch: 1, seconds: 0, values: { validError: 0.1 } }] } }] }] as never;
  assert.equal(onlineErrorSection(cells, 'pretrain.kind', 'none'), null);
  assert.equal(trainErrorBlocksSection(cells, 'pretrain.kind', 'none'), null);
});

test('the ordering-variance figure reads the test-output side files: variance across draws per arm and block, mean over init seeds', async () => {
  const r = await report(orderingStudy);
  const chart = r.charts.find((c) => c.id === 'chart-ordering-variance')!;
  assert.equal(chart.marks, 2 * 4);
  const doc = docOf(r.path);
  assert.equal(doc.querySelectorAll(`#chart-ordering-variance ${chart.markSelector}`).length, 8);
  const rows = [...doc.querySelectorAll('#ordering-variance-table tbody tr')];
  assert.equal(rows.length, 4);
  // none, block 1: seeds 1 and 2, variance amplitude^2 each; the table shows their mean.
  const want = (amplitude('none', 1, 4, 1) ** 2 + amplitude('none', 1, 4, 2) ** 2) / 2;
  const shown = Number(rows[1]!.querySelectorAll('td')[2]!.textContent!.split(' ')[0]);
  assert.ok(Math.abs(shown - want) / want < 1e-3, `${shown} vs ${want}`);
  assert.deepEqual(claim(doc, 'early-more').map((c) => [c.arm, c.holds]), [['none', 'true'], ['dbn', 'true']]);
  assert.deepEqual(claim(doc, 'pretraining-lowers').map((c) => [c.arm, c.holds]), [['dbn', 'true']]);
  assert.deepEqual(claim(doc, 'first-supervised').map((c) => [c.arm, c.holds]), [['dbn', 'true']]);
});

/** Only the arm without pre-training: its level `none` is also a CSS colour keyword, which must not reach the marks as a colour. */
const noneOnly: ExperimentInput = { ...onlineStudy, id: 'toy-online-none', scientific: { model: [{ depth: 1, hidden: 20 }], pretrain: ['none'] } };

test('in headless Chromium the three online figures draw all their marks, visibly, and the tables fill', { skip: skipWithoutChromium(), timeout: 120_000 }, async () => {
  for (const [input, ids] of [[onlineStudy, ['chart-online-error', 'chart-train-error-blocks']], [orderingStudy, ['chart-ordering-variance']], [noneOnly, ['chart-online-error', 'chart-train-error-blocks']]] as const) {
    const r = await report(input);
    await withReportPage(r.path, async (page, problems) => {
      for (const id of ids) {
        const fig = await page.$eval(`#${id}`, (f) => {
          const marks = [...f.querySelectorAll(f.getAttribute('data-mark-selector')!)];
          // A line is seen by its stroke, a dot by its fill: 'none' would draw nothing.
          const seen = marks.filter((m) => { const st = getComputedStyle(m); return (m.tagName === 'circle' ? st.fill : st.stroke) !== 'none'; });
          return { expected: Number(f.getAttribute('data-marks')), drawn: marks.length, visible: seen.length, width: f.getBoundingClientRect().width };
        });
        assert.ok(fig.expected > 0, id);
        assert.equal(fig.drawn, fig.expected, id);
        assert.equal(fig.visible, fig.expected, `${id}: every mark has a colour`);
        assert.ok(fig.width > 300, `${id} is laid out`);
      }
      const tableRows = await page.$$eval('table.online-gap tbody tr, table.train-error-blocks tbody tr, #ordering-variance-table tbody tr', (t) => t.length);
      assert.equal(tableRows, input === onlineStudy ? 4 * 4 + 2 * 5 : input === orderingStudy ? 4 : 5, input.id);
      assert.deepEqual(problems, []);
    });
  }
});
