import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventEmitter } from 'node:events';
import { buildProgram } from '../../src/cli/program.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cli } from '../helpers/run-cli.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SYNTH = path.join(here, '..', 'fixtures', 'experiments', 'synthetic-trial.ts');
const TOY = path.join(here, '..', 'fixtures', 'experiments', 'toy-experiment.ts');

test('pretrain-lab --help lists every command with examples', async () => {
  const r = await cli('--help');
  assert.equal(r.code, 0);
  for (const c of ['run', 'train', 'eval', 'export', 'report', 'list', 'data', 'bench']) assert.match(r.stdout, new RegExp(`\\n  ${c}\\b`));
  assert.match(r.stdout, /\$ pretrain-lab run depth --preset quick/);
});

test('every command has --help with an example', () => {
  const program = buildProgram();
  const all = program.commands.flatMap((c) => (c.commands.length ? c.commands : [c]));
  assert.ok(all.length >= 7);
  for (const c of all) {
    let text = '';
    c.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    c.outputHelp();
    assert.match(text, /Usage:/, c.name());
    // addHelpText('after', ...) registers an 'afterHelp' listener that writes the examples.
    let extra = '';
    for (const l of (c as unknown as EventEmitter).listeners('afterHelp')) (l as (ctx: { error: boolean; command: unknown; write: (s: string) => void }) => void)({ error: false, command: c, write: (s) => (extra += s) });
    assert.match(text + extra, /Example/, `${c.name()} --help shows an example`);
  }
});

test('run --help (spawned) documents presets, workers and --key=value keys', async () => {
  const r = await cli('run', '--help');
  assert.equal(r.code, 0);
  for (const s of ['--preset', '--workers', '--seeds', '--backend', '--json', 'finetune.lr', 'Example']) assert.ok(r.stdout.includes(s), s);
});

test('an unknown --key is an error naming it and suggesting the closest valid key (exit 2)', async () => {
  const r = await cli('run', TOY, '--trial-module', SYNTH, '--finetune.lrr=0.1');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /finetune\.lrr.*did you mean 'finetune\.lr'/);
  const t = await cli('train', '--modle.depth=2');
  assert.equal(t.code, 2);
  assert.match(t.stderr, /modle\.depth.*did you mean 'model\.depth'/);
});

test('train --resume without --checkpoint-dir is a usage error saying what is missing (exit 2)', async () => {
  const r = await cli('train', '--resume', '--depth=1');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--resume needs --checkpoint-dir/);
});

test('an unknown experiment lists the available ones (exit 2)', async () => {
  const r = await cli('run', 'no-such-study');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown experiment 'no-such-study'\. Available: .*depth.*smoke/);
});

test('list prints each built-in experiment with its one-line description', async () => {
  const r = await cli('list', '--json');
  assert.equal(r.code, 0);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; description: string });
  assert.ok(rows.some((x) => x.id === 'depth'));
  assert.ok(rows.every((x) => x.description.length > 0 && !x.description.includes('\n')));
});

test('run --json ends with a result line holding one row per cell and the report path', { timeout: 60_000 }, async () => {
  const runsDir = tempDir('pl-cli-');
  const r = await cli('run', TOY, '--preset', 'quick', '--trial-module', SYNTH, '--runs-dir', runsDir, '--workers', '1', '--json', '--depth=1');
  assert.equal(r.code, 0, r.stderr);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { event: string; report: string; cells: { testError: { mean: number; std: number; n: number } }[] };
  assert.equal(last.event, 'result');
  assert.equal(last.cells.length, 2);
  assert.ok(last.cells.every((c) => c.testError.n === 3 && c.testError.mean > 0 && c.testError.std >= 0));
  assert.ok(fs.existsSync(last.report));
  const rep = await cli('report', path.join(runsDir, 'toy'), '--json');
  assert.equal(rep.code, 0, rep.stderr);
  assert.equal(JSON.parse(rep.stdout).report, last.report);
});

test('train takes a conv net with batch norm in --layers, and eval rebuilds it from the checkpoint (running statistics included)', async () => {
  const dir = tempDir('pl-cli-conv-');
  const layers = 'conv 4 5x5 linear, bn, relu, pool 2, dropout 0.1, dense 16';
  const t = await cli('train', `--layers=${layers}`, '--activation=relu', '--init=he', '--data.trainSize=300', '--data.validSize=100', '--data.testSize=200',
    '--epochs=3', '--batchSize=20', '--optimizer=adam', '--lr=0.003', '--backend=reference', '--checkpoint-dir', dir, '--json');
  assert.equal(t.code, 0, t.stderr);
  const result = JSON.parse(t.stdout.trim().split('\n').at(-1)!) as { test: { error: number } };
  const e = await cli('eval', path.join(dir, 'final.safetensors'), '--backend', 'reference', '--json');
  assert.equal(e.code, 0, e.stderr);
  const ev = JSON.parse(e.stdout.trim()) as { error: number; n: number };
  assert.equal(ev.n, 10000);
  assert.ok(ev.error < 0.8 && result.test.error < 0.8, `trained above chance: eval ${ev.error}, train ${result.test.error}`);
  const bad = await cli('train', '--layers=conv 4 5x5, pool 2, pool 2, pool 2, pool 2, pool 2', '--data.trainSize=100', '--epochs=1', '--backend=reference');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /model layer 6 \(pool\).*spatial size reaches zero/);
});
