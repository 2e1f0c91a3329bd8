import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseHTML } from 'linkedom';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { writeReport, ReportError } from '../../src/report/build-report.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';
import { skipWithoutChromium, withReportPage } from '../helpers/chromium.ts';

async function makeReport(): Promise<{ dir: string; report: ReturnType<typeof writeReport> }> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-report-'));
  const exp = resolveExperiment(toy, {});
  const s = await runExperiment(exp, { runsDir, trial: synthetic });
  return { dir: s.storeDir, report: writeReport(s.storeDir) };
}

test('writeReport draws one box-plot dot per finished seed of each chosen setting and a filter PNG per cell', async () => {
  const { report } = await makeReport();
  const seeds = report.cells.reduce((n, c) => n + c.test.n, 0);
  assert.equal(seeds, 4 * 4, '4 cells x 4 seeds');
  const box = report.charts.find((c) => c.id === 'chart-test-error-boxplot')!;
  assert.equal(box.marks, seeds);
  const doc = parseHTML(`<!DOCTYPE html><html><body>${box.svg}</body></html>`).document;
  assert.equal(doc.querySelectorAll(box.markSelector).length, seeds);
  assert.equal(report.images.length, 4);
  for (const f of report.images) assert.deepEqual([...fs.readFileSync(f).subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
  const html = fs.readFileSync(report.path, 'utf8');
  assert.ok(!/<script|<link|(src|href)="https?:/i.test(html), 'the report loads nothing from the network');
  assert.equal((html.match(/data:image\/png;base64,/g) ?? []).length, 4);
  assert.match(html, /Holm p/);
  assert.match(html, /paired t \/ Wilcoxon/);
});

test('writeReport on a directory that is not a run store says what to pass', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-report-'));
  assert.throws(() => writeReport(d), (e: Error) => e instanceof ReportError && /runs\/<experiment>/.test(e.message));
});

test('the report renders in headless Chromium with no console errors and every chart draws all its data', { skip: skipWithoutChromium(), timeout: 60_000 }, async () => {
  const { dir, report } = await makeReport();
  await withReportPage(report.path, async (page, problems) => {
    const charts = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => ({ id: f.id, expected: Number(f.getAttribute('data-marks')), drawn: f.querySelectorAll(f.getAttribute('data-mark-selector')!).length, width: f.getBoundingClientRect().width })),
    );
    assert.deepEqual(charts.map((c) => c.id).sort(), report.charts.map((c) => c.id).sort());
    for (const c of charts) {
      assert.ok(c.expected > 0, `${c.id} has data`);
      assert.equal(c.drawn, c.expected, `${c.id} drew ${c.drawn} of ${c.expected} marks`);
      assert.ok(c.width > 300, `${c.id} is visible`);
    }
    const images = await page.$$eval('.filter-grid img', (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    assert.equal(images.length, 4);
    assert.ok(images.every((w) => w > 0), 'filter images decoded');
    const rows = await page.$$eval('#summary-table tbody tr', (r) => r.length);
    assert.equal(rows, report.cells.length);
    await page.screenshot({ path: path.join(dir, 'report-screenshot.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});

test('the filter grids pair the arms of the comparison side by side: one row per depth, same seed, same size', { skip: skipWithoutChromium(), timeout: 60_000 }, async () => {
  const { report } = await makeReport();
  await withReportPage(report.path, async (page) => {
    const pairs = await page.$$eval('.filter-pair', (ps) =>
      ps.map((p) => ({
        key: p.getAttribute('data-pair'),
        title: p.querySelector('h3')?.textContent,
        arms: [...p.querySelectorAll('.filter-grid')].map((f) => {
          const r = f.querySelector('img')!.getBoundingClientRect();
          return { arm: f.getAttribute('data-arm'), seed: f.getAttribute('data-seed'), top: Math.round(r.top), left: r.left, width: Math.round(r.width), caption: f.querySelector('figcaption')!.textContent };
        }),
      })),
    );
    assert.deepEqual(pairs.map((p) => p.key), ['depth=1', 'depth=3']);
    for (const p of pairs) {
      assert.deepEqual(p.arms.map((a) => a.arm), ['none', 'sdae'], `${p.key}: both arms`);
      const [none, sdae] = p.arms as [(typeof p.arms)[number], (typeof p.arms)[number]];
      assert.equal(none.top, sdae.top, `${p.key}: the two arms share one row`);
      assert.ok(none.left < sdae.left, `${p.key}: without pre-training on the left`);
      assert.equal(none.width, sdae.width, `${p.key}: same scale`);
      assert.ok(none.width > 250, `${p.key}: readable (${none.width} px)`);
      assert.equal(none.seed, sdae.seed, `${p.key}: same seed`);
      assert.equal(p.title, `${p.key}, seed ${none.seed}`);
      assert.match(none.caption!, /^pretrain=none: \d+ of \d+ filters$/);
    }
  });
});
