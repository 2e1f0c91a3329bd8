import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-dir.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '..', '..', 'bin', 'pretrain-lab.js');
const SYNTH = path.join(here, '..', 'fixtures', 'experiments', 'synthetic-trial.ts');
const TOY = path.join(here, '..', 'fixtures', 'experiments', 'toy-experiment.ts');

/**
 * Spawns the CLI and closes our end of its stdout or stderr at once, as `| head -0` would; resolves
 * to its exit status and what it wrote on the other stream.
 */
function cliWithClosed(closed: 'stdout' | 'stderr', args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; signal: string | null; other: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    child[closed].destroy();
    let other = '';
    const open = closed === 'stdout' ? child.stderr : child.stdout;
    open.on('data', (d: Buffer) => (other += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, other });
    });
  });
}

test('train --help into a closed pipe exits 0 quietly (no EPIPE stack trace)', async () => {
  const r = await cliWithClosed('stdout', ['train', '--help']);
  assert.equal(r.code, 0, r.other);
  assert.doesNotMatch(r.other, /EPIPE|at .*\(/);
});

test('run --json whose stdout is closed mid-run exits 0 quietly', async () => {
  const dir = tempDir('pl-pipe-');
  const r = await cliWithClosed('stdout', ['run', TOY, '--trial-module', SYNTH, '--runs-dir', dir, '--workers', '1', '--json', '--no-report']);
  assert.equal(r.code, 0, r.other);
  assert.doesNotMatch(r.other, /EPIPE|at .*\(/);
});

test('run whose progress stream (stderr) is closed mid-run exits 0 quietly', async () => {
  const dir = tempDir('pl-pipe-');
  const r = await cliWithClosed('stderr', ['run', TOY, '--trial-module', SYNTH, '--runs-dir', dir, '--workers', '1', '--no-report'], { SYNTH_DELAY_MS: '1' });
  assert.equal(r.code, 0, r.other);
});
