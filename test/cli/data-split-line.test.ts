import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-dir.ts';
import { cli } from '../helpers/run-cli.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SYNTH = path.join(here, '..', 'fixtures', 'experiments', 'synthetic-trial.ts');
const TOY = path.join(here, '..', 'fixtures', 'experiments', 'toy-experiment.ts');

const dir = tempDir('pl-split-');
const csv = path.join(dir, 'tiny.csv');
writeFileSync(csv, 'label,a,b\n' + Array.from({ length: 30 }, (_, i) => `${i % 2},${i % 5},1`).join('\n') + '\n');

test('issue 12 case 10: train prints the split sizes and where each comes from when it starts (a line, or a data event with --json)', { timeout: 60_000 }, async () => {
  const r = await cli('train', '--trial-module', SYNTH, `--data.name=csv:${csv}`, '--epochs=1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /data csv:\S+tiny\.csv: train 20 \(tiny\.csv examples 0\.\.19\), valid 5 \(tiny\.csv examples 20\.\.24\), test 5 \(tiny\.csv examples 25\.\.29\)\n/);
  const j = await cli('train', '--trial-module', SYNTH, `--data.name=csv:${csv}`, '--epochs=1', '--json');
  assert.equal(j.code, 0, j.stderr);
  const events = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; train?: { n: number } });
  const data = events.find((e) => e.event === 'data');
  assert.equal(data?.train?.n, 20);
  assert.equal(events.at(-1)?.event, 'result');
});

test('issue 12 case 10: run prints the split line of its data before the trials', { timeout: 60_000 }, async () => {
  const r = await cli('run', TOY, '--trial-module', SYNTH, '--runs-dir', dir, '--workers', '1', '--seeds', '1', '--depth=1', '--no-report');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /data mnist: train 100 of 50000 \(a class-stratified subset drawn by the seed of MNIST training set examples 0\.\.49999\), valid 10000/);
});

test('a data file refused at the start of train exits 1 with one line naming the file, no stack trace', { timeout: 60_000 }, async () => {
  const bad = path.join(dir, 'nolabel.csv');
  writeFileSync(bad, '1,2,3\n4,5,6\n');
  const r = await cli('train', '--trial-module', SYNTH, `--data.name=csv:${bad}`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: \S+nolabel\.csv: no label column/m);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
