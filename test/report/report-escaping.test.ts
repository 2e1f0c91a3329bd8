import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { RunStore } from '../../src/experiments/store.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { html, trustedHtml } from '../../src/report/html.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';
import { skipWithoutChromium, withReportPage } from '../helpers/chromium.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Markup a hostile or careless user could put in any string field, with entities, quotes and non-ASCII. */
const HOSTILE = `<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">&amp; & 'q' é 漢 </p><style>body{display:none}</style>`;
/** A data name is often a user's file path. */
const HOSTILE_PATH = `/home/u/<b>my "data"</b>&co/x.csv`;

const hostile = defineExperiment({
  id: 'hostile',
  paper: HOSTILE,
  description: HOSTILE,
  backend: 'reference',
  data: { name: 'mnist', trainSize: 100 },
  model: { hidden: 16 },
  pretrain: { epochs: 1 },
  finetune: { epochs: 3 },
  scientific: { 'data.name': [HOSTILE_PATH, HOSTILE], pretrain: ['none', 'sdae'] },
  nuisance: { lr: [0.1, 0.02] },
  seeds: 2,
});

async function hostileReport(): Promise<string> {
  const s = await runExperiment(resolveExperiment(hostile, {}), { runsDir: tempDir('pl-report-esc-'), trial: synthetic });
  const store = new RunStore(s.storeDir);
  const r = store.read(store.listHashes()[0]!)!;
  store.write({ ...r, variant: { ...r.variant, cpu: { ...r.variant.cpu, model: HOSTILE } } });
  return writeReport(s.storeDir).path;
}

test('html`...` escapes every interpolated value unless it is Html, joins arrays and drops null, undefined and false', () => {
  assert.equal(html`<p title="${`"'&<>`}">${'<b>'}</p>`.markup, '<p title="&quot;&#39;&amp;&lt;&gt;">&lt;b&gt;</p>');
  assert.equal(html`<ul>${['<a>', html`<li>${'&'}</li>`]}</ul>`.markup, '<ul>&lt;a&gt;<li>&amp;</li></ul>');
  assert.equal(html`${null}${undefined}${false}${0}`.markup, '0');
  assert.equal(html`${trustedHtml('<svg></svg>')}`.markup, '<svg></svg>');
});

test('the report source never holds a user string unescaped: no injected element or attribute, in the page or in the charts', async () => {
  const page = fs.readFileSync(await hostileReport(), 'utf8');
  assert.ok(!page.includes('<script'), 'no <script element');
  assert.ok(!page.includes('<img src=x'), 'no injected <img');
  assert.ok(!page.includes('<style>body'), 'no injected <style');
  assert.ok(!page.includes('<b>my'), 'the data path is text');
  assert.ok(page.includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'), 'the description is in the page, escaped');
});

test('a report whose description, paper, factor values, data names and CPU name hold markup renders them as text in Chromium, and no injected script runs', { skip: skipWithoutChromium(), timeout: 90_000 }, async () => {
  const file = await hostileReport();
  await withReportPage(file, async (page, problems) => {
    const seen = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      scripts: document.querySelectorAll('script').length,
      injectedImages: [...document.querySelectorAll('img')].filter((i) => !i.getAttribute('src')!.startsWith('data:image/png;base64,')).length,
      bodyShown: getComputedStyle(document.body).display !== 'none',
      desc: document.querySelector('header .desc')!.textContent,
      paper: document.querySelector('header .paper')!.textContent,
      summary: document.querySelector('#summary-table')!.textContent,
      variant: document.querySelector('#variant')!.textContent,
      chartText: [...document.querySelectorAll('figure.chart svg text')].map((t) => t.textContent).join('\n'),
      filterCells: [...document.querySelectorAll('.filter-grid')].map((f) => f.getAttribute('data-cell')),
      title: document.title,
    }));
    assert.equal(seen.pwned, undefined, 'the injected script never ran');
    assert.equal(seen.scripts, 0);
    assert.equal(seen.injectedImages, 0);
    assert.ok(seen.bodyShown, 'an injected stylesheet does not hide the page');
    assert.equal(seen.desc, HOSTILE, 'the description reads literally');
    assert.equal(seen.paper, HOSTILE);
    assert.ok(seen.summary.includes(HOSTILE) && seen.summary.includes(HOSTILE_PATH), 'cell labels (factor values, data names) read literally in the table');
    assert.ok(seen.variant.includes(HOSTILE), 'the CPU name reads literally');
    assert.ok(seen.chartText.includes(HOSTILE_PATH), 'chart labels read literally');
    assert.ok(seen.filterCells.some((c) => c!.includes(HOSTILE)), 'attribute values keep the literal string');
    assert.equal(seen.title, 'hostile - pretrain-lab report');
    assert.deepEqual(problems, []);
  });
});
