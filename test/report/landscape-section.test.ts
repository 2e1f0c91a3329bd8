import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseHTML } from 'linkedom';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { runAnalysedTrial } from '../../src/analysis/analysed-trial.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { skipWithoutChromium, withReportPage } from '../helpers/chromium.ts';

/** A few seconds of real training: Shapeset, 1-2 layers x SDAE/none, 2 seeds, 3 directions. */
const tiny = defineExperiment({
  id: 'landscape-tiny',
  paper: 'Erhan et al. 2010, Fig. 7 (tiny)',
  description: 'tiny landscape study for the report test',
  backend: 'reference',
  data: { name: 'shapeset', trainSize: 100, validSize: 50, testSize: 50 },
  model: { hidden: 6 },
  pretrain: { epochs: 1, batchSize: 10, lr: 0.05 },
  finetune: { epochs: 2, batchSize: 10, lr: 0.2, patience: null },
  analysis: { landscape: { directions: 3, alphaMax: 1, step: 0.25 } },
  scientific: { depth: [1, 2], pretrain: ['none', 'sdae'] },
  seeds: 2,
  figures: ['landscape', 'table'],
});

let made: Promise<ReturnType<typeof writeReport>> | null = null;
function report(): Promise<ReturnType<typeof writeReport>> {
  made ??= (async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-landscape-report-'));
    const s = await runExperiment(resolveExperiment(tiny, {}), { runsDir, trial: runAnalysedTrial });
    return writeReport(s.storeDir);
  })();
  return made;
}

test('the landscape section draws one curve per direction in one panel per depth x arm, and a curvature row per cell', { timeout: 60_000 }, async () => {
  const r = await report();
  const charts = r.charts.filter((c) => c.id.startsWith('chart-landscape-'));
  assert.deepEqual(charts.map((c) => c.id), ['chart-landscape-error', 'chart-landscape-nll']);
  for (const c of charts) {
    assert.equal(c.marks, 4 * 3, '4 panels x 3 directions');
    const doc = parseHTML(`<!DOCTYPE html><html><body>${c.svg}</body></html>`).document;
    assert.equal(doc.querySelectorAll(c.markSelector).length, c.marks);
  }
  const page = parseHTML(fs.readFileSync(r.path, 'utf8')).document;
  const rows = [...page.querySelectorAll('#landscape-table tbody tr')].map((tr) => tr.getAttribute('data-cell'));
  assert.deepEqual(rows, ['depth=1 pretrain=none', 'depth=1 pretrain=sdae', 'depth=2 pretrain=none', 'depth=2 pretrain=sdae']);
  assert.deepEqual([...page.querySelectorAll('#landscape-compare tbody tr')].map((tr) => tr.getAttribute('data-compare')), ['depth=1', 'depth=2']);
  assert.match(page.querySelector('#landscape-table')!.textContent!, /\d\.\d{3} \[-?\d/, 'a mean with its 95% interval');
  assert.match(page.querySelector('#landscape-compare tbody')!.textContent!, /\(paired t\)/, 'arms on the same seeds are compared seed by seed');
});

test('the landscape section renders in headless Chromium: every panel drew its curves, the table is visible, no console errors', { skip: skipWithoutChromium(), timeout: 90_000 }, async () => {
  const r = await report();
  await withReportPage(r.path, async (page, problems) => {
    const charts = await page.$$eval('figure.chart[data-chart="landscape"]', (figs) =>
      figs.map((f) => ({ id: f.id, expected: Number(f.getAttribute('data-marks')), drawn: f.querySelectorAll(f.getAttribute('data-mark-selector')!).length, width: f.getBoundingClientRect().width })),
    );
    assert.deepEqual(charts.map((c) => c.id), ['chart-landscape-error', 'chart-landscape-nll']);
    for (const c of charts) {
      assert.equal(c.drawn, c.expected, `${c.id} drew ${c.drawn} of ${c.expected} curves`);
      assert.ok(c.width > 300, `${c.id} is visible`);
    }
    const rows = await page.$$eval('#landscape-table tbody tr', (trs) => trs.map((t) => t.getBoundingClientRect().height));
    assert.equal(rows.length, 4);
    assert.ok(rows.every((h) => h > 0));
    assert.deepEqual(problems, []);
  });
});
