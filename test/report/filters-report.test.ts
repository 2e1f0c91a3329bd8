import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseHTML } from 'linkedom';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { runAnalysedTrial } from '../../src/analysis/analysed-trial.ts';
import filters from '../../experiments/filters.ts';
import { skipWithoutChromium, withReportPage } from '../helpers/chromium.ts';

/** The filters study in miniature (100 digits, 8 units, 1 seed), really trained in this process. */
async function miniature(): Promise<ReturnType<typeof writeReport>> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-filters-'));
  const exp = resolveExperiment(filters, {
    preset: 'quick',
    seeds: 1,
    backend: 'reference',
    overrides: { trainSize: 100, validSize: 50, testSize: 50, hidden: 8, pretrainEpochs: 1, epochs: 2, 'analysis.actmax.units': 4, 'analysis.actmax.starts': 2, 'analysis.actmax.steps': 5 },
  });
  const s = await runExperiment(exp, { runsDir, trial: runAnalysedTrial });
  return writeReport(s.storeDir);
}

const report = miniature();

test('the filters report shows a grid per layer, network and phase, and the weight-change table and chart of every cell and layer', async () => {
  const r = await report;
  const doc = parseHTML(fs.readFileSync(r.path, 'utf8')).document;
  // per data set: dbn and sdae before and after fine-tuning, none after training = 5 columns x 3 layers
  assert.equal(doc.querySelectorAll('figure.unit-pattern').length, 2 * 5 * 3);
  assert.deepEqual([...doc.querySelectorAll('.unit-pattern-block')].map((b) => b.getAttribute('data-pair')), ['dataset=infinite-mnist', 'dataset=mnist']);
  const none = [...doc.querySelectorAll('figure.unit-pattern[data-arm="none"]')].map((f) => f.getAttribute('data-phase'));
  assert.deepEqual([...new Set(none)], ['finetuned'], 'without pre-training there is no "after pre-training" column');
  assert.equal(doc.querySelectorAll('#weight-change-table tbody tr').length, 6 * 3);
  assert.match(doc.querySelector('#weight-change-reading')!.textContent!, /^dbn: layer 1 moved least in \d of 2 cells, at most [\d.]+% of a layer's signs changed; sdae: .*; none: layer 1 moved least in \d of 2 cells/);
  const chart = r.charts.find((c) => c.id === 'chart-weight-change')!;
  assert.equal(chart.marks, 6 * 3);
  assert.equal(r.images.length, 2 * 5 * 3);
});

test('the filters report renders in headless Chromium: every pattern image decodes and the weight-change chart draws every point', { skip: skipWithoutChromium(), timeout: 120_000 }, async () => {
  const r = await report;
  await withReportPage(r.path, async (page, problems) => {
    const imgs = await page.$$eval('figure.unit-pattern img', (is) => is.map((i) => ({ w: (i as HTMLImageElement).naturalWidth, shown: i.getBoundingClientRect().width })));
    assert.equal(imgs.length, 30);
    assert.ok(imgs.every((i) => i.w > 0 && i.shown > 40), `images decoded and visible: ${JSON.stringify(imgs.slice(0, 3))}`);
    const c = await page.$eval('#chart-weight-change', (f) => ({ expected: Number(f.getAttribute('data-marks')), drawn: f.querySelectorAll(f.getAttribute('data-mark-selector')!).length }));
    assert.equal(c.drawn, c.expected);
    assert.deepEqual(problems, []);
  });
});
