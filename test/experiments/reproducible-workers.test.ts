import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableBackends } from '../../src/backends/index.ts';
import { enableReproducibleMode } from '../../src/backends/reproducible.ts';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { runExperiment } from '../../src/experiments/runner.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';

const SYNTH = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'experiments', 'synthetic-trial.ts');

test('worker processes inherit reproducible mode: every record of a pooled run names the plain SIMD128 wasm build', { timeout: 120_000 }, async (t) => {
  const wasm = (await availableBackends()).find((b) => b.name === 'wasm')!;
  if (!wasm.available) {
    if (process.env['CI']) assert.fail(`wasm backend unavailable in CI: ${wasm.reason}`);
    console.error(`\n*** reproducible workers NOT CHECKED: ${wasm.reason} ***\n`);
    return t.skip(wasm.reason);
  }
  enableReproducibleMode(process.arch); // what --reproducible does, before any backend exists
  const exp = resolveExperiment(toy, { preset: 'quick', seeds: 1, backend: 'auto' });
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-repro-workers-'));
  const s = await runExperiment(exp, { runsDir, workers: 2, trial: { module: SYNTH, export: 'runTrial' } });
  const records = [...s.records.values()];
  assert.ok(records.length > 0);
  for (const r of records) {
    assert.equal(r.variant.backend, 'wasm');
    assert.equal(r.variant.wasmBuild, 'simd128');
    assert.equal(r.variant.reproducible, true);
    assert.match(r.command, /--backend=wasm --reproducible$/);
  }
});
