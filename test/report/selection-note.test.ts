import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { defineExperiment, resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** The summary table's note of a synthetic study whose nuisance grid has the given learning rates. */
async function summaryNote(lrs: number[]): Promise<string> {
  const exp = defineExperiment({
    id: 'note', paper: 'p', description: 'd', backend: 'reference',
    data: { name: 'mnist', trainSize: 100 }, model: { hidden: 8 }, pretrain: { epochs: 1 }, finetune: { epochs: 2 },
    scientific: { pretrain: ['none', 'sdae'] }, nuisance: { lr: lrs }, seeds: 2,
  });
  const s = await runExperiment(resolveExperiment(exp, {}), { runsDir: tempDir('pl-note-'), trial: synthetic });
  const page = fs.readFileSync(writeReport(s.storeDir).path, 'utf8');
  const summary = page.slice(page.indexOf('id="summary"'));
  return summary.slice(summary.indexOf('<p class="note">'), summary.indexOf('</p>'));
}

test('the summary says a setting was chosen on validation only when the nuisance grid offers a choice', async () => {
  assert.match(await summaryNote([0.1, 0.02]), /lowest mean validation error over the selection seeds was chosen/);
  const one = await summaryNote([0.1]);
  assert.match(one, /one setting of finetune\.lr, so nothing was chosen on validation/);
  assert.doesNotMatch(one, /was chosen \(Section 5\.3/);
});
