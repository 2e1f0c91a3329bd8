/**
 * experiments/transfer-modes.ts: every preset expands to valid trials of the designed grid, and
 * the documented command on a user's own data (`--preset user --data.name=csv:<file>`) expands to
 * trials on that file and runs end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment, hasSelectionPhase, product } from '../../src/experiments/expand.ts';
import { validateTrialConfig } from '../../src/train/validate.ts';
import transferModes from '../../experiments/transfer-modes.ts';
import { cli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const mode = (c: { pretrain: { kind: string }; finetune: { trainTop: number | null } }): string => `${c.pretrain.kind}/${c.finetune.trainTop}`;

test('quick and full: 2 networks x {none, sdae, supervised} x trainTop {0, 1, null} x labelled {1, 0.1, 0.01} on MNIST 5-9, every trial valid, weight change on', () => {
  for (const [preset, seeds] of [['quick', 4], ['full', 10]] as const) {
    const exp = resolveExperiment(transferModes, { preset });
    assert.equal(product(exp.scientific).length, 54);
    assert.equal(hasSelectionPhase(exp), preset === 'full', 'quick: one learning rate; full: chosen on selection seeds');
    const trials = expandExperiment(exp);
    for (const t of trials) {
      validateTrialConfig(t.config);
      assert.deepEqual(t.config.data.labels, [5, 6, 7, 8, 9]);
      if (t.config.pretrain.kind === 'supervised') assert.deepEqual(t.config.pretrain.source?.labels, [0, 1, 2, 3, 4]);
      if (t.phase === 'evaluation') assert.equal(t.config.analysis.weightChange, true);
    }
    const evaluation = trials.filter((t) => t.phase === 'evaluation');
    if (preset === 'quick') assert.equal(evaluation.length, 54 * seeds);
    assert.deepEqual([...new Set(trials.map((t) => mode(t.config)))].sort(), ['none/0', 'none/1', 'none/null', 'sdae/0', 'sdae/1', 'sdae/null', 'supervised/0', 'supervised/1', 'supervised/null']);
    assert.deepEqual([...new Set(trials.map((t) => t.config.model.layers === null ? 'mlp' : 'conv'))].sort(), ['conv', 'mlp']);
    assert.deepEqual([...new Set(trials.map((t) => t.config.data.labeled))].sort(), [0.01, 0.1, 1]);
  }
});

test('the user preset with --data.name expands to the MLP study on that file: no MNIST classes, no source task, every mode and fraction', () => {
  const exp = resolveExperiment(transferModes, { preset: 'user', overrides: { 'data.name': 'csv:my.csv?label=y' } });
  const trials = expandExperiment(exp);
  assert.equal(trials.length, 2 * 3 * 3 * 5);
  for (const t of trials) {
    validateTrialConfig(t.config);
    assert.equal(t.config.data.name, 'csv:my.csv?label=y');
    assert.equal(t.config.data.labels, undefined);
    assert.equal(t.config.data.trainSize, null);
    assert.equal(t.config.model.layers, null);
    assert.notEqual(t.config.pretrain.kind, 'supervised');
    if (t.config.pretrain.kind === 'sdae') assert.deepEqual([t.config.pretrain.loss, t.config.pretrain.decoder], ['squared', 'identity'], 'inputs of any scale');
  }
  assert.deepEqual([...new Set(trials.map((t) => mode(t.config)))].sort(), ['none/0', 'none/1', 'none/null', 'sdae/0', 'sdae/1', 'sdae/null']);
});

test('pretrain-lab run transfer-modes --preset user --data.name=csv:<file> runs the study on a CSV file and writes its report', { timeout: 120_000 }, async () => {
  const dir = tempDir('transfer-user-');
  const file = path.join(dir, 'mine.csv');
  const lines = ['a,b,c,d,label'];
  for (let i = 0; i < 240; i++) {
    const y = i % 3;
    lines.push([0, 1, 2, 3].map((j) => (y * 2 + j * 0.1 + ((i * 7 + j * 13) % 10) / 10).toFixed(2)).join(',') + `,${y}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const r = await cli('run', 'transfer-modes', '--preset', 'user', `--data.name=csv:${file}`, '--seeds', '1', '--epochs=2', '--pretrainEpochs=1', '--model=[{"depth":2,"hidden":6}]', '--backend', 'reference', '--workers', '1', '--runs-dir', dir, '--json');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(result.cells.length, 18);
  const html = fs.readFileSync(result.report, 'utf8');
  assert.match(html, /id="transfer-claims"/);
  assert.match(html, /MLP 2 x 6, pre-trained by SDAE/);
});
