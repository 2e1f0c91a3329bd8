import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import { RunStore } from '../../src/experiments/store.ts';
import { writeReport } from '../../src/report/build-report.ts';
import { runTrial as synthetic } from '../fixtures/experiments/synthetic-trial.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';

test('the report names the numeric variant of a study with its trial count, and warns when variants were mixed', async () => {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-report-variant-'));
  const s = await runExperiment(resolveExperiment(toy, { preset: 'quick', seeds: 1 }), { runsDir, trial: synthetic });
  const one = writeReport(s.storeDir);
  assert.equal(one.variants.length, 1);
  assert.equal(one.variants[0]!.trials, s.records.size);
  assert.equal(one.variants[0]!.variant.backend, 'reference');
  let html = fs.readFileSync(one.path, 'utf8');
  assert.match(html, /<h2>Numeric variant<\/h2>/);
  assert.doesNotMatch(html, /numeric variants computed these trials/);

  const store = new RunStore(s.storeDir);
  const [h] = store.listHashes();
  const r = store.read(h!)!;
  store.write({ ...r, variant: { ...r.variant, backend: 'wasm', wasmBuild: 'relaxed-simd', reproducible: false }, mixedVariant: true });
  const two = writeReport(s.storeDir);
  assert.deepEqual(two.variants.map((g) => g.trials).sort(), [1, s.records.size - 1].sort());
  html = fs.readFileSync(two.path, 'utf8');
  assert.match(html, /2 numeric variants computed these trials/);
  assert.match(html, /wasm relaxed-simd/);
});
