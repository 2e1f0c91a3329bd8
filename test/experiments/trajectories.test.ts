import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import trajectories from '../../experiments/trajectories.ts';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment } from '../../src/experiments/expand.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import type { TrialFunction } from '../../src/experiments/trial-function.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { runAnalysedTrial } from '../../src/analysis/analysed-trial.ts';
import { skipWithoutChromium, withReportPage } from '../helpers/chromium.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { toySplits } from '../helpers/toy-data.ts';

test('the trajectories experiment validates and expands: 2-layer networks with and without SDAE, probe outputs on, every epoch trained', () => {
  for (const [preset, seeds, examples] of [['quick', 10, 300], ['full', 50, 1000]] as const) {
    const trials = expandExperiment(resolveExperiment(trajectories, { preset }));
    assert.equal(trials.length, 2 * seeds, preset);
    for (const t of trials) {
      assert.equal(t.config.model.depth, 2);
      assert.equal(t.config.finetune.patience, null);
      assert.deepEqual(t.config.analysis.probe, { examples });
    }
    assert.deepEqual([...new Set(trials.map((t) => t.config.pretrain.kind))].sort(), ['none', 'sdae']);
  }
});

/** The real trial on toy data (8 inputs, 3 classes): seconds for the whole study. */
const toyTrial: TrialFunction = (config, opts) => runAnalysedTrial(config, { ...opts, backend: createReferenceBackend('float32'), data: toySplits(5) });

async function toyStudy(): Promise<{ storeDir: string; report: ReturnType<typeof writeReport> }> {
  const exp = resolveExperiment(trajectories, {
    preset: 'quick',
    seeds: 5,
    overrides: { 'model.hidden': 6, 'pretrain.epochs': 1, 'finetune.epochs': 4, 'finetune.batchSize': 20, 'analysis.probe.examples': 15 },
  });
  const s = await runExperiment(exp, { runsDir: tempDir('traj-study-'), trial: toyTrial });
  return { storeDir: s.storeDir, report: writeReport(s.storeDir) };
}

test('a toy trajectories study reports both embeddings, the distance table per epoch and the two claims', { timeout: 120_000 }, async () => {
  const { storeDir, report } = await toyStudy();
  const ids = report.charts.map((c) => c.id);
  assert.deepEqual(ids, ['chart-trajectories-tsne', 'chart-trajectories-isomap', 'chart-trajectories-distances']);
  assert.equal(report.charts[0]!.marks, 10, 'one line per network');
  const html = fs.readFileSync(report.path, 'utf8');
  assert.equal((html.match(/<tr><td class="num">\d+<\/td><td class="num">5 \+ 5<\/td>/g) ?? []).length, 5, 'epochs 0-4, 5 + 5 networks each');
  assert.match(html, /data-claim="apart" data-holds="(true|false)"/);
  assert.match(html, /data-claim="smaller" data-holds="(true|false)"/);
  assert.match(html, /after PCA to \d+ dimensions keeping/);
  const cache = fs.readdirSync(path.join(storeDir, 'embeddings'));
  assert.equal(cache.length, 1);
  const again = writeReport(storeDir);
  assert.deepEqual(again.charts.map((c) => c.svg), report.charts.map((c) => c.svg), 'the rebuilt report reads the cached embedding and draws the same');
  assert.match(fs.readFileSync(again.path, 'utf8'), /Embedding read from the cache/);
});

test('the trajectories section renders in headless Chromium: every network drawn as a line in both embeddings, the distance curves and table', { skip: skipWithoutChromium(), timeout: 120_000 }, async () => {
  const { report } = await toyStudy();
  await withReportPage(report.path, async (page, problems) => {
    const charts = await page.$$eval('#trajectories figure.chart', (figs) =>
      figs.map((f) => ({ id: f.id, expected: Number(f.getAttribute('data-marks')), drawn: f.querySelectorAll(f.getAttribute('data-mark-selector')!).length, width: f.getBoundingClientRect().width })),
    );
    assert.equal(charts.length, 3);
    for (const c of charts) {
      assert.ok(c.expected > 0, `${c.id} has data`);
      assert.equal(c.drawn, c.expected, `${c.id} drew ${c.drawn} of ${c.expected} marks`);
      assert.ok(c.width > 300, `${c.id} is visible`);
    }
    const rows = await page.$$eval('#trajectory-distances tbody tr', (r) => r.length);
    assert.equal(rows, 5);
    const claims = await page.$$eval('#trajectory-claims li', (li) => li.map((l) => l.getAttribute('data-claim')));
    assert.deepEqual(claims, ['apart', 'smaller']);
    assert.deepEqual(problems, []);
  });
});
